package session

import (
	"encoding/binary"
	"testing"
	"time"
)

func TestUvarintLen(t *testing.T) {
	vals := []uint64{0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 1<<21 - 1, 1 << 21, maxUnix, 1<<63 - 1, 1 << 63, 1<<64 - 1}
	for shift := range 64 {
		vals = append(vals, 1<<shift, 1<<shift-1)
	}
	var buf [binary.MaxVarintLen64]byte
	for _, v := range vals {
		if got, want := uvarintLen(v), binary.PutUvarint(buf[:], v); got != want {
			t.Errorf("uvarintLen(%d) = %d; want %d", v, got, want)
		}
	}
}

func TestWriterTime(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want uint64
	}{
		{"zero", time.Time{}, 0},
		{"epoch", time.Unix(0, 0), 0},
		{"before the epoch", time.Unix(-1, 0), 0},
		{"first second", time.Unix(1, 0), 1},
		{"fraction dropped", time.Unix(100, 999999999), 100},
		{"last second", lastSecond, maxUnix},
		{"past the last second", lastSecond.Add(time.Second), 0},
		{"far future", time.Unix(1<<62, 0), 0},
	}
	for _, tt := range tests {
		var w writer
		w.time(tt.t)
		if got, n := binary.Uvarint(w); got != tt.want || n != len(w) {
			t.Errorf("time(%v) wrote %x; want the varint of %d", tt.t, []byte(w), tt.want)
		}
	}
}

// TestReaderStaysBad checks that a reader that has failed keeps failing,
// even if later fields would read well.
func TestReaderStaysBad(t *testing.T) {
	r := reader{b: []byte{0x05, 'a', 0x00}}
	if s := r.string(2); s != "" || !r.bad {
		t.Fatalf("string(2) of a 5-byte string = %q, bad %v; want \"\", true", s, r.bad)
	}
	r.uint()
	if r.done() {
		t.Errorf("done() = true after a failed read; want false")
	}
}
