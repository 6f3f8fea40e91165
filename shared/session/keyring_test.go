package session

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

var (
	keyA = bytes.Repeat([]byte{0xa1}, KeySize)
	keyB = bytes.Repeat([]byte{0xb2}, KeySize)
)

// counter is a deterministic nonce source: it yields 0, 1, 2, … from n.
type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.n
		c.n++
	}
	return len(p), nil
}

func ring(t testing.TB, keys ...[]byte) *Keyring {
	t.Helper()
	kr, err := NewKeyring(keys, &counter{})
	if err != nil {
		t.Fatalf("NewKeyring() = %v", err)
	}
	return kr
}

func seal(t testing.TB, kr *Keyring, name string, plain []byte) string {
	t.Helper()
	v, err := kr.Seal(name, plain)
	if err != nil {
		t.Fatalf("Seal(%q, %d bytes) = %v", name, len(plain), err)
	}
	return v
}

func TestSealOpen(t *testing.T) {
	tests := []struct {
		name  string
		plain []byte
	}{
		{"__Host-cpg", []byte("hello")},
		{"", []byte("empty name")},
		{"__Host-cpg-login-abc", nil},
		{"x", []byte{}},
		{"binary", []byte{0, 0xff, 0, '\n', 0x80}},
		{"long", bytes.Repeat([]byte("0123456789"), 200)},
	}
	kr := ring(t, keyA, keyB)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := seal(t, kr, tt.name, tt.plain)
			if n := base64.RawURLEncoding.EncodedLen(header + len(tt.plain) + tagSize); len(v) != n {
				t.Errorf("len(Seal()) = %d; want %d", len(v), n)
			}
			if i := strings.IndexFunc(v, notBase64URL); i >= 0 {
				t.Errorf("Seal() = %q; holds %q, not a base64url character", v, v[i])
			}

			got, err := kr.Open(tt.name, v)
			if err != nil || !bytes.Equal(got, tt.plain) {
				t.Errorf("Open(Seal(%q)) = %q, %v; want %q, nil", tt.plain, got, err, tt.plain)
			}
		})
	}
}

func notBase64URL(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

func TestOpenTamperedBytes(t *testing.T) {
	kr := ring(t, keyA)
	v := seal(t, kr, "c", []byte("some session payload"))
	buf, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}

	for i := range buf {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(buf)
			b[i] ^= mask
			if got, err := kr.Open("c", base64.RawURLEncoding.EncodeToString(b)); err != ErrInvalid {
				t.Errorf("Open(value with byte %d ^ %#x) = %q, %v; want ErrInvalid", i, mask, got, err)
			}
		}
	}
}

// TestOpenTamperedText changes every character of the text form to every
// other character, so that the unused low bits of the last character are
// covered as well as the bytes.
func TestOpenTamperedText(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.~ \n\r\x00"
	kr := ring(t, keyA)
	// 20 bytes of plaintext make 53 bytes sealed, whose last character
	// carries 4 unused bits; 21 make 54, with 2 unused bits.
	for _, plain := range []string{"20 bytes of payload.", "21 bytes of payload.."} {
		v := seal(t, kr, "c", []byte(plain))
		for i := range len(v) {
			for _, c := range []byte(alphabet) {
				if c == v[i] {
					continue
				}
				w := v[:i] + string(c) + v[i+1:]
				if got, err := kr.Open("c", w); err != ErrInvalid {
					t.Errorf("Open(value with %q at %d) = %q, %v; want ErrInvalid", c, i, got, err)
				}
			}
		}
	}
}

