package gate

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The gate's cookies. All carry the __Host- prefix, so the browser accepts
// them only with Secure, Path=/ and no Domain, and no sibling subdomain can
// plant one (RFC 6265bis §4.1.3.2). Every name starts with cookiePrefix,
// which is how they are told apart from the origin's cookies.
const (
	cookiePrefix   = "__Host-cpg"
	sessionCookie  = cookiePrefix
	loginCookie    = cookiePrefix + "-login-"
	usedCookie     = cookiePrefix + "-used-"
	attemptsCookie = cookiePrefix + "-tries"
)

// Lifetimes and limits of the sign-in cookies.
const (
	// loginTTL bounds a sign-in attempt. Marketing Cloud codes live five
	// minutes; the rest is for a person typing a password.
	loginTTL = 10 * time.Minute

	// maxLogins caps the attempts kept at once, one per tab signing in,
	// together with the marks of attempts used (see exchange.markUsed).
	// Beyond it marks go first, then the oldest attempt, so abandoned
	// attempts never grow the Cookie header past a few kilobytes
	// (oauth2-proxy issue #2383).
	maxLogins = 4

	// Loop breaking: this many completed sign-ins within loopWindow, with
	// no session to show for them, means the browser is not keeping the
	// session cookie.
	loopLimit  = 3
	loopWindow = 2 * time.Minute
)

// isGateCookie reports whether a cookie name is one of the gate's.
func isGateCookie(name string) bool {
	return name == sessionCookie || strings.HasPrefix(name, cookiePrefix+"-")
}

// loginCookieName derives an attempt's cookie name from its state, so the
// callback finds the cookie of its own attempt among several.
func loginCookieName(state string) string {
	return loginCookie + stateTag(state)
}

// usedCookieName is the name of the mark that the attempt with this state
// was used. It differs from the attempt's own cookie name, and names are
// bound into the seal, so a mark never opens as a login cookie.
func usedCookieName(state string) string {
	return usedCookie + stateTag(state)
}

func stateTag(state string) string {
	sum := sha256.Sum256([]byte(state))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// isAttemptCookie reports whether a cookie name is a login cookie or the
// mark of a used one, and which.
func isAttemptCookie(name string) (ok, used bool) {
	switch {
	case len(name) > len(loginCookie) && name[:len(loginCookie)] == loginCookie:
		return true, false
	case len(name) > len(usedCookie) && name[:len(usedCookie)] == usedCookie:
		return true, true
	}
	return false, false
}

// cookies calls fn for each cookie in r's Cookie headers, in order, until
// fn returns false. Malformed pairs are skipped; values are as sent.
func cookies(r *http.Request, fn func(name, value string) bool) {
	for _, line := range r.Header.Values("Cookie") {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || name == "" {
				continue
			}
			if !fn(name, strings.Trim(value, `"`)) {
				return
			}
		}
	}
}

// cookie returns the first value of the named cookie.
func cookie(r *http.Request, name string) (string, bool) {
	var val string
	var found bool
	cookies(r, func(n, v string) bool {
		if n == name {
			val, found = v, true
			return false
		}
		return true
	})
	return val, found
}

// jar is what a request's Cookie header holds of the gate's own cookies,
// read in one pass the first time it is needed.
type jar struct {
	read     bool
	any      bool // any of the gate's cookies at all
	session  string
	attempts string
	hasSess  bool
	hasTries bool
}

func (x *exchange) jar() *jar {
	j := &x.cookies
	if j.read {
		return j
	}
	j.read = true
	cookies(x.r, func(name, value string) bool {
		if !isGateCookie(name) {
			return true
		}
		j.any = true
		switch {
		case name == sessionCookie && !j.hasSess:
			j.session, j.hasSess = value, true
		case name == attemptsCookie && !j.hasTries:
			j.attempts, j.hasTries = value, true
		}
		return true
	})
	return j
}

// setCookie formats a Set-Cookie value for one of the gate's cookies.
// SameSite=Lax rather than Strict: CloudPages are mostly opened from email
// links, and a Strict cookie is not sent on that first, cross-site
// navigation, nor after the redirect back from Marketing Cloud.
func setCookie(name, value string, maxAge time.Duration) string {
	return name + "=" + value + "; Path=/; Max-Age=" + strconv.Itoa(int(maxAge/time.Second)) +
		"; Secure; HttpOnly; SameSite=Lax"
}

// clearCookie formats a Set-Cookie value that deletes a cookie.
func clearCookie(name string) string {
	return name + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"
}
