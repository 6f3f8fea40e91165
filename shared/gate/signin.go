package gate

import (
	"crypto/subtle"
	"encoding/base64"
	"io"
	"time"

	"github.com/cloudpage-gate/gate/shared/session"
)

// signInRequired answers a request for a protected page without a
// session. Only a top-level navigation is redirected; anything else gets a
// 401 and never reaches the origin.
func (x *exchange) signInRequired() *Decision {
	if isNavigation(x.r) {
		return x.startSignIn(x.requestReturn())
	}

	if !isRead(x.r) && isFormSubmission(x.r) {
		return x.page(formExpiredPage(loginPath(x.refererReturn())))
	}
	if isRead(x.r) && isFrame(x.r) {
		return x.page(signInPage(loginPath(x.requestReturn())))
	}
	return x.loginRequired(x.requestReturn())
}

// refererReturn is where a form was submitted from, when the browser says
// so and it is this gate's own origin; otherwise the site's root.
func (x *exchange) refererReturn() string {
	ref := x.r.Header.Get("Referer")
	own := requestOrigin(x.r)
	if len(ref) > len(own) && ref[:len(own)] == own && ref[len(own)] == '/' {
		return cleanReturn(ref[len(own):])
	}
	return "/"
}

// startSignIn sends the browser to Marketing Cloud's authorize endpoint
// with a fresh state, kept with the return path in a login cookie of its
// own.
func (x *exchange) startSignIn(rd string) *Decision {
	g := x.g

	// The login cookie must come back to the callback, which lives on the
	// redirect URI's host. A page reached on another host or scheme is sent
	// there first, or the attempt could never complete.
	if own := requestOrigin(x.r); own != g.cbOrig {
		x.emit(&Event{Level: "warn", Name: EventLoginStarted, Reason: "host_mismatch",
			Detail: "request origin " + own + " differs from MC_REDIRECT_URI origin " + g.cbOrig})
		return x.redirect(g.cbOrig + rd)
	}

	if x.looping() {
		x.emit(&Event{Level: "warn", Name: EventLoginLoop, Reason: "too_many_sign_ins"})
		return x.page(loopPage())
	}

	state, err := g.newState()
	if err != nil {
		return x.internal("creating state", err)
	}

	name := loginCookieName(state)
	l := session.Login{State: state, Return: rd, Created: x.now()}
	plain, err := l.MarshalBinary()
	if err != nil {
		return x.internal("encoding login", err)
	}
	val, err := g.keys.Seal(name, plain)
	if err != nil {
		return x.internal("sealing login", err)
	}

	x.evictLogins()
	x.set = append(x.set, setCookie(name, val, loginTTL))
	x.emit(&Event{Level: "info", Name: EventLoginStarted})
	return x.redirect(g.mc.AuthorizeURL(state))
}

// newState returns 256 random bits, base64url: far beyond the 128 bits
// RFC 6749 §10.10 asks of an unguessable value.
func (g *Gate) newState() (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(g.rand, b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// evictLogins clears sign-in cookies, attempts and marks of used ones
// alike, so that, with the attempt about to be set, at most maxLogins
// remain: expired and unreadable ones first, then marks, then the oldest
// attempts.
func (x *exchange) evictLogins() {
	var kept []attempt
	now := x.now()
	cookies(x.r, func(name, value string) bool {
		ok, used := isAttemptCookie(name)
		if !ok {
			return true
		}
		l, ok := x.g.openLogin(name, value)
		if !ok || !now.Before(l.Created.Add(loginTTL)) {
			x.set = append(x.set, clearCookie(name))
			return true
		}
		kept = append(kept, attempt{name, l.Created, used})
		return true
	})

	for len(kept) >= maxLogins {
		i := evictee(kept)
		x.set = append(x.set, clearCookie(kept[i].name))
		kept = append(kept[:i], kept[i+1:]...)
	}
}

// attempt is a sign-in cookie that evictLogins may clear.
type attempt struct {
	name    string
	created time.Time
	used    bool // a mark of a used attempt, not one in progress
}

// evictee returns which of as to clear first: a mark before an attempt in
// progress, which a tab still waits on, and the older of two of a kind.
func evictee(as []attempt) int {
	first := 0
	for i, a := range as {
		f := as[first]
		if a.used != f.used {
			if a.used {
				first = i
			}
			continue
		}
		if a.created.Before(f.created) {
			first = i
		}
	}
	return first
}

func (g *Gate) openLogin(name, value string) (*session.Login, bool) {
	plain, err := g.keys.Open(name, value)
	if err != nil {
		return nil, false
	}
	var l session.Login
	if l.UnmarshalBinary(plain) != nil {
		return nil, false
	}
	return &l, true
}

// matchState reports whether two states are equal, in constant time.
func matchState(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// looping reports whether this browser completed loopLimit sign-ins within
// loopWindow and still arrives without a session: it drops or cannot
// present the session cookie, and another round would change nothing.
func (x *exchange) looping() bool {
	a, ok := x.attempts()
	return ok && a.Count >= loopLimit
}

// attempts returns the browser's recent sign-in count, if it is current.
func (x *exchange) attempts() (session.Attempts, bool) {
	j := x.jar()
	if !j.hasTries {
		return session.Attempts{}, false
	}
	v := j.attempts

	plain, err := x.g.keys.Open(attemptsCookie, v)
	var a session.Attempts
	if err != nil || a.UnmarshalBinary(plain) != nil {
		return session.Attempts{}, false
	}
	if !x.now().Before(a.Since.Add(loopWindow)) {
		return session.Attempts{}, false
	}
	return a, true
}

// countSignIn records one more completed sign-in for the loop breaker.
func (x *exchange) countSignIn() {
	a, ok := x.attempts()
	if !ok {
		a = session.Attempts{Since: x.now()}
	}
	a.Count++

	plain, _ := a.MarshalBinary()
	val, err := x.g.keys.Seal(attemptsCookie, plain)
	if err != nil {
		return
	}
	x.set = append(x.set, setCookie(attemptsCookie, val, loopWindow))
}
