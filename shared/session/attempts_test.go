package session

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAttemptsRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		in, want Attempts
	}{
		{"zero", Attempts{}, Attempts{}},
		{"typical", Attempts{Since: t0, Count: 3}, Attempts{Since: t0, Count: 3}},
		{"largest", Attempts{Since: lastSecond, Count: 1<<64 - 1}, Attempts{Since: lastSecond, Count: 1<<64 - 1}},
		{"to the second", Attempts{Since: t0.Add(500 * time.Millisecond), Count: 1}, Attempts{Since: t0, Count: 1}},
		{"past year 9999", Attempts{Since: lastSecond.Add(time.Second), Count: 1}, Attempts{Count: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.in.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary() = %v", err)
			}
			var got Attempts
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttemptsUnmarshalRefuses(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	ver := []byte{attemptsV1}
	when := uv(uint64(t0.Unix()))
	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"version only", ver},
		{"version 0", cat([]byte{0}, when, uv(1))},
		{"version 2", cat([]byte{2}, when, uv(1))},
		{"missing count", cat(ver, when)},
		{"trailing byte", cat(ver, when, uv(1), []byte{0})},
		{"non-canonical count", cat(ver, when, padded(1))},
		{"non-canonical zero count", cat(ver, when, []byte{0x80, 0x80, 0x00})},
		{"non-canonical time", cat(ver, padded(uint64(t0.Unix())), uv(1))},
		{"count overflow", cat(ver, when, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})},
		{"time past year 9999", cat(ver, uv(maxUnix+1), uv(1))},
		{"cut varint", cat(ver, when, []byte{0x81})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Attempts{Count: 42}
			if err := a.UnmarshalBinary(tt.b); err != ErrInvalid {
				t.Errorf("UnmarshalBinary(%x) = %v; want ErrInvalid", tt.b, err)
			}
			if a.Count != 42 {
				t.Errorf("UnmarshalBinary(%x) failed but changed the attempts to %+v", tt.b, a)
			}
		})
	}
}

func FuzzAttemptsUnmarshal(f *testing.F) {
	for _, a := range []Attempts{{}, {Since: t0, Count: 2}, {Since: lastSecond, Count: 1<<64 - 1}} {
		b, err := a.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a Attempts
		if err := a.UnmarshalBinary(b); err != nil {
			if err != ErrInvalid {
				t.Fatalf("UnmarshalBinary(%x) = %v; want ErrInvalid", b, err)
			}
			return
		}
		again, err := a.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("MarshalBinary(UnmarshalBinary(%x)) = %x, %v; want the input", b, again, err)
		}
	})
}
