package gate

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/textproto"
	"strings"
)

// requestID names a request in pages and logs. Cloudflare's Ray ID is
// preferred, since it also finds the request in Cloudflare's own logs; a
// random id stands in where there is none (local runs).
func (g *Gate) requestID(r *http.Request) string {
	if ray := r.Header.Get("Cf-Ray"); ray != "" && len(ray) <= 64 && isIDText(ray) {
		return ray
	}

	var b [8]byte
	if _, err := io.ReadFull(g.rand, b[:]); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(b[:])
}

// requestID is the request's id, made on first use: a request that is
// simply forwarded shows it nowhere and so costs no random bytes.
func (x *exchange) requestID() string {
	if x.rid == "" {
		x.rid = x.g.requestID(x.r)
	}
	return x.rid
}

func isIDText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isNavigation reports whether r is a browser loading a page, the only
// kind of request that may be redirected to sign in: a script would follow
// the redirect into a cross-origin error, and a form's body would be lost
// (oauth2-proxy issues #1393 and #1349).
//
// Browsers send Sec-Fetch-Mode and Sec-Fetch-Dest together (Fetch Metadata
// Request Headers, W3C), so Sec-Fetch-Mode: navigate marks a page load, and
// Sec-Fetch-Dest without it marks a script's fetch or a subresource, which
// gets a 401 even when it asks for HTML. A client that sends no
// Sec-Fetch-Dest is not a browser's script (Node's fetch sends
// Sec-Fetch-Mode: cors alone, whatever it is asked for) and is judged, like
// an older browser, by whether it accepts text/html.
func isNavigation(r *http.Request) bool {
	if !isRead(r) {
		return false
	}
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
		return !isFrame(r)
	}
	if r.Header.Get("Sec-Fetch-Dest") != "" {
		return false
	}
	return acceptsHTML(r)
}

// isRead reports whether r only reads: GET or HEAD.
func isRead(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// isFrame reports whether r loads a page into a frame. Such a navigation
// is not redirected to sign in: Marketing Cloud's login refuses to be
// framed, so the frame gets a page whose link signs in at the top level.
func isFrame(r *http.Request) bool {
	dest := r.Header.Get("Sec-Fetch-Dest")
	return dest == "iframe" || dest == "frame"
}

func acceptsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// isFormSubmission reports whether r is a browser submitting a form, which
// gets a page rather than JSON when it cannot go through.
func isFormSubmission(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
		return true
	}
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") ||
		strings.HasPrefix(ct, "multipart/form-data") || acceptsHTML(r)
}

// requestReturn is where to come back to after signing in: this request's
// own path and query.
func (x *exchange) requestReturn() string {
	rd := x.path
	if x.r.URL.RawQuery != "" {
		rd += "?" + x.r.URL.RawQuery
	}
	return cleanReturn(rd)
}

// requestOrigin is the scheme and host the browser used, normalized.
func requestOrigin(r *http.Request) string {
	scheme := r.URL.Scheme
	if scheme == "" {
		scheme = "http"
		if r.TLS != nil {
			scheme = "https"
		}
	}
	host := r.URL.Host
	if host == "" {
		host = r.Host
	}
	return origin(scheme, host)
}

// origin writes scheme://host as browsers compare origins: the host in
// lowercase and the scheme's default port left out, so that a redirect
// URI configured as https://Gate.Example:443/… matches the requests a
// browser sends to https://gate.example/.
func origin(scheme, host string) string {
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	switch {
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return scheme + "://" + host
}

// ReadHeader reports whether the gate looks at the request header called
// name, given in any case, and returns the name in net/http's canonical
// form if so. A host may leave every other header out of the requests it
// hands to Handle, since a forward changes the request's own header and
// keeps the rest as it was; the Worker does, so that Go builds a map of a
// few headers per request and canonicalizes no other name.
func ReadHeader(name string) (canonical string, ok bool) {
	switch strings.ToLower(name) {
	case "accept":
		return "Accept", true
	case "cf-ray":
		return "Cf-Ray", true
	case "content-type":
		return "Content-Type", true
	case "cookie":
		return "Cookie", true
	case "host":
		return "Host", true
	case "origin":
		return "Origin", true
	case "referer":
		return "Referer", true
	case "sec-fetch-dest":
		return "Sec-Fetch-Dest", true
	case "sec-fetch-mode":
		return "Sec-Fetch-Mode", true
	case "sec-fetch-site":
		return "Sec-Fetch-Site", true
	}
	if isIdentityHeader(name) {
		return textproto.CanonicalMIMEHeaderKey(name), true
	}
	return "", false
}