func TestOpenMangled(t *testing.T) {
	kr := ring(t, keyA)
	v := seal(t, kr, "c", []byte("payload"))
	tests := []struct {
		name, value string
	}{
		{"empty", ""},
		{"newline inside", v[:10] + "\n" + v[10:]},
		{"CRLF inside", v[:10] + "\r\n" + v[10:]},
		{"trailing newline", v + "\n"},
		{"leading space", " " + v},
		{"padded", v + "=="},
		{"one more character", v + "A"},
		{"doubled", v + v},
		{"standard alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(v) + "+/"},
		{"quoted", `"` + v + `"`},
		{"only the header", v[:base64.RawURLEncoding.EncodedLen(header)]},
		{"header and tag, no ciphertext", v[:base64.RawURLEncoding.EncodedLen(header+tagSize)]},
		{"too long", strings.Repeat("A", MaxSealedLen+1)},
		{"far too long", strings.Repeat("A", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := kr.Open("c", tt.value); err != ErrInvalid {
				t.Errorf("Open(%.40q) = %q, %v; want ErrInvalid", tt.value, got, err)
			}
		})
	}
}

func TestOpenTruncated(t *testing.T) {
	kr := ring(t, keyA)
	v := seal(t, kr, "c", []byte("payload"))
	for n := range len(v) {
		if got, err := kr.Open("c", v[:n]); err != ErrInvalid {
			t.Errorf("Open(first %d of %d characters) = %q, %v; want ErrInvalid", n, len(v), got, err)
		}
	}
}

// TestOpenWrongName checks that the cookie name is bound in: a value
// moved to another cookie never opens.
func TestOpenWrongName(t *testing.T) {
	kr := ring(t, keyA)
	tests := []struct {
		sealed, opened string
	}{
		{"__Host-cpg-login-abc", "__Host-cpg"},
		{"__Host-cpg", "__Host-cpg-login-abc"},
		{"__Host-cpg", "__host-cpg"},
		{"__Host-cpg", "__Host-cpg "},
		{"__Host-cpg", "__Host-cpg\x00"},
		{"__Host-cpg", ""},
		{"", "__Host-cpg"},
	}
	for _, tt := range tests {
		v := seal(t, kr, tt.sealed, []byte("payload"))
		if got, err := kr.Open(tt.opened, v); err != ErrInvalid {
			t.Errorf("Open(%q, value sealed for %q) = %q, %v; want ErrInvalid", tt.opened, tt.sealed, got, err)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	a, b := ring(t, keyA), ring(t, keyB)
	ba, aTwice := ring(t, keyB, keyA), ring(t, keyA, keyA)

	underA := seal(t, a, "c", []byte("old"))
	if got, err := ba.Open("c", underA); err != nil || string(got) != "old" {
		t.Errorf("[B, A].Open(sealed by A) = %q, %v; want %q, nil", got, err, "old")
	}
	if got, err := aTwice.Open("c", underA); err != nil || string(got) != "old" {
		t.Errorf("[A, A].Open(sealed by A) = %q, %v; want %q, nil", got, err, "old")
	}
	if got, err := b.Open("c", underA); err != ErrInvalid {
		t.Errorf("[B].Open(sealed by A) = %q, %v; want ErrInvalid", got, err)
	}

	// The first key seals.
	underBA := seal(t, ba, "c", []byte("new"))
	if got, err := b.Open("c", underBA); err != nil || string(got) != "new" {
		t.Errorf("[B].Open(sealed by [B, A]) = %q, %v; want %q, nil", got, err, "new")
	}
	if got, err := a.Open("c", underBA); err != ErrInvalid {
		t.Errorf("[A].Open(sealed by [B, A]) = %q, %v; want ErrInvalid", got, err)
	}
}

// TestKeyIDCollision checks that a value whose key id matches a key of the
// ring but which that key did not seal is refused, not opened by another.
func TestKeyIDCollision(t *testing.T) {
	a := ring(t, keyA)
	v := seal(t, ring(t, keyB), "c", []byte("payload"))
	buf, _ := base64.RawURLEncoding.DecodeString(v)
	copy(buf[1:1+idSize], a.keys[0].id[:])
	if got, err := a.Open("c", base64.RawURLEncoding.EncodeToString(buf)); err != ErrInvalid {
		t.Errorf("Open(value sealed by B under A's id) = %q, %v; want ErrInvalid", got, err)
	}
}

func TestNewKeyringCopiesKeys(t *testing.T) {
	k := bytes.Clone(keyA)
	keys := [][]byte{k}
	kr := ring(t, keys...)
	before := seal(t, kr, "c", []byte("payload"))

	for i := range k {
		k[i] = 0
	}
	keys[0] = keyB

	if got, err := kr.Open("c", before); err != nil || string(got) != "payload" {
		t.Errorf("Open() after the caller changed the key = %q, %v; want %q, nil", got, err, "payload")
	}
	after := seal(t, kr, "c", []byte("later"))
	if got, err := ring(t, keyA).Open("c", after); err != nil || string(got) != "later" {
		t.Errorf("[A].Open(sealed after the caller changed the key) = %q, %v; want %q, nil", got, err, "later")
	}
}

func TestNewKeyringRefuses(t *testing.T) {
	tests := []struct {
		name string
		keys [][]byte
		want string // in the error
	}{
		{"nil", nil, "no keys"},
		{"empty", [][]byte{}, "no keys"},
		{"nil key", [][]byte{nil}, "key 1 has 0 bytes"},
		{"16 bytes", [][]byte{keyA[:16]}, "key 1 has 16 bytes, want 32"},
		{"24 bytes", [][]byte{keyA[:24]}, "key 1 has 24 bytes"},
		{"31 bytes", [][]byte{keyA[:31]}, "key 1 has 31 bytes"},
		{"33 bytes", [][]byte{append(bytes.Clone(keyA), 0)}, "key 1 has 33 bytes"},
		{"64 bytes", [][]byte{append(bytes.Clone(keyA), keyB...)}, "key 1 has 64 bytes"},
		{"second key short", [][]byte{keyA, keyB[:31]}, "key 2 has 31 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := NewKeyring(tt.keys, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewKeyring() = %v, %v; want an error containing %q", kr, err, tt.want)
			}
			if kr != nil {
				t.Errorf("NewKeyring() = %v, %v; want a nil ring with the error", kr, err)
			}
			if strings.Contains(err.Error(), "\xa1\xa1") || strings.Contains(err.Error(), "oaGh") {
				t.Errorf("NewKeyring() error %q shows key material", err)
			}
		})
	}
}

