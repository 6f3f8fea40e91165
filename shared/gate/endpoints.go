package gate

import (
	"net/http"
	"strings"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/jsonw"
)

// endpoint serves the gate's own addresses under /_gate/.
func (x *exchange) endpoint() *Decision {
	switch strings.TrimPrefix(x.path, config.GatePrefix) {
	case "login":
		return x.login()
	case "logout":
		return x.logout()
	case "userinfo":
		if !isRead(x.r) {
			return x.methodNotAllowed(allowRead)
		}
		return x.userinfo()
	case "healthz":
		if !isRead(x.r) {
			return x.methodNotAllowed(allowRead)
		}
		return x.text(http.StatusOK, "ok\n")
	}
	return x.page(notFoundPage())
}

// The methods each of the gate's addresses answers, as Allow lists them.
const (
	allowRead   = "GET, HEAD"
	allowLogout = "GET, HEAD, POST"
)

// methodNotAllowed answers a method the address does not serve, naming in
// Allow the ones it does (RFC 9110 §15.5.6).
func (x *exchange) methodNotAllowed(allow string) *Decision {
	d := x.page(methodPage())
	d.Header.Set("Allow", allow)
	return d
}

// login starts a sign-in that returns to the path in ?rd=. A browser that
// is already signed in goes straight there.
func (x *exchange) login() *Decision {
	if !isRead(x.r) {
		return x.methodNotAllowed(allowRead)
	}

	rd := cleanReturn(x.r.URL.Query().Get("rd"))
	if s := x.session(); s != nil && !x.g.staleAuth(s, x.now()) {
		return x.redirect(rd)
	}
	return x.startSignIn(rd)
}

// logout ends the session on POST. A GET shows a page with a button, so
// that a link or an image on another site cannot sign the user out; a POST
// from another site is refused for the same reason.
func (x *exchange) logout() *Decision {
	switch x.r.Method {
	case http.MethodGet, http.MethodHead:
		return x.page(logoutPage())
	case http.MethodPost:
	default:
		return x.methodNotAllowed(allowLogout)
	}

	if x.crossSite() {
		x.emit(&Event{Level: "warn", Name: EventLogoutRefused, Reason: "cross_site"})
		return x.page(crossSiteLogoutPage())
	}

	var user string
	if s := x.session(); s != nil {
		user = s.Email
	}
	x.set = append(x.set, clearCookie(sessionCookie), clearCookie(attemptsCookie))
	cookies(x.r, func(name, _ string) bool {
		if ok, _ := isAttemptCookie(name); ok {
			x.set = append(x.set, clearCookie(name))
		}
		return true
	})
	x.emit(&Event{Level: "info", Name: EventLogout, User: user})
	return x.page(signedOutPage(loginPath("/")))
}

// crossSite reports whether a state-changing request came from another
// site: Sec-Fetch-Site where the browser sends it, else Origin. A request
// with neither is not from a browser that could be tricked, and passes.
func (x *exchange) crossSite() bool {
	if site := x.r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site != "same-origin" && site != "none"
	}
	if origin := x.r.Header.Get("Origin"); origin != "" {
		return strings.ToLower(origin) != requestOrigin(x.r)
	}
	return false
}

// userinfo tells scripts on the page who is signed in.
func (x *exchange) userinfo() *Decision {
	s := x.session()
	if s == nil {
		return x.loginRequired("/")
	}

	// The fields are named as the X-MC-* headers name them, and again as
	// Marketing Cloud's userinfo does (sub, member_id, enterprise_id), so a
	// script written against either finds them.
	var o jsonw.Object
	o.String("email", s.Email).
		String("name", s.Name).
		String("user_id", s.UserID).
		Int("mid", s.MID).
		Int("eid", s.EID).
		String("sub", s.UserID).
		Int("member_id", s.MID).
		Int("enterprise_id", s.EID).
		Int("auth_time", s.AuthTime.Unix()).
		Int("expires", s.Expires.Unix())
	return x.json(http.StatusOK, o.Bytes())
}

// misconfigured answers every request of a gate whose configuration did
// not parse, and logs the problems under the request's id. The health
// check lists them by variable; they never include a secret's value.
func (x *exchange) misconfigured() *Decision {
	x.emit(&Event{Level: "error", Name: EventConfigInvalid, Detail: x.g.cfgErr.Error()})
	if x.path == config.GatePrefix+"healthz" {
		var b strings.Builder
		b.WriteString("misconfigured\n")
		if ce, ok := x.g.cfgErr.(*config.Error); ok {
			for _, p := range ce.Problems {
				b.WriteString(p.Var + ": " + p.Msg + "\n")
			}
		} else {
			b.WriteString(x.g.cfgErr.Error() + "\n")
		}
		return x.text(http.StatusInternalServerError, b.String())
	}
	return x.page(misconfiguredPage())
}

// internal answers a failure of the gate itself; the cause is logged.
func (x *exchange) internal(doing string, err error) *Decision {
	x.emit(&Event{Level: "error", Name: EventInternalError, Detail: doing + ": " + err.Error()})
	return x.page(internalPage(EventInternalError))
}
