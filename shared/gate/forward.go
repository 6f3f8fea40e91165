package gate

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudpage-gate/gate/shared/session"
)

// Headers the gate sets on forwarded requests to say who is signed in.
// Each is first removed from what the client sent, in every spelling.
const (
	HeaderEmail  = "X-Mc-User-Email"
	HeaderName   = "X-Mc-User-Name"
	HeaderUserID = "X-Mc-User-Id"
	HeaderMID    = "X-Mc-Mid"
	HeaderEID    = "X-Mc-Eid"
	HeaderToken  = "X-Mc-Access-Token"
)

// forward sends the request on to the origin, as the signed-in user or, for a
// public path, as nobody (ident nil). ident is the user's identity fields,
// made once per session (identityFields) and shared, so never modified.
func (x *exchange) forward(ident []Field) *Decision {
	fw := new(forwarding)
	f := &fw.f
	f.URL = x.originURL()
	f.Remove = fw.remove[:0]
	if ident != nil {
		f.Set = ident
		x.clearAttempts()
	}
	x.cleanHeader(f)
	if x.g.cfg.OriginSecret != nil {
		if err := x.assert(f); err != nil {
			return x.internal("signing the origin assertion", err)
		}
	}

	if len(x.set) > 0 {
		f.ResponseHeader = make(http.Header, 1)
		x.addCookies(f.ResponseHeader)
	}
	f.Rewrite = x.g.rewrite(x.r)
	fw.d.Forward = f
	return &fw.d
}

// forwarding holds a forward's Decision, its Forward and room for the
// headers it removes (Host, and at times Cookie or a forged identity
// header), so that all three take one allocation: every request that goes
// through makes one, and in Wasm each allocation shows.
type forwarding struct {
	d      Decision
	f      Forward
	remove [3]string
}

// rewrite is the link rewrite for answers from ORIGIN_URL to a browser
// that reached the gate as r did, or nil when the gate stands in front of
// the CloudPage's own host. It is made once and kept, since every request
// of a deployment asks for the same one.
func (g *Gate) rewrite(r *http.Request) *Rewrite {
	o := g.cfg.Origin
	if o == nil {
		return nil
	}
	if rw := g.rewrites.Load(); rw != nil && isOrigin(rw.To, r.URL.Scheme, r.URL.Host) {
		return rw
	}

	own := requestOrigin(r)
	if rw := g.rewrites.Load(); rw != nil && rw.To == own {
		return rw
	}

	// The origin's links may use either scheme, or none.
	host := strings.ToLower(o.Host)
	base := o.EscapedPath()
	rw := &Rewrite{To: own, From: []string{
		"https://" + host + base, "http://" + host + base, "//" + host + base,
	}}
	g.rewrites.Store(rw)
	return rw
}

// isOrigin reports whether o is scheme://host as it stands, which is how
// the runtime's normalized URLs nearly always compare; others are
// normalized first (requestOrigin).
func isOrigin(o, scheme, host string) bool {
	return len(o) == len(scheme)+3+len(host) && o[:len(scheme)] == scheme &&
		o[len(scheme):len(scheme)+3] == "://" && o[len(scheme)+3:] == host
}

// clearAttempts forgets the loop breaker's count once a session is seen to
// work, so signing out and in again later starts from zero.
func (x *exchange) clearAttempts() {
	if x.jar().hasTries {
		x.set = append(x.set, clearCookie(attemptsCookie))
	}
}

// originURL is where the request goes: the configured origin with the
// request's path and query, or the request's own URL for a Worker route in
// front of the CloudPage's host.
func (x *exchange) originURL() string {
	o := x.g.cfg.Origin
	if o == nil {
		return x.r.URL.String()
	}

	var b strings.Builder
	b.Grow(len(o.Scheme) + len(o.Host) + len(o.Path) + len(x.path) + len(x.r.URL.RawQuery) + 8)
	b.WriteString(o.Scheme)
	b.WriteString("://")
	b.WriteString(o.Host)
	b.WriteString(o.EscapedPath())
	b.WriteString(x.path)
	if x.r.URL.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(x.r.URL.RawQuery)
	}
	return b.String()
}

// cleanHeader removes from the forward what must not reach the origin:
// identity headers the client sent, in any spelling, the gate's own
// cookies, and Host, which the origin's URL decides. Header names are in
// canonical form, as net/http and package wire leave them.
func (x *exchange) cleanHeader(f *Forward) {
	for k, vs := range x.r.Header {
		switch {
		case isIdentityHeader(k), k == "Host":
			f.Remove = append(f.Remove, k)
		case k == "Cookie" && x.jar().any:
			if c := stripGateCookies(vs); c != "" {
				f.Set = append(f.Set, Field{"Cookie", c})
			} else {
				f.Remove = append(f.Remove, k)
			}
		}
	}
}

// isIdentityHeader reports whether a header name is in the X-MC- family in
// any spelling: any case, and "_" for "-", since some servers fold
// underscores into hyphens (oauth2-proxy GHSA-vjrc-mh2v-45x6).
func isIdentityHeader(name string) bool {
	if len(name) < 5 {
		return false
	}
	return (name[0]|0x20) == 'x' && (name[1] == '-' || name[1] == '_') &&
		(name[2]|0x20) == 'm' && (name[3]|0x20) == 'c' && (name[4] == '-' || name[4] == '_')
}

// stripGateCookies joins the request's cookies without the gate's own, so
// the origin never sees a session cookie it could leak.
func stripGateCookies(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			name, _, _ := strings.Cut(part, "=")
			if part == "" || isGateCookie(name) {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(part)
		}
	}
	return b.String()
}

// identityFields returns the headers that tell the origin who s is, with
// the access token when token is set and s holds one. The list is made
// once per opened session and shared by all its requests; its capacity
// is its length, so that a forward appending to it gets a copy.
func identityFields(s *session.Session, token bool) []Field {
	ident := []Field{
		{HeaderEmail, headerValue(s.Email)},
		{HeaderName, headerValue(s.Name)},
		{HeaderUserID, headerValue(s.UserID)},
		{HeaderMID, strconv.FormatInt(s.MID, 10)},
		{HeaderEID, strconv.FormatInt(s.EID, 10)},
	}
	if token && s.AccessToken != "" {
		ident = append(ident, Field{HeaderToken, s.AccessToken})
	}
	return ident[:len(ident):len(ident)]
}

// headerValue makes text safe for a header: bytes outside printable ASCII,
// "%" itself, and a space at either end are percent-encoded, so a name
// such as "Zoë" arrives as "Zo%C3%AB" and decodes back exactly. Printable
// ASCII, every email address in practice, passes unchanged. The spaces at
// the ends must be encoded because fetch and HTTP servers trim them (RFC
// 9110 §5.5): the CloudPage would read another value than the one the
// origin assertion signed.
func headerValue(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if mustEscape(s, i) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}

	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mustEscape(s, i) {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func mustEscape(s string, i int) bool {
	c := s[i]
	return c < ' ' || c > '~' || c == '%' || c == ' ' && (i == 0 || i == len(s)-1)
}
