package session

import (
	"encoding/binary"
	"time"
)

// The cookie payloads use a small binary form rather than JSON: it keeps
// the sealed value short, keeps encoding/json out of the Worker, and has
// one encoding per value, so a payload either round-trips exactly or is
// refused.

type writer []byte

func (w *writer) uint(v uint64) { *w = binary.AppendUvarint(*w, v) }

// time writes t to the second. The zero time, and any time outside what
// the reader accepts, is written as 0 and reads back as the zero time.
func (w *writer) time(t time.Time) {
	u := t.Unix()
	if t.IsZero() || u <= 0 || u > maxUnix {
		w.uint(0)
		return
	}
	w.uint(uint64(u))
}

func (w *writer) string(s string) {
	w.uint(uint64(len(s)))
	*w = append(*w, s...)
}

type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || n != uvarintLen(v) {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) time() time.Time {
	v := r.uint()
	if v == 0 || v > maxUnix {
		if v > maxUnix {
			r.bad = true
		}
		return time.Time{}
	}
	return time.Unix(int64(v), 0)
}

func (r *reader) string(max int) string {
	n := r.uint()
	if n > uint64(max) || n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// done reports whether everything was read without fault and nothing is
// left over.
func (r *reader) done() bool { return !r.bad && len(r.b) == 0 }

// maxUnix bounds stored times to the year 9999, far beyond any lifetime the
// gate issues, so arithmetic on them never overflows.
const maxUnix = 253402300799

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