// maxPlain is the longest plaintext whose sealed text fits MaxSealedLen.
const maxPlain = MaxSealedLen*3/4 - header - tagSize

func TestSealLimit(t *testing.T) {
	kr := ring(t, keyA)
	v := seal(t, kr, "c", make([]byte, maxPlain))
	if len(v) > MaxSealedLen {
		t.Fatalf("len(Seal(%d bytes)) = %d; want at most %d", maxPlain, len(v), MaxSealedLen)
	}
	if got, err := kr.Open("c", v); err != nil || len(got) != maxPlain {
		t.Errorf("Open(Seal(%d bytes)) = %d bytes, %v; want %d, nil", maxPlain, len(got), err, maxPlain)
	}

	for _, n := range []int{maxPlain + 1, maxPlain + 2, 1 << 16} {
		v, err := kr.Seal("c", make([]byte, n))
		if err == nil {
			t.Errorf("Seal(%d bytes) = %d characters, nil; want an error", n, len(v))
		}
	}
}

func TestSealDeterministicRand(t *testing.T) {
	kr1, kr2 := ring(t, keyA), ring(t, keyA)
	v1, v2 := seal(t, kr1, "c", []byte("payload")), seal(t, kr2, "c", []byte("payload"))
	if v1 != v2 {
		t.Errorf("Seal() with the same nonces = %q and %q; want equal", v1, v2)
	}

	// The nonce is the next 12 bytes the reader gives.
	buf, _ := base64.RawURLEncoding.DecodeString(v1)
	want := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if got := buf[1+idSize : header]; !bytes.Equal(got, want) {
		t.Errorf("nonce = %v; want %v", got, want)
	}
	if v3 := seal(t, kr1, "c", []byte("payload")); v3 == v1 {
		t.Errorf("Seal() twice = %q both times; want the second nonce used", v1)
	}
}

