package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// KeySize is the length in bytes of every session key.
const KeySize = 32

// ErrInvalid reports a sealed value that cannot be opened: tampered with,
// truncated, sealed under another cookie name, or sealed by a key that is no
// longer in the ring. Callers treat it as "no cookie" and sign the user in
// again; it never means the gate is broken.
var ErrInvalid = errors.New("sealed value is invalid")

const (
	formatV1  = 1
	idSize    = 4
	nonceSize = 12
	tagSize   = 16
	header    = 1 + idSize + nonceSize
)

// MaxSealedLen is the longest sealed value [Keyring.Open] considers, in
// bytes of its text form. Browsers keep at most about 4 KB per cookie, so
// anything longer was not set by the gate and is refused before decoding;
// [Keyring.Seal] refuses to produce one.
const MaxSealedLen = 4096

// encoding is strict so that each sealed value has exactly one text form:
// lenient base64 ignores the unused low bits of the last character, so a
// value changed there would still open.
var encoding = base64.RawURLEncoding.Strict()

// Keyring seals and opens cookie values. The first key seals; every key
// opens, so a new key can be put first while the old one still opens the
// cookies already issued. A Keyring is safe for concurrent use.
type Keyring struct {
	keys []key
	rand io.Reader
}

type key struct {
	id   [idSize]byte
	aead cipher.AEAD
}

// NewKeyring returns a ring of the given keys, each [KeySize] bytes. The
// keys are copied. rand supplies nonces; nil means crypto/rand.
func NewKeyring(keys [][]byte, rand io.Reader) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("creating keyring: no keys")
	}

	kr := &Keyring{rand: rand}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("creating keyring: key %d has %d bytes, want %d", i+1, len(k), KeySize)
		}

		kk, err := newKey(k)
		if err != nil {
			return nil, fmt.Errorf("creating keyring: key %d: %v", i+1, err)
		}
		kr.keys = append(kr.keys, kk)
	}
	return kr, nil
}

func newKey(k []byte) (key, error) {
	block, err := aes.NewCipher(append([]byte(nil), k...))
	if err != nil {
		return key{}, err
	}

	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}

	// The id names the key without revealing it: a hash under a fixed
	// label, so it cannot be confused with any other use of the key.
	sum := sha256.Sum256(append([]byte("cloudpage-gate key id\x00"), k...))
	kk := key{aead: aead}
	copy(kk.id[:], sum[:idSize])
	return kk, nil
}

// Seal encrypts plaintext for the cookie called name and returns the cookie
// value, base64url without padding. A value longer than [MaxSealedLen]
// would never open, so it is an error.
func (kr *Keyring) Seal(name string, plaintext []byte) (string, error) {
	if encoding.EncodedLen(header+len(plaintext)+tagSize) > MaxSealedLen {
		return "", fmt.Errorf("sealing %s: %d bytes is too long for a cookie", name, len(plaintext))
	}

	k := kr.keys[0]
	buf := make([]byte, header, header+len(plaintext)+tagSize)
	buf[0] = formatV1
	copy(buf[1:], k.id[:])

	r := kr.rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, buf[1+idSize:header]); err != nil {
		return "", fmt.Errorf("sealing %s: reading nonce: %v", name, err)
	}

	buf = k.aead.Seal(buf, buf[1+idSize:header], plaintext, additional(buf[:1+idSize], name))
	return encoding.EncodeToString(buf), nil
}

// Open decrypts a value sealed by Seal under the same name with any key of
// the ring. Every failure is [ErrInvalid].
func (kr *Keyring) Open(name, value string) ([]byte, error) {
	if len(value) > MaxSealedLen {
		return nil, ErrInvalid
	}

	// The decoder skips "\r" and "\n" even in strict mode; the length check
	// refuses them.
	buf, err := encoding.DecodeString(value)
	if err != nil || encoding.EncodedLen(len(buf)) != len(value) ||
		len(buf) < header+tagSize || buf[0] != formatV1 {
		return nil, ErrInvalid
	}

	ad := additional(buf[:1+idSize], name)
	for _, k := range kr.keys {
		if [idSize]byte(buf[1:1+idSize]) != k.id {
			continue
		}

		plain, err := k.aead.Open(nil, buf[1+idSize:header], buf[header:], ad)
		if err == nil {
			return plain, nil
		}
	}
	return nil, ErrInvalid
}

// WithRand returns a ring of the same keys that takes its nonces from r;
// nil means crypto/rand. kr is unchanged.
func (kr *Keyring) WithRand(r io.Reader) *Keyring {
	return &Keyring{keys: kr.keys, rand: r}
}

// additional binds the format, key id and cookie name into the tag.
func additional(prefix []byte, name string) []byte {
	ad := make([]byte, 0, len(prefix)+len(name))
	return append(append(ad, prefix...), name...)
}
