package session

import "time"

// MaxReturnLen is the longest return path a [Login] keeps, in bytes. The
// gate keeps several login cookies at once, so each must stay small.
const MaxReturnLen = 1024

// MaxStateLen is the longest state value a [Login] keeps, in bytes.
const MaxStateLen = 128

const loginV1 = 1

// Login is one sign-in attempt in progress: the state sent to Marketing
// Cloud and where to send the browser once it comes back. It lives in a
// short-lived cookie of its own, so attempts in parallel tabs do not
// overwrite each other.
type Login struct {
	State   string    // the state parameter, compared on return
	Return  string    // a path on the gate's host, validated before use
	Created time.Time // to the second; the oldest attempt is evicted first
}

// MarshalBinary encodes l; fields beyond the limits are an error.
func (l *Login) MarshalBinary() ([]byte, error) {
	if len(l.State) > MaxStateLen || len(l.Return) > MaxReturnLen {
		return nil, errTooLong
	}

	w := make(writer, 0, 16+len(l.State)+len(l.Return))
	w = append(w, loginV1)
	w.time(l.Created)
	w.string(l.State)
	w.string(l.Return)
	return w, nil
}

// UnmarshalBinary decodes what MarshalBinary produced; anything else is
// [ErrInvalid].
func (l *Login) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != loginV1 {
		return ErrInvalid
	}

	r := reader{b: b[1:]}
	var out Login
	out.Created = r.time()
	out.State = r.string(MaxStateLen)
	out.Return = r.string(MaxReturnLen)
	if !r.done() {
		return ErrInvalid
	}

	*l = out
	return nil
}
