package session

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func maxLogin() Login {
	return Login{
		State:   strings.Repeat("s", MaxStateLen),
		Return:  "/" + strings.Repeat("r", MaxReturnLen-1),
		Created: lastSecond,
	}
}

func TestLoginRoundTrip(t *testing.T) {
	typical := Login{
		State:   "q7Xv2Lw9Pk4Rt8Yb3Nm6Hj0Zc5Df1Gs2",
		Return:  "/page?id=1&x=%2F",
		Created: t0,
	}
	tests := []struct {
		name     string
		in, want Login
	}{
		{"zero", Login{}, Login{}},
		{"typical", typical, typical},
		{"every field at its limit", maxLogin(), maxLogin()},
		{"odd bytes", Login{State: "\x00", Return: "\xff\n<>"}, Login{State: "\x00", Return: "\xff\n<>"}},
		{"to the second", Login{Created: t0.Add(time.Second - 1)}, Login{Created: t0}},
		{"before 1970", Login{Created: time.Unix(-100, 0)}, Login{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.in.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary() = %v", err)
			}
			var got Login
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoginMarshalLimits(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Login)
	}{
		{"state", func(l *Login) { l.State += "s" }},
		{"return", func(l *Login) { l.Return += "r" }},
		{"both", func(l *Login) { l.State += "s"; l.Return += "r" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := maxLogin()
			tt.edit(&l)
			if b, err := l.MarshalBinary(); err == nil {
				t.Errorf("MarshalBinary() = %d bytes, nil; want an error", len(b))
			}
		})
	}
}

func TestLoginUnmarshalRefuses(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	ver := []byte{loginV1}
	when := uv(uint64(t0.Unix()))
	if err := new(Login).UnmarshalBinary(cat(ver, when, str("s"), str("/"))); err != nil {
		t.Fatalf("UnmarshalBinary(valid) = %v; the cases below vary it", err)
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"version only", ver},
		{"version 0", cat([]byte{0}, when, str("s"), str("/"))},
		{"version 2", cat([]byte{2}, when, str("s"), str("/"))},
		{"a session", cat([]byte{sessionV1 + 1}, when, str("s"), str("/"))},
		{"trailing byte", cat(ver, when, str("s"), str("/"), []byte{0})},
		{"missing return", cat(ver, when, str("s"))},
		{"state over its limit", cat(ver, when, str(strings.Repeat("s", MaxStateLen+1)), str("/"))},
		{"return over its limit", cat(ver, when, str("s"), str("/"+strings.Repeat("r", MaxReturnLen)))},
		{"length past the end", cat(ver, when, str("s"), lied(5, "/"))},
		{"huge length", cat(ver, when, lied(1<<62, "s"), str("/"))},
		{"non-canonical time", cat(ver, padded(uint64(t0.Unix())), str("s"), str("/"))},
		{"non-canonical length", cat(ver, when, append(padded(1), 's'), str("/"))},
		{"time past year 9999", cat(ver, uv(maxUnix+1), str("s"), str("/"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Login{State: "unchanged"}
			if err := l.UnmarshalBinary(tt.b); err != ErrInvalid {
				t.Errorf("UnmarshalBinary(%x) = %v; want ErrInvalid", tt.b, err)
			}
			if l.State != "unchanged" {
				t.Errorf("UnmarshalBinary(%x) failed but changed the login to %+v", tt.b, l)
			}
		})
	}
}

func TestLoginUnmarshalTruncated(t *testing.T) {
	l := maxLogin()
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if err := new(Login).UnmarshalBinary(b[:n]); err != ErrInvalid {
			t.Errorf("UnmarshalBinary(first %d of %d bytes) = %v; want ErrInvalid", n, len(b), err)
		}
	}
}

func FuzzLoginUnmarshal(f *testing.F) {
	for _, l := range []Login{{}, maxLogin(), {State: "abc", Return: "/x?y", Created: t0}} {
		b, err := l.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var l Login
		if err := l.UnmarshalBinary(b); err != nil {
			if err != ErrInvalid {
				t.Fatalf("UnmarshalBinary(%x) = %v; want ErrInvalid", b, err)
			}
			return
		}
		again, err := l.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("MarshalBinary(UnmarshalBinary(%x)) = %x, %v; want the input", b, again, err)
		}
	})
}
