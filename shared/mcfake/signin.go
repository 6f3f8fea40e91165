package mcfake

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBody bounds the fake's own forms, which are a few hundred bytes.
const maxFormBody = 64 << 10

// signInPage stands in for the Marketing Cloud login: one button per user.
// The form carries the authorize query, so that signing in returns the
// browser to exactly the request it came with.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	esc := html.EscapeString
	var b strings.Builder
	b.WriteString("<p>Choose who to be. The fake asks for no password.</p>\n")
	b.WriteString(`<form method="post" action="/_fake/signin">` + "\n")
	b.WriteString(`<input type="hidden" name="authorize" value="` + esc(r.URL.RawQuery) + "\">\n")
	for _, u := range s.roster {
		fmt.Fprintf(&b, `<button type="submit" name="sub" value="%s">`+
			"<strong>%s</strong><br>%s &middot; %s &middot; MID %d</button>\n",
			esc(u.Sub), esc(u.Label), esc(u.Name), esc(u.Email), u.MID)
	}
	b.WriteString("</form>\n")
	b.WriteString(`<p class="note">This page is the fake's, not Marketing Cloud's.</p>`)

	w.Header().Set("Cache-Control", "no-store")
	writePage(w, http.StatusOK, "Sign in to Marketing Cloud (fake)", b.String())
}

// signIn serves POST /_fake/signin, the sign-in page's form: it starts a
// session and sends the browser back to /v2/authorize.
//
// NOTE: the form carries no CSRF token, so any page can sign a browser in
// to the fake. That is acceptable for a fake served on loopback only.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "The sign-in form couldn't be read.")
		return
	}
	next := "/"
	if q := r.PostForm.Get("authorize"); q != "" {
		if !plainQuery(q) {
			errorPage(w, http.StatusBadRequest, "The sign-in form carried a malformed authorize query.")
			return
		}
		next = "/v2/authorize?" + q
	}

	c, err := s.SignIn(r.PostForm.Get("sub"))
	if err != nil {
		errorPage(w, http.StatusBadRequest, "There is no such user.")
		return
	}
	http.SetCookie(w, c)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusFound)
}

// plainQuery reports whether q is a well-formed query string that can go
// into a Location header unchanged.
func plainQuery(q string) bool {
	for _, c := range []byte(q) {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	_, err := url.ParseQuery(q)
	return err == nil
}

// logout serves GET and POST /_fake/logout. Marketing Cloud documents no
// such endpoint: this is how a person or a test signs out of the fake,
// which ends the session and calls [Server.SignOut].
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	msg := "<p>Nobody was signed in.</p>"
	if u, ok := s.sessionUser(r); ok {
		s.SignOut(u.Sub)
		msg = "<p>" + html.EscapeString(u.Name) + " is signed out. " +
			"Their tokens without the offline scope no longer work.</p>"
	}
	clearSession(w)
	w.Header().Set("Cache-Control", "no-store")
	writePage(w, http.StatusOK, "Signed out of Marketing Cloud (fake)",
		msg+"\n<p><a href=\"/\">Back to the fake</a></p>")
}

// index serves GET /, a landing page for people trying the demo.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	if u, ok := s.sessionUser(r); ok {
		fmt.Fprintf(&b, "<p>Signed in as %s (%s), MID %d.</p>\n",
			html.EscapeString(u.Name), html.EscapeString(u.Email), u.MID)
		b.WriteString(`<form method="post" action="/_fake/logout">` +
			`<button type="submit">Sign out of Marketing Cloud</button></form>` + "\n")
	} else {
		b.WriteString("<p>Nobody is signed in. The sign-in page appears when an app " +
			"sends you to /v2/authorize.</p>\n")
	}
	b.WriteString(`<p class="note">This server fakes a Marketing Cloud auth host: ` +
		`/v2/authorize, /v2/token and /v2/userinfo. Paths under /_fake/ are its own ` +
		`test aids, not Marketing Cloud endpoints.</p>`)

	w.Header().Set("Cache-Control", "no-store")
	writePage(w, http.StatusOK, "Marketing Cloud (fake)", b.String())
}
