package session

import (
	"errors"
	"time"
)

// Limits on what a session holds, in bytes. They keep the sealed cookie
// under 1 KB without a token (a typical one is about 300 bytes) and under
// 4 KB with one.
const (
	MaxEmailLen  = 254 // RFC 5321 §4.5.3.1.3
	MaxNameLen   = 256
	MaxUserIDLen = 128
	MaxTokenLen  = 2048 // Marketing Cloud documents at most 512
)

const sessionV1 = 1

// Session is a signed-in user: who Marketing Cloud said they are, and when.
// A zero AccessToken means the gate keeps no Marketing Cloud token, which is
// the default.
type Session struct {
	UserID string // user.sub: the Marketing Cloud employee id
	Email  string // user.email
	Name   string // user.name: the username
	MID    int64  // organization.member_id of the business unit signed in to
	EID    int64  // organization.enterprise_id

	// AuthTime is when Marketing Cloud last authorized the user, and
	// Expires is when the session ends whatever happens, both to the
	// second.
	AuthTime time.Time
	Expires  time.Time

	// AccessToken is the user's Marketing Cloud access token, kept only when
	// the gate forwards it; TokenExpires is when it stops working.
	AccessToken  string
	TokenExpires time.Time
}

// MarshalBinary encodes s. It fails only for fields beyond the limits above.
func (s *Session) MarshalBinary() ([]byte, error) {
	if len(s.Email) > MaxEmailLen || len(s.Name) > MaxNameLen ||
		len(s.UserID) > MaxUserIDLen || len(s.AccessToken) > MaxTokenLen {
		return nil, errors.New("encoding session: field too long")
	}
	if s.MID < 0 || s.EID < 0 {
		return nil, errors.New("encoding session: negative MID or EID")
	}

	w := make(writer, 0, 64+len(s.Email)+len(s.Name)+len(s.UserID)+len(s.AccessToken))
	w = append(w, sessionV1)
	w.time(s.AuthTime)
	w.time(s.Expires)
	w.uint(uint64(s.MID))
	w.uint(uint64(s.EID))
	w.string(s.UserID)
	w.string(s.Email)
	w.string(s.Name)
	w.string(s.AccessToken)
	w.time(s.TokenExpires)
	return w, nil
}

// UnmarshalBinary decodes what MarshalBinary produced; anything else is
// [ErrInvalid].
func (s *Session) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != sessionV1 {
		return ErrInvalid
	}

	r := reader{b: b[1:]}
	var out Session
	out.AuthTime = r.time()
	out.Expires = r.time()
	out.MID = r.int63()
	out.EID = r.int63()
	out.UserID = r.string(MaxUserIDLen)
	out.Email = r.string(MaxEmailLen)
	out.Name = r.string(MaxNameLen)
	out.AccessToken = r.string(MaxTokenLen)
	out.TokenExpires = r.time()
	if !r.done() {
		return ErrInvalid
	}

	*s = out
	return nil
}

func (r *reader) int63() int64 {
	v := r.uint()
	if v > 1<<63-1 {
		r.bad = true
		return 0
	}
	return int64(v)
}

var errTooLong = errors.New("encoding login: field too long")
