package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
)

// The origin assertion: with ORIGIN_SECRET set, every forwarded request
// carries a short-lived signature over the request as the CloudPage
// receives it (method, host, path and query) and over every identity
// header the gate sets. A CloudPage is public at its own URL; a few lines
// on the page that check the signature (docs/cloudpage-check.md) refuse
// every request that did not come through the gate.
//
// CloudPages offer no HMAC that is documented; AMPscript offers SHA256().
// The signature is therefore SHA-256 over the secret, the payload and the
// secret again. With the secret only in front, SHA-256 would let anyone
// who saw one signature extend its payload and compute a valid signature
// for the longer one (length extension); with the secret also at the end,
// an extended message would have to end with the secret, which only the
// gate and the page know. The payload's fields are on lines of their own,
// and none can hold a line break, so no two payloads read alike.
const (
	// HeaderGateTime is when the gate forwarded the request, in Unix
	// seconds; the page refuses assertions more than a minute off.
	HeaderGateTime = "X-Mc-Gate-Time"

	// HeaderGateNonce is 128 random bits, hex, new for every request, so
	// that a page that remembers them can refuse a replay outright.
	HeaderGateNonce = "X-Mc-Gate-Nonce"

	// HeaderGateSignature is the signature, lowercase hex.
	HeaderGateSignature = "X-Mc-Gate-Signature"
)

// AssertionVersion starts every payload, so that a change of construction
// can never be confused with this one. ("cpg1" signed neither the method,
// the query nor the user's name.)
const AssertionVersion = "cpg2"

// An Assertion is what the gate signs for one forwarded request. Every
// field is a header value or a part of a URL, none of which can hold a
// line break; [Assertion.Sign] refuses one that does.
type Assertion struct {
	Time   string // X-MC-Gate-Time: Unix seconds, decimal
	Nonce  string // X-MC-Gate-Nonce
	Method string // the request method as sent, such as "GET"
	Host   string // the URL's host, lowercase, without the scheme's default port
	Path   string // the URL's path as sent, percent-escapes included
	Query  string // the URL's query as sent, without "?"; "" when there is none

	// The identity headers as sent, each "" when the gate does not send
	// it: all of them on a public path, Token unless FORWARD_ACCESS_TOKEN.
	Email  string // X-MC-User-Email
	Name   string // X-MC-User-Name
	UserID string // X-MC-User-Id
	MID    string // X-MC-MID
	EID    string // X-MC-EID
	Token  string // X-MC-Access-Token
}

// errLineBreak reports a field that would make the payload ambiguous. No
// request the gate forwards has one; it marks a bug, not an attack.
var errLineBreak = errors.New("a signed field holds a line break")

// fields returns a's fields in the order of the payload.
func (a *Assertion) fields() [12]string {
	return [12]string{a.Time, a.Nonce, a.Method, a.Host, a.Path, a.Query,
		a.Email, a.Name, a.UserID, a.MID, a.EID, a.Token}
}

// Payload returns the text the signature covers: AssertionVersion and
// then the fields in the order of [Assertion], thirteen lines joined by
// "\n", with no line break at the end.
func (a *Assertion) Payload() string {
	return string(a.appendPayload(nil))
}

func (a *Assertion) appendPayload(b []byte) []byte {
	b = append(b, AssertionVersion...)
	for _, f := range a.fields() {
		b = append(b, '\n')
		b = append(b, f...)
	}
	return b
}

// Sign returns the signature of a's payload under secret: lowercase hex
// of SHA-256(secret "\n" payload "\n" secret).
func (a *Assertion) Sign(secret []byte) (string, error) {
	n := 2*len(secret) + 2 + len(AssertionVersion)
	for _, f := range a.fields() {
		if strings.IndexByte(f, '\n') >= 0 {
			return "", errLineBreak
		}
		n += 1 + len(f)
	}

	b := make([]byte, 0, n)
	b = append(b, secret...)
	b = append(b, '\n')
	b = a.appendPayload(b)
	b = append(b, '\n')
	b = append(b, secret...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// assert adds the assertion to a forward whose identity headers are set.
// It signs the values as the CloudPage receives them: the method is sent
// unchanged, and the URL is the one the forward fetches.
func (x *exchange) assert(f *Forward) error {
	var n [16]byte
	if _, err := io.ReadFull(x.g.rand, n[:]); err != nil {
		return err
	}
	a := Assertion{
		Time:   strconv.FormatInt(x.now().Unix(), 10),
		Nonce:  hex.EncodeToString(n[:]),
		Method: x.r.Method,
		Email:  fieldValue(f.Set, HeaderEmail),
		Name:   fieldValue(f.Set, HeaderName),
		UserID: fieldValue(f.Set, HeaderUserID),
		MID:    fieldValue(f.Set, HeaderMID),
		EID:    fieldValue(f.Set, HeaderEID),
		Token:  fieldValue(f.Set, HeaderToken),
	}
	a.Host, a.Path, a.Query = forwardTarget(f.URL)
	sig, err := a.Sign(x.g.cfg.OriginSecret)
	if err != nil {
		return err
	}

	f.Set = append(f.Set,
		Field{HeaderGateTime, a.Time},
		Field{HeaderGateNonce, a.Nonce},
		Field{HeaderGateSignature, sig})
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
// browsers compare it, the escaped path, and the query without "?".
func forwardTarget(u string) (host, path, query string) {
	scheme, rest, _ := strings.Cut(u, "://")
	scheme = strings.ToLower(scheme)
	rest, _, _ = strings.Cut(rest, "#")
	rest, query, _ = strings.Cut(rest, "?")
	host, path = rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	return strings.TrimPrefix(origin(scheme, host), scheme+"://"), path, query
}
