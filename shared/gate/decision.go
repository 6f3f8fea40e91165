package gate

import (
	"net/http"
	"strings"

	"github.com/cloudpage-gate/gate/shared/jsonw"
	"github.com/cloudpage-gate/gate/shared/page"
)

// Decision is what the gate decided for one request: either an answer of
// its own (Forward is nil) or a forward to the origin.
type Decision struct {
	Status int
	Header http.Header
	Body   string

	// Forward, when set, sends the request on; Status, Header and Body are
	// then unused.
	Forward *Forward
}

// Forward tells the host how to send a request on to the origin. The
// request's method and body go unchanged and unread; its header goes with
// the changes below; the origin's answer,
// redirects included, goes back as it is, with ResponseHeader added.
//
// The changes are given rather than the whole header so that the host,
// which holds the request, copies the header once on its own side.
type Forward struct {
	URL string // absolute URL to fetch

	// Remove names headers to drop from the request, matched without
	// regard to case; Set then sets headers, each replacing any of its
	// name. A name appears in Set at most once. Set may be shared between
	// decisions and must not be modified.
	Remove []string
	Set    []Field

	// ResponseHeader is added to the origin's answer; nil adds nothing.
	ResponseHeader http.Header

	// Rewrite, when set, has links to the origin in the answer pointed at
	// the gate instead; nil leaves the answer as it is.
	Rewrite *Rewrite
}

// A Field is one header field: a name in canonical form and its value.
//
// The signed-in identity goes out as a list of fields rather than an
// http.Header: a map costs an allocation of its own and hashing on every
// request, where the list is made once per session (see sessionCache).
type Field struct {
	Name, Value string
}

// Rewrite says how to keep a signed-in user on the gate's host when the
// origin is reached through ORIGIN_URL: CloudPages write absolute links
// and form actions to their own host. In HTML answers, and in the Location
// of redirects, a URL that starts with one of From, followed by "/", "?",
// "#" or nothing, has that prefix replaced by To. Hosts compare without
// regard to case.
type Rewrite struct {
	From []string // such as "https://cloud.example.com", "//cloud.example.com"
	To   string   // the gate's scheme and host, such as "https://apps.example.com"
}

func (x *exchange) page(p *page.Page) *Decision {
	p.RequestID = x.requestID()
	h := make(http.Header, 8)
	p.SetHeaders(h, strings.HasPrefix(requestOrigin(x.r), "https:"))
	x.addCookies(h)
	return &Decision{Status: p.Status, Header: h, Body: p.Render()}
}

func (x *exchange) redirect(to string) *Decision {
	h := http.Header{
		"Location":        {to},
		"Cache-Control":   {"no-store"},
		"Referrer-Policy": {"no-referrer"},
	}
	x.addCookies(h)
	return &Decision{Status: http.StatusFound, Header: h}
}

func (x *exchange) json(status int, body []byte) *Decision {
	h := http.Header{
		"Content-Type":           {"application/json"},
		"Cache-Control":          {"no-store"},
		"X-Content-Type-Options": {"nosniff"},
	}
	x.addCookies(h)
	return &Decision{Status: status, Header: h, Body: string(body) + "\n"}
}

func (x *exchange) text(status int, body string) *Decision {
	h := http.Header{
		"Content-Type":           {"text/plain; charset=utf-8"},
		"Cache-Control":          {"no-store"},
		"X-Content-Type-Options": {"nosniff"},
	}
	x.addCookies(h)
	return &Decision{Status: status, Header: h, Body: body}
}

func (x *exchange) addCookies(h http.Header) {
	for _, c := range x.set {
		h.Add("Set-Cookie", c)
	}
}

// loginRequired is the 401 answer for calls that cannot follow a redirect
// to a sign-in page: scripts get JSON naming where a person signs in.
func (x *exchange) loginRequired(rd string) *Decision {
	var o jsonw.Object
	o.String("error", "login_required").String("login_url", loginPath(rd))
	d := x.json(http.StatusUnauthorized, o.Bytes())
	return d
}
