package session

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	t0 = time.Date(2026, 4, 1, 9, 30, 15, 0, time.UTC)
	// lastSecond is the latest time the wire form keeps.
	lastSecond = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// maxSession has every field at its limit.
func maxSession() Session {
	return Session{
		UserID:       strings.Repeat("7", MaxUserIDLen),
		Email:        strings.Repeat("e", MaxEmailLen-len("@example.com")) + "@example.com",
		Name:         strings.Repeat("n", MaxNameLen),
		MID:          1<<63 - 1,
		EID:          1<<63 - 1,
		AuthTime:     lastSecond,
		Expires:      lastSecond,
		AccessToken:  strings.Repeat("t", MaxTokenLen),
		TokenExpires: lastSecond,
	}
}

func TestSessionRoundTrip(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*60*60)
	typical := Session{
		UserID: "700123456", Email: "ann@example.com", Name: "ann.admin",
		MID: 510000123, EID: 510000001, AuthTime: t0, Expires: t0.Add(8 * time.Hour),
	}
	withToken := Session{
		UserID: "1", Email: "a@b.c", Name: "a", MID: 1, EID: 2,
		AuthTime: t0, Expires: t0.Add(time.Hour),
		AccessToken: "eyJhbGciOiJIUzI1NiJ9.x.y", TokenExpires: t0.Add(20 * time.Minute),
	}
	odd := Session{UserID: "\x00\xff", Email: "é@ü.de", Name: "<script>\"'\n", AccessToken: "\xc3"}
	tests := []struct {
		name     string
		in, want Session
	}{
		{"zero", Session{}, Session{}},
		{"typical", typical, typical},
		{"with token", withToken, withToken},
		{"every field at its limit", maxSession(), maxSession()},
		{"odd bytes", odd, odd},
		{"times to the second", Session{
			AuthTime: t0.Add(999 * time.Millisecond), Expires: t0.Add(time.Nanosecond),
			TokenExpires: t0.Add(-time.Nanosecond),
		}, Session{
			AuthTime: t0, Expires: t0, TokenExpires: t0.Add(-time.Second),
		}},
		{"time zone does not matter", Session{AuthTime: t0.In(berlin)}, Session{AuthTime: t0}},
		{"first second", Session{AuthTime: time.Unix(1, 0)}, Session{AuthTime: time.Unix(1, 0)}},
		{"times out of range read back as zero", Session{
			AuthTime: time.Unix(0, 0), Expires: time.Unix(-1, 0), TokenExpires: lastSecond.Add(time.Second),
		}, Session{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.in.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary() = %v", err)
			}
			var got Session
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}

			// The decoded value encodes to the same bytes.
			again, err := got.MarshalBinary()
			if err != nil || !bytes.Equal(again, b) {
				t.Errorf("MarshalBinary(UnmarshalBinary(b)) = %x, %v; want %x", again, err, b)
			}
		})
	}
}

func TestSessionMarshalLimits(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Session)
	}{
		{"user id", func(s *Session) { s.UserID += "7" }},
		{"email", func(s *Session) { s.Email = "e" + s.Email }},
		{"name", func(s *Session) { s.Name += "n" }},
		{"token", func(s *Session) { s.AccessToken += "t" }},
		{"negative MID", func(s *Session) { s.MID = -1 }},
		{"negative EID", func(s *Session) { s.EID = -1 << 63 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := maxSession()
			tt.edit(&s)
			if b, err := s.MarshalBinary(); err == nil {
				t.Errorf("MarshalBinary() = %d bytes, nil; want an error", len(b))
			}
		})
	}
}

// sessionBytes encodes a session field by field, so that a test can write
// what MarshalBinary never would.
type sessionBytes struct {
	version                              byte
	authTime, expires, mid, eid          []byte
	userID, email, name, token, tokenExp []byte
	trailing                             []byte
}

func validSessionBytes() sessionBytes {
	return sessionBytes{
		version:  sessionV1,
		authTime: uv(uint64(t0.Unix())),
		expires:  uv(uint64(t0.Unix() + 3600)),
		mid:      uv(510000123),
		eid:      uv(510000001),
		userID:   str("700123456"),
		email:    str("ann@example.com"),
		name:     str("ann"),
		token:    str(""),
		tokenExp: uv(0),
	}
}

func (sb sessionBytes) bytes() []byte {
	b := []byte{sb.version}
	for _, p := range [][]byte{sb.authTime, sb.expires, sb.mid, sb.eid, sb.userID, sb.email,
		sb.name, sb.token, sb.tokenExp, sb.trailing} {
		b = append(b, p...)
	}
	return b
}

func uv(v uint64) []byte {
	var w writer
	w.uint(v)
	return w
}

// str encodes s with its length prefix.
func str(s string) []byte {
	var w writer
	w.string(s)
	return w
}

// padded encodes v as a varint one byte longer than it need be.
func padded(v uint64) []byte {
	b := uv(v)
	b[len(b)-1] |= 0x80
	return append(b, 0)
}

// lied encodes s behind a length prefix of n.
func lied(n uint64, s string) []byte { return append(uv(n), s...) }

