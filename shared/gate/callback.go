package gate

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cloudpage-gate/gate/shared/mc"
	"github.com/cloudpage-gate/gate/shared/session"
)

// Limits on the callback's parameters, in bytes. Marketing Cloud's codes
// are at most 512 characters and the gate's states 43; anything far longer
// is not from either.
const (
	maxCodeLen  = 2048
	maxStateLen = session.MaxStateLen
)

// callback completes a sign-in: Marketing Cloud has sent the browser back
// with a code, or with an error. The state is checked against the
// attempt's login cookie before anything else, so a forged or replayed
// callback never causes a token request (RFC 9700 §4.7.1; oauth2-proxy
// redeems the code first).
func (x *exchange) callback(ctx context.Context) *Decision {
	if x.r.Method != http.MethodGet && x.r.Method != http.MethodHead {
		return x.page(methodPage())
	}

	q, err := url.ParseQuery(x.r.URL.RawQuery)
	if err != nil || hasDuplicates(q, "state", "code", "error") {
		x.emit(&Event{Level: "warn", Name: EventCallbackRefused, Reason: "malformed_query"})
		return x.page(badCallbackPage())
	}
	state, code := q.Get("state"), q.Get("code")
	if len(state) > maxStateLen || len(code) > maxCodeLen {
		x.emit(&Event{Level: "warn", Name: EventCallbackRefused, Reason: "oversized_parameter"})
		return x.page(badCallbackPage())
	}

	l, why := x.takeLogin(state)
	if e := q.Get("error"); e != "" {
		rd := "/"
		if l != nil {
			rd = l.Return
		}
		return x.authorizeError(e, q.Get("error_description"), rd)
	}
	if l == nil {
		return x.lostState(why)
	}

	// Another tab finished signing in while this one was at Marketing
	// Cloud: its session serves this attempt too.
	if s := x.session(); s != nil && !x.g.staleAuth(s, x.now()) {
		return x.redirect(l.Return)
	}

	if code == "" {
		x.emit(&Event{Level: "warn", Name: EventCallbackRefused, Reason: "missing_code"})
		return x.page(badCallbackPage())
	}
	return x.signIn(ctx, code, l.Return)
}

// hasDuplicates reports whether any of the keys appears more than once: a
// callback with two states or two codes was not written by Marketing
// Cloud, and picking one would let an attacker choose which is checked.
func hasDuplicates(q url.Values, keys ...string) bool {
	for _, k := range keys {
		if len(q[k]) > 1 {
			return true
		}
	}
	return false
}

// takeLogin finds and consumes the login attempt that state belongs to, or
// says why there is none. The cookie is cleared whatever the outcome: a
// state is good for one callback only.
func (x *exchange) takeLogin(state string) (*session.Login, string) {
	if state == "" {
		return nil, "missing_state"
	}

	name := loginCookieName(state)
	v, ok := cookie(x.r, name)
	if !ok {
		return nil, "no_login_cookie"
	}
	x.set = append(x.set, clearCookie(name))

	l, ok := x.g.openLogin(name, v)
	switch {
	case !ok:
		return nil, "login_cookie_unreadable"
	case !matchState(l.State, state):
		return nil, "state_mismatch"
	case !x.now().Before(l.Created.Add(loginTTL)):
		return nil, "login_expired"
	}
	l.Return = cleanReturn(l.Return)
	return l, ""
}

// lostState answers a callback whose attempt cannot be found: expired,
// already used, from another browser, or forged. A browser that is signed
// in anyway, as after pressing Back onto an old callback, goes on to the
// site instead of an error (oauth2-proxy issue #1888).
func (x *exchange) lostState(reason string) *Decision {
	if s := x.session(); s != nil {
		return x.redirect("/")
	}

	x.emit(&Event{Level: "warn", Name: EventCallbackRefused, Reason: reason})
	return x.page(lostStatePage(loginPath("/")))
}

