package session

import "time"

const attemptsV1 = 1

// Attempts counts the sign-ins completed in a short window. A browser that
// signs in again and again without ever presenting its session (cookies
// dropped, a host mismatch, keys that differ between deployments) is in a
// redirect loop, and the gate stops it with a page that explains why.
type Attempts struct {
	Since time.Time // start of the window, to the second
	Count uint64    // sign-ins completed since then
}

// MarshalBinary encodes a.
func (a *Attempts) MarshalBinary() ([]byte, error) {
	w := make(writer, 0, 16)
	w = append(w, attemptsV1)
	w.time(a.Since)
	w.uint(a.Count)
	return w, nil
}

// UnmarshalBinary decodes what MarshalBinary produced; anything else is
// [ErrInvalid].
func (a *Attempts) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != attemptsV1 {
		return ErrInvalid
	}

	r := reader{b: b[1:]}
	var out Attempts
	out.Since = r.time()
	out.Count = r.uint()
	if !r.done() {
		return ErrInvalid
	}

	*a = out
	return nil
}