func TestWithRand(t *testing.T) {
	kr := ring(t, keyA, keyB)
	other := kr.WithRand(&counter{n: 100})

	buf, _ := base64.RawURLEncoding.DecodeString(seal(t, other, "c", []byte("payload")))
	if got := buf[1+idSize]; got != 100 {
		t.Errorf("first nonce byte from WithRand's reader = %d; want 100", got)
	}
	buf, _ = base64.RawURLEncoding.DecodeString(seal(t, kr, "c", []byte("payload")))
	if got := buf[1+idSize]; got != 0 {
		t.Errorf("first nonce byte from the original ring = %d; want 0 (its own reader)", got)
	}

	// Both rings hold the same keys: each opens what the other sealed.
	for _, pair := range [][2]*Keyring{{kr, other}, {other, kr}} {
		v := seal(t, pair[0], "c", []byte("payload"))
		if got, err := pair[1].Open("c", v); err != nil || string(got) != "payload" {
			t.Errorf("Open() of the other ring's value = %q, %v; want %q", got, err, "payload")
		}
	}
}

func TestSealCryptoRand(t *testing.T) {
	kr, err := NewKeyring([][]byte{keyA}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := seal(t, kr, "c", []byte("payload")), seal(t, kr, "c", []byte("payload"))
	if v1 == v2 {
		t.Errorf("Seal() twice with crypto/rand = %q both times; want different nonces", v1)
	}
}

func TestSealRandFails(t *testing.T) {
	tests := []struct {
		name string
		rand *failing
	}{
		{"error at once", &failing{}},
		{"short then error", &failing{give: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := NewKeyring([][]byte{keyA}, tt.rand)
			if err != nil {
				t.Fatal(err)
			}
			v, err := kr.Seal("c", []byte("secret payload"))
			if err == nil || v != "" {
				t.Fatalf("Seal() = %q, %v; want \"\", an error", v, err)
			}
			if strings.Contains(err.Error(), "secret payload") {
				t.Errorf("Seal() error %q shows the plaintext", err)
			}
		})
	}

	kr, _ := NewKeyring([][]byte{keyA}, iotest.ErrReader(errors.New("no entropy")))
	if v, err := kr.Seal("c", nil); err == nil {
		t.Errorf("Seal() with a failing reader = %q, nil; want an error", v)
	}
}

// failing gives give bytes, then fails.
type failing struct{ give int }

func (f *failing) Read(p []byte) (int, error) {
	if f.give == 0 {
		return 0, errors.New("no entropy")
	}
	n := min(len(p), f.give)
	f.give -= n
	return n, nil
}

// TestKeyringConcurrent has many goroutines seal and open at once, for the
// race detector.
func TestKeyringConcurrent(t *testing.T) {
	kr, err := NewKeyring([][]byte{keyA, keyB}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			v, err := kr.Seal("c", []byte("payload"))
			if err == nil {
				_, err = kr.Open("c", v)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Seal/Open in parallel = %v; want nil", err)
		}
	}
}

// fuzzSealed returns values sealed for FuzzOpen and their plaintexts,
// under the fuzz ring with deterministic nonces.
func fuzzSealed(t testing.TB) (*Keyring, map[string]string) {
	kr := ring(t, keyB, keyA)
	old := ring(t, keyA)
	sealed := map[string]string{}
	for _, p := range []string{"", "a", "payload", strings.Repeat("x", 100)} {
		sealed[seal(t, kr, "c", []byte(p))] = p
		sealed[seal(t, old, "c", []byte(p))] = p
	}
	return kr, sealed
}

func FuzzOpen(f *testing.F) {
	kr, sealed := fuzzSealed(f)
	for v := range sealed {
		f.Add(v)
		f.Add(v + "A")
		f.Add(v[:len(v)-1])
	}
	f.Fuzz(func(t *testing.T, value string) {
		got, err := kr.Open("c", value)
		if err != nil {
			if err != ErrInvalid {
				t.Fatalf("Open(%q) = %v; want ErrInvalid", value, err)
			}
			return
		}
		want, ok := sealed[value]
		if !ok {
			t.Fatalf("Open(%q) = %q, nil; want ErrInvalid for a value the test did not seal", value, got)
		}
		if string(got) != want {
			t.Fatalf("Open(%q) = %q; want %q", value, got, want)
		}
	})
}