func TestSessionUnmarshalRefuses(t *testing.T) {
	if err := new(Session).UnmarshalBinary(validSessionBytes().bytes()); err != nil {
		t.Fatalf("UnmarshalBinary(valid) = %v; the cases below start from it", err)
	}
	tests := []struct {
		name string
		edit func(*sessionBytes)
	}{
		{"version 0", func(sb *sessionBytes) { sb.version = 0 }},
		{"version 2", func(sb *sessionBytes) { sb.version = 2 }},
		{"trailing byte", func(sb *sessionBytes) { sb.trailing = []byte{0} }},
		{"trailing bytes", func(sb *sessionBytes) { sb.trailing = []byte("more") }},
		{"user id over its limit", func(sb *sessionBytes) {
			sb.userID = str(strings.Repeat("7", MaxUserIDLen+1))
		}},
		{"email over its limit", func(sb *sessionBytes) { sb.email = str(strings.Repeat("e", MaxEmailLen+1)) }},
		{"name over its limit", func(sb *sessionBytes) { sb.name = str(strings.Repeat("n", MaxNameLen+1)) }},
		{"token over its limit", func(sb *sessionBytes) { sb.token = str(strings.Repeat("t", MaxTokenLen+1)) }},
		{"length past the end", func(sb *sessionBytes) { sb.tokenExp = nil; sb.token = lied(10, "short") }},
		{"huge length", func(sb *sessionBytes) { sb.userID = lied(1<<63, "x") }},
		{"largest length", func(sb *sessionBytes) { sb.userID = lied(1<<64-1, "x") }},
		{"non-canonical zero", func(sb *sessionBytes) { sb.tokenExp = []byte{0x80, 0x00} }},
		{"non-canonical time", func(sb *sessionBytes) { sb.authTime = padded(uint64(t0.Unix())) }},
		{"non-canonical length", func(sb *sessionBytes) { sb.name = append(padded(3), "ann"...) }},
		{"non-canonical MID", func(sb *sessionBytes) { sb.mid = padded(510000123) }},
		{"non-canonical EID", func(sb *sessionBytes) { sb.eid = []byte{0x81, 0x80, 0x80, 0x00} }},
		{"varint overflow", func(sb *sessionBytes) {
			sb.mid = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
		}},
		{"varint of 11 bytes", func(sb *sessionBytes) {
			sb.mid = []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}
		}},
		{"MID above int64", func(sb *sessionBytes) { sb.mid = uv(1 << 63) }},
		{"EID above int64", func(sb *sessionBytes) { sb.eid = uv(1<<64 - 1) }},
		{"time past year 9999", func(sb *sessionBytes) { sb.expires = uv(maxUnix + 1) }},
		{"token expiry past year 9999", func(sb *sessionBytes) { sb.tokenExp = uv(1<<64 - 1) }},
		{"cut varint", func(sb *sessionBytes) { sb.tokenExp = []byte{0x80} }},
		{"missing last field", func(sb *sessionBytes) { sb.tokenExp = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := validSessionBytes()
			tt.edit(&sb)
			b := sb.bytes()
			s := Session{UserID: "unchanged"}
			if err := s.UnmarshalBinary(b); err != ErrInvalid {
				t.Errorf("UnmarshalBinary(%x) = %v; want ErrInvalid", b, err)
			}
			if s.UserID != "unchanged" {
				t.Errorf("UnmarshalBinary(%x) failed but changed the session to %+v", b, s)
			}
		})
	}
}

func TestSessionUnmarshalTruncated(t *testing.T) {
	s := maxSession()
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if err := new(Session).UnmarshalBinary(b[:n]); err != ErrInvalid {
			t.Errorf("UnmarshalBinary(first %d of %d bytes) = %v; want ErrInvalid", n, len(b), err)
		}
	}
}

// TestSessionCookieSize checks the size budget that session.go promises: a
// session without a token stays well under 1 KB of cookie value, and one
// with a Marketing Cloud token (at most 512 characters) fits in a 4 KB
// Set-Cookie header.
func TestSessionCookieSize(t *testing.T) {
	const name = "__Host-cpg"
	const attrs = "; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax"
	kr := ring(t, keyA, keyB)

	realistic := Session{
		UserID:   "710004567",
		Email:    "firstname.middlename.lastname@marketing.subsidiary.example-corporation.com",
		Name:     "firstname.middlename.lastname@marketing.subsidiary.example-corporation.com",
		MID:      510001234,
		EID:      510000001,
		AuthTime: t0,
		Expires:  t0.Add(30 * 24 * time.Hour),
	}
	longest := maxSession()
	longest.AccessToken = ""
	withToken := longest
	withToken.AccessToken = strings.Repeat("T", 512)

	tests := []struct {
		name string
		s    Session
		max  int // of the cookie value alone
		set  int // of the whole Set-Cookie value; 0 for no check
	}{
		{"realistic, no token", realistic, 400, 0},
		{"longest fields, no token", longest, 1024, 0},
		{"longest fields, 512-character token", withToken, 0, 4096},
		{"longest fields, longest token", maxSession(), MaxSealedLen, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			v := seal(t, kr, name, b)
			if tt.max > 0 && len(v) > tt.max {
				t.Errorf("len(sealed session) = %d; want at most %d", len(v), tt.max)
			}
			if set := name + "=" + v + attrs; tt.set > 0 && len(set) > tt.set {
				t.Errorf("len(Set-Cookie) = %d; want at most %d", len(set), tt.set)
			}
			if _, err := kr.Open(name, v); err != nil {
				t.Errorf("Open(sealed session) = %v; want nil", err)
			}
		})
	}
}

func FuzzSessionUnmarshal(f *testing.F) {
	for _, s := range []Session{{}, maxSession(), {UserID: "1", Email: "a@b.c", AuthTime: t0}} {
		b, err := s.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(validSessionBytes().bytes())
	f.Add([]byte{sessionV1, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Session
		if err := s.UnmarshalBinary(b); err != nil {
			if err != ErrInvalid {
				t.Fatalf("UnmarshalBinary(%x) = %v; want ErrInvalid", b, err)
			}
			return
		}
		again, err := s.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("MarshalBinary(UnmarshalBinary(%x)) = %x, %v; want the input", b, again, err)
		}
	})
}
