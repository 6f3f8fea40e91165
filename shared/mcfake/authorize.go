package mcfake

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// authorize serves GET /v2/authorize.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()

	// Until client_id and redirect_uri check out, there is nowhere safe to
	// send the browser: the documentation names the invalid client as an
	// error that doesn't redirect, and RFC 6749 §4.1.2.1 says the same of a
	// bad redirect URI.
	if !singleValue(q, "client_id", s.ClientID) {
		errorPage(w, http.StatusBadRequest, "Invalid client identifier.")
		return
	}
	back := callback{uri: q.Get("redirect_uri"), state: q["state"]}
	if len(q["redirect_uri"]) != 1 || !slices.Contains(s.RedirectURIs, back.uri) {
		errorPage(w, http.StatusBadRequest, "The redirect URI isn't registered for this client.")
		return
	}

	if q.Get("response_type") != "code" {
		back.fail(w, "unsupported_response_type", "The authorization server doesn't support this response type.")
		return
	}
	scopes, ok := s.requestedScopes(q)
	if !ok {
		back.fail(w, "invalid_scope", "The requested scope is invalid, unknown or not on the integration.")
		return
	}

	u, ok := s.sessionUser(r)
	if !ok {
		s.signInPage(w, r)
		return
	}
	if !u.Licensed {
		back.fail(w, "user_not_licensed", "The user doesn't have a license for this installed package.")
		return
	}

	code, err := s.mintCode(grant{
		clientID: s.ClientID, redirectURI: back.uri,
		sub: u.Sub, mid: u.MID, scopes: scopes,
	})
	if err != nil {
		errorPage(w, http.StatusInternalServerError, "The fake couldn't make an authorization code.")
		return
	}
	back.succeed(w, code)
}

// singleValue reports whether q holds key exactly once, with value want.
func singleValue(q url.Values, key, want string) bool {
	return len(q[key]) == 1 && q[key][0] == want
}

// requestedScopes returns the scopes the authorize request asks for, and
// false if it asks for one the integration lacks.
//
// Without a scope parameter the integration's scopes apply, but offline is
// left out: the documentation says offline must be both selected on the
// integration and requested. A present but empty scope asks for none.
func (s *Server) requestedScopes(q url.Values) ([]string, bool) {
	if !q.Has("scope") {
		return slices.DeleteFunc(slices.Clone(s.scopes), func(sc string) bool {
			return sc == "offline"
		}), true
	}
	asked := strings.Fields(q.Get("scope"))
	for _, sc := range asked {
		if !slices.Contains(s.scopes, sc) {
			return nil, false
		}
	}
	return asked, true
}

// callback is where authorize sends the browser back to.
type callback struct {
	uri   string
	state []string // state as sent: nil when absent
}

// succeed redirects with the code, after state as in the documented example.
func (c callback) succeed(w http.ResponseWriter, code string) {
	c.redirect(w, append(c.stateParam(), [2]string{"code", code}))
}

// fail redirects with an error, the way RFC 6749 §4.1.2.1 describes.
func (c callback) fail(w http.ResponseWriter, code, description string) {
	params := [][2]string{{"error", code}, {"error_description", description}}
	c.redirect(w, append(params, c.stateParam()...))
}

// stateParam echoes the request's state, if it had one.
func (c callback) stateParam() [][2]string {
	if len(c.state) == 0 {
		return nil
	}
	return [][2]string{{"state", c.state[0]}}
}

// redirect sends the browser to the callback with params in the given order.
func (c callback) redirect(w http.ResponseWriter, params [][2]string) {
	var b strings.Builder
	b.WriteString(c.uri)
	sep := "?"
	if strings.Contains(c.uri, "?") {
		sep = "&"
	}
	for _, p := range params {
		b.WriteString(sep + url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
		sep = "&"
	}

	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", b.String())
	w.WriteHeader(http.StatusFound)
}
