package gate

import (
	"encoding/hex"
	"io"
	"net/http"
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
// (oauth2-proxy issues #1393 and #1349). Sec-Fetch-Mode decides where the
// browser sends it; older clients are judged by Accept.
func isNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	return acceptsHTML(r)
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

// origin is the scheme and host the browser used.
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
	return scheme + "://" + strings.ToLower(host)
}