// authorizeError answers Marketing Cloud's refusal to authorize.
func (x *exchange) authorizeError(code, desc, rd string) *Decision {
	code = errorCode(code)
	x.emit(&Event{Level: "warn", Name: EventLoginDenied, Reason: code, Detail: mc.Clean(desc, 200)})
	if code == "user_not_licensed" {
		return x.page(notLicensedPage(loginPath(rd)))
	}
	return x.page(authorizeErrorPage(code, loginPath(rd)))
}

// errorCode keeps an OAuth error code only if it looks like one
// (RFC 6749 §4.1.2.1 limits it to printable ASCII; real codes are
// lowercase words), so a crafted callback cannot put its text on a page.
func errorCode(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return "unknown_error"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return "unknown_error"
		}
	}
	return s
}

// signIn exchanges the code, asks who the user is, applies the allow-lists
// and issues the session.
func (x *exchange) signIn(ctx context.Context, code, rd string) *Decision {
	g := x.g
	ctx, cancel := withBudget(ctx, Budget)
	defer cancel()

	tok, err := g.mc.Exchange(ctx, code)
	if err != nil {
		return x.mcFailed(EventExchangeFailed, err)
	}
	u, err := g.mc.UserInfo(ctx, tok.AccessToken)
	if err != nil {
		return x.mcFailed(EventUserinfoFailed, err)
	}

	if !g.cfg.Allow.Permits(u.Email, u.MID, u.EID) {
		x.emit(&Event{Level: "warn", Name: EventLoginDenied, Reason: "not_allowed", User: u.Email, MID: u.MID})
		return x.page(notAllowedPage(u.Email, u.MID))
	}

	if err := x.issueSession(u, tok); err != nil {
		return x.internal("issuing session", err)
	}
	x.countSignIn()
	x.emit(&Event{Level: "info", Name: EventLoginSucceeded, User: u.Email, MID: u.MID})
	return x.redirect(rd)
}

func (x *exchange) issueSession(u *mc.User, tok *mc.Token) error {
	g := x.g
	now := x.now()
	s := session.Session{
		UserID: u.ID, Email: u.Email, Name: u.Name, MID: u.MID, EID: u.EID,
		AuthTime: now, Expires: now.Add(g.cfg.SessionTTL),
	}
	if g.cfg.ForwardAccessToken {
		s.AccessToken = tok.AccessToken
		s.TokenExpires = now.Add(tok.ExpiresIn)
	}

	plain, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	val, err := g.keys.Seal(sessionCookie, plain)
	if err != nil {
		return err
	}
	x.set = append(x.set, setCookie(sessionCookie, val, g.cfg.SessionTTL))
	return nil
}

// mcFailed answers a failed call to Marketing Cloud. A code that was used
// or expired is the person's to retry; everything else is a bad gateway.
func (x *exchange) mcFailed(name string, err error) *Decision {
	// The client returns *mc.Error itself, never wrapped; a type assertion
	// keeps errors.As, and the reflection it brings, out of the Worker.
	me, ok := err.(*mc.Error)
	if !ok {
		me = &mc.Error{Kind: mc.Malformed, Err: err}
	}
	x.emit(&Event{Level: "error", Name: name, Reason: failureReason(me), Detail: err.Error()})

	switch {
	case me.Kind == mc.Rejected && me.Code == "invalid_grant":
		return x.page(lostStatePage(loginPath("/")))
	case me.Kind == mc.Rejected && (me.Code == "invalid_client" || me.Code == "unauthorized_client"):
		return x.page(clientRejectedPage())
	case me.Kind == mc.Unreachable:
		return x.page(unreachablePage(loginPath("/")))
	case me.Status >= 500:
		return x.page(unavailablePage(loginPath("/")))
	}
	return x.page(badAnswerPage(loginPath("/")))
}

func failureReason(e *mc.Error) string {
	switch {
	case e.Kind == mc.Unreachable && e.Timeout():
		return "timeout"
	case e.Status >= 500:
		return "unavailable"
	case e.Kind == mc.Rejected:
		return e.Code
	}
	return e.Kind.String()
}
