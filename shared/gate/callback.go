package gate

import (
	"context"
	"errors"
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
	if !isRead(x.r) {
		return x.methodNotAllowed(allowRead)
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
		return x.authorizeError(e, q.Get("error_description"), l, why)
	}
	if l == nil {
		return x.lostState(state, why)
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
	d := x.g.flights.do(ctx, state, func() *Decision { return x.signIn(ctx, code, l.Return) })
	if d == nil {
		return x.internal("waiting for the same sign-in in another request", errNoAnswer)
	}
	return d
}

var errNoAnswer = errors.New("it ended without an answer")

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
// state is good for one callback only. An attempt that was found leaves a
// mark that it was used (markUsed).
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
	x.markUsed(state, l.Return)
	return l, ""
}

// markUsed records that the attempt with this state was used, and where it
// was going, in a short-lived cookie in place of its login cookie. A
// callback that comes again, reloaded or reached with Back, is then known
// for the person's own and sent on where it was going (see lostState),
// while a forged one is not.
//
// The mark holds no state and is sealed under a name of its own, which the
// seal binds in: it never opens as a login cookie, so it can never take a
// callback to the token endpoint. It counts towards maxLogins, and a
// failure to make it costs only that convenience.
func (x *exchange) markUsed(state, rd string) {
	name := usedCookieName(state)
	m := session.Login{Return: rd, Created: x.now()}
	plain, err := m.MarshalBinary()
	if err != nil {
		return
	}
	val, err := x.g.keys.Seal(name, plain)
	if err != nil {
		return
	}
	x.set = append(x.set, setCookie(name, val, loginTTL))
}

// usedReturn is where the attempt with this state was going, if this
// browser holds a fresh mark that it was used (markUsed).
func (x *exchange) usedReturn(state string) (string, bool) {
	if state == "" {
		return "", false
	}
	name := usedCookieName(state)
	v, ok := cookie(x.r, name)
	if !ok {
		return "", false
	}
	m, ok := x.g.openLogin(name, v)
	if !ok || !x.now().Before(m.Created.Add(loginTTL)) {
		return "", false
	}
	return cleanReturn(m.Return), true
}

// lostState answers a callback whose attempt cannot be found: expired,
// already used, from another browser, or forged. A browser that is signed
// in anyway, as after pressing Back onto an old callback, goes on to the
// site instead of an error (oauth2-proxy issue #1888): to where the
// attempt was going, if the browser holds its mark, else to the root.
func (x *exchange) lostState(state, reason string) *Decision {
	rd, used := x.usedReturn(state)
	if s := x.session(); s != nil {
		if !used {
			rd = "/"
		}
		return x.redirect(rd)
	}

	if used && reason == "no_login_cookie" {
		reason = "login_used"
	}
	x.emit(&Event{Level: "warn", Name: EventCallbackRefused, Reason: reason})
	return x.page(lostStatePage(loginPath("/")))
}

// authorizeError answers Marketing Cloud's refusal to authorize l, this
// browser's attempt, or nil if the callback matched none, for the reason
// why.
//
// A refusal of the browser's own attempt ends any session it holds: it
// comes from a re-authorization (REAUTH_AFTER) or a new sign-in, and
// Marketing Cloud no longer vouches for the user, as when their licence
// was withdrawn. A callback that matches no attempt ends nothing, or any
// site could sign a user out with a link; it still shows the page for its
// code, which says nothing a link could not, but is logged as a refused
// callback without its description, which anyone could have written.
func (x *exchange) authorizeError(code, desc string, l *session.Login, why string) *Decision {
	code = errorCode(code)
	rd := "/"
	if l != nil {
		rd = l.Return
		x.endSession()
		x.emit(&Event{Level: "warn", Name: EventLoginDenied, Reason: code, Detail: mc.Clean(desc, 200)})
	} else {
		x.emit(&Event{Level: "warn", Name: EventCallbackRefused, Reason: why, Detail: "error=" + code})
	}

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
	ctx, cancel := withBudget(ctx, g.budget)
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
		x.endSession()
		x.emit(&Event{Level: "warn", Name: EventLoginDenied, Reason: "not_allowed", User: u.Email, MID: u.MID})
		return x.page(notAllowedPage(u.Email, u.MID, refusedBy(&g.cfg.Allow, u.Email, u.MID, u.EID)...))
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
