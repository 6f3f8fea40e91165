package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
)

// The origin assertion: with ORIGIN_SECRET set, every forwarded request
// carries a short-lived signature over who the user is, when, and which
// page on which host it is for. A CloudPage is public at its own URL; a
// few lines on the page that check the signature (docs/cloudpage-check.md)
// refuse every request that did not come through the gate.
//
// CloudPages offer no HMAC that is documented; AMPscript offers SHA256().
// The signature is therefore SHA-256 over the secret, the payload and the
// secret again. With the secret only in front, SHA-256 would let anyone
// who saw one signature extend its payload and compute a valid signature
// for the longer one (length extension); with the secret also at the end,
// the hash of any extension depends on the secret. The payload's fields
// are on lines of their own, and no field can hold a line break, so no
// two payloads read alike.
const (
	// HeaderGateTime is when the gate forwarded the request, in Unix
	// seconds; the page refuses assertions older than a minute or two.
	HeaderGateTime = "X-Mc-Gate-Time"

	// HeaderGateNonce is 128 random bits, hex, new for every request, so
	// that a page that remembers them can refuse a replay outright.
	HeaderGateNonce = "X-Mc-Gate-Nonce"

	// HeaderGateSignature is the signature, lowercase hex.
	HeaderGateSignature = "X-Mc-Gate-Signature"
)

// AssertionVersion starts every payload, so that a change of construction
// can never be confused with this one.
const AssertionVersion = "cpg1"

// AssertionPayload is the text the signature covers, given the header
// values the gate sends and the host and path of the URL it forwards to.
// The host is lowercase and without a default port; the path is as sent,
// percent-escapes included, without the query. Every field is one line.
func AssertionPayload(unix, nonce, host, path, email, userID, mid, eid string) string {
	return strings.Join([]string{AssertionVersion, unix, nonce, host, path, email, userID, mid, eid}, "\n")
}

// SignAssertion returns the signature of payload under secret: lowercase
// hex of SHA-256(secret "\n" payload "\n" secret).
func SignAssertion(secret []byte, payload string) string {
	h := sha256.New()
	h.Write(secret)
	h.Write([]byte{'\n'})
	io.WriteString(h, payload)
	h.Write([]byte{'\n'})
	h.Write(secret)
	return hex.EncodeToString(h.Sum(nil))
}

// assert adds the assertion to a forward whose identity headers are set.
// It signs the values as the CloudPage receives them.
func (x *exchange) assert(f *Forward) error {
	var n [16]byte
	if _, err := io.ReadFull(x.g.rand, n[:]); err != nil {
		return err
	}
	unix := strconv.FormatInt(x.now().Unix(), 10)
	nonce := hex.EncodeToString(n[:])

	host, path := forwardTarget(f.URL)
	payload := AssertionPayload(unix, nonce, host, path, fieldValue(f.Set, HeaderEmail),
		fieldValue(f.Set, HeaderUserID), fieldValue(f.Set, HeaderMID), fieldValue(f.Set, HeaderEID))
	f.Set = append(f.Set,
		Field{HeaderGateTime, unix},
		Field{HeaderGateNonce, nonce},
		Field{HeaderGateSignature, SignAssertion(x.g.cfg.OriginSecret, payload)})
	return nil
}

// fieldValue returns the value of the named field, or "" if there is none.
func fieldValue(fs []Field, name string) string {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// forwardTarget splits an absolute URL the gate built into the host, as
// browsers compare it, and the escaped path without the query.
func forwardTarget(u string) (host, path string) {
	rest := u[strings.Index(u, "://")+3:]
	scheme := u[:strings.Index(u, "://")]
	host, path = rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return strings.TrimPrefix(origin(scheme, host), scheme+"://"), path
}
