package gate

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/google/go-cmp/cmp"
)

// returnPathCorpus pairs hostile and ordinary return paths (as decoded from
// ?rd=) with where the gate should send the browser.
var returnPathCorpus = []struct{ rd, want string }{
	{"", "/"},
	{"/", "/"},
	{"/page?a=1&b=2", "/page?a=1&b=2"},
	{"/page#top", "/page"},
	{"/%C3%A9t%C3%A9", "/%C3%A9t%C3%A9"},
	{"/@evil.example", "/@evil.example"},
	{"/x?next=//evil.example", "/x?next=//evil.example"},
	{"/%2F%2Fevil.example", "/%2F%2Fevil.example"},
	{"/%5Cevil.example", "/%5Cevil.example"},
	{"//evil.example", "/"},
	{"//evil.example/path", "/"},
	{"///evil.example", "/"},
	{"/\\evil.example", "/"},
	{"\\\\evil.example", "/"},
	{"/\t/evil.example", "/"},
	{"/\n/evil.example", "/"},
	{"/\r\n/evil.example", "/"},
	{"/ /evil.example", "/"},
	{" /page", "/"},
	{"/\x00", "/"},
	{"/\x7f", "/"},
	{"/été", "/"},
	{"/\u2028", "/"},
	{"https://evil.example", "/"},
	{"https:/evil.example", "/"},
	{"https:evil.example", "/"},
	{"HTTPS://evil.example", "/"},
	{"javascript:alert(1)", "/"},
	{"JaVaScRiPt:alert(1)", "/"},
	{"/javascript:alert(1)", "/javascript:alert(1)"},
	{"data:text/html,<script>alert(1)</script>", "/"},
	{"evil.example", "/"},
	{"page", "/"},
	{"?x=1", "/"},
	{"#frag", "/"},
	{"/#//evil.example", "/"},
	{"/_gate/logout", "/"},
	{"/_gate/login?rd=/x", "/"},
	{"/_gate/callback?code=x&state=y", "/"},
	{"/_gate/", "/"},
	{"/_gate", "/"},
	{"/_gate?x", "/"},
	{"/a/../_gate/logout", "/"},
	{"/a/./../_gate/logout", "/"},
	{"/./_gate/logout", "/"},
	{"/../_gate/logout", "/"},
	{"/a/%2e%2e/_gate/logout", "/"},
	{"/a/%2E%2E/_gate/logout", "/"},
	{"/a/.%2e/_gate/logout", "/"},
	{"/a/..%2f_gate/logout", "/"},
	{"/%5Fgate/logout", "/"},
	{"/%5fgate/logout", "/"},
	{"/_gate%2Flogout", "/"},
	{"/_gat%65/healthz", "/"},
	{"/_gate/../page", "/_gate/../page"},
	// path.Clean drops the empty segment before "..", a browser does not
	// (RFC 3986 §5.2.4): these resolve to /_gate/login and /_gate/.
	{"/_gate//../login?rd=/x", "/"},
	{"/_gate//..", "/"},
	{"/_gate/x//../../callback", "/"},
	{"/_gateway", "/_gateway"},
	{"/_GATE/logout", "/_GATE/logout"},
	{"/" + strings.Repeat("x", 1023), "/" + strings.Repeat("x", 1023)},
	{"/" + strings.Repeat("x", 1024), "/"},
	{"/" + strings.Repeat("x", 4000), "/"},
	{"/%zz", "/"},
	{"/a%", "/"},
}

func TestLoginEndpointReturnPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	base, _ := url.Parse(gateOrigin + "/somewhere/deep")

	for _, tt := range returnPathCorpus {
		d := b.navigate(gateOrigin + "/_gate/login?rd=" + url.QueryEscape(tt.rd))
		loc := d.Header.Get("Location")
		if d.Status != http.StatusFound || loc != tt.want {
			t.Errorf("login?rd=%.60q: status %d, Location %q; want 302 to %q", tt.rd, d.Status, loc, tt.want)
			continue
		}
		checkStaysOnGate(t, base, loc)
	}
}

// checkStaysOnGate fails unless loc, followed from base, stays on the
// gate's host and outside its endpoints.
func checkStaysOnGate(t testing.TB, base *url.URL, loc string) {
	t.Helper()
	ref, err := url.Parse(loc)
	if err != nil {
		t.Errorf("Location %q: %v", loc, err)
		return
	}
	to := base.ResolveReference(ref)
	if to.Scheme != base.Scheme || to.Host != base.Host {
		t.Errorf("Location %q leads to %s://%s; want %s", loc, to.Scheme, to.Host, base.Host)
	}
	for _, p := range []string{to.Path, to.EscapedPath()} {
		if c := path.Clean(p); c == "/_gate" || strings.HasPrefix(c, config.GatePrefix) {
			t.Errorf("Location %q leads into %s", loc, c)
		}
	}
}

func TestLoginEndpointRawQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	tests := []struct{ query, want string }{
		{"", "/"},
		{"?rd=//evil.example", "/"},
		{"?rd=/\\evil.example", "/"},
		{"?rd=%2F%2Fevil.example", "/"},
		{"?rd=/ok&rd=//evil.example", "/ok"},
		{"?rd=/ok%23frag", "/ok"},
		{"?rd=/ok#frag", "/ok"},
		{"?rd=%zz", "/"},
		{"?x=1", "/"},
		{"?rd=/a+b", "/"}, // "+" decodes to a space
	}
	for _, tt := range tests {
		d := b.navigate(gateOrigin + "/_gate/login" + tt.query)
		if d.Status != http.StatusFound || d.Header.Get("Location") != tt.want {
			t.Errorf("login%s: status %d, Location %q; want 302 to %q", tt.query, d.Status, d.Header.Get("Location"), tt.want)
		}
	}
}

func TestLoginEndpointSignsIn(t *testing.T) {
	t.Parallel()
	tests := []struct{ rd, want string }{
		{"/dest?x=1", "/dest?x=1"},
		{"//evil.example", "/"},
		{"/a/../_gate/logout", "/"},
		{"https://evil.example/", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.rd, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			d := b.navigate(gateOrigin + "/_gate/login?rd=" + url.QueryEscape(tt.rd))
			state := e.checkSignInStarted(t, d)
			v, _ := b.cookie(loginCookieName(state))
			if l, ok := b.g.openLogin(loginCookieName(state), v); !ok || l.Return != tt.want {
				t.Errorf("login cookie holds %+v; want return %q", l, tt.want)
			}
			checkRedirect(t, b.navigate(b.authorize(d.Header.Get("Location"))), tt.want)
		})
	}
}

func TestLoginEndpointStaleSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	e.clock.Advance(config.DefaultReauthAfter)
	e.checkSignInStarted(t, b.navigate(gateOrigin+"/_gate/login?rd=%2Fx"))
}

func TestLoginEndpointMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		d := e.browser(ada).do(m, gateOrigin+"/_gate/login?rd=%2F", nil)
		checkMethodNotAllowed(t, d, "GET, HEAD")
		if got := d.Header.Values("Set-Cookie"); got != nil {
			t.Errorf("%s login: Set-Cookie = %q; want none", m, got)
		}
	}
}

func TestLogoutPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		d := b.do(m, gateOrigin+"/_gate/logout", navigation())
		checkPage(t, d, http.StatusOK, "Sign out")
		if !strings.Contains(d.Body, `<form method="post" action="/_gate/logout">`) {
			t.Errorf("%s logout: page has no POST form:\n%s", m, d.Body)
		}
		if got := d.Header.Values("Set-Cookie"); got != nil {
			t.Errorf("%s logout: Set-Cookie = %q; want none", m, got)
		}
	}
	if d := b.fetch(gateOrigin + "/"); d.Forward == nil {
		t.Errorf("after GET logout: status %d; want still signed in", d.Status)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
	}{
		{"same origin", header("Sec-Fetch-Site", "same-origin", "Origin", gateOrigin)},
		{"typed by the user", header("Sec-Fetch-Site", "none")},
		{"origin without sec-fetch", header("Origin", gateOrigin)},
		{"origin in capitals", header("Origin", "HTTPS://GATE.EXAMPLE")},
		{"no browser headers", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			b.setCookie("theme", "dark")
			b.mustSignIn(gateOrigin+"/", "/") // leaves the attempts cookie
			e.clock.Advance(config.DefaultReauthAfter)
			b.navigate(gateOrigin + "/one") // two attempts to re-authorize
			b.navigate(gateOrigin + "/two")
			logins := b.loginCookies()
			if len(logins) != 2 {
				t.Fatalf("login cookies before logout = %q; want 2", logins)
			}

			d := b.do(http.MethodPost, gateOrigin+"/_gate/logout", tt.header)
			checkPage(t, d, http.StatusOK, "You are signed out")
			want := []string{clearShape(sessionCookie), clearShape(attemptsCookie)}
			for _, n := range logins {
				want = append(want, clearShape(n))
			}
			if diff := cmp.Diff(want, cookieShapes(d.Header)); diff != "" {
				t.Errorf("Set-Cookie mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]jarCookie{{"theme", "dark"}}, b.jar, cmp.AllowUnexported(jarCookie{})); diff != "" {
				t.Errorf("cookies left mismatch (-want +got):\n%s", diff)
			}
			if ev := e.lastEvent(); ev.Name != EventLogout || ev.User != "ada@example.com" {
				t.Errorf("last event = %s (user %q); want %s by ada@example.com", ev.Name, ev.User, EventLogout)
			}
			if d := b.fetch(gateOrigin + "/"); d.Forward != nil {
				t.Errorf("after logout: forwarded; want 401")
			}
		})
	}
}

func TestLogoutCrossSiteRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
	}{
		{"cross-site", header("Sec-Fetch-Site", "cross-site")},
		{"same-site", header("Sec-Fetch-Site", "same-site")},
		{"cross-site despite origin", header("Sec-Fetch-Site", "cross-site", "Origin", gateOrigin)},
		{"foreign origin", header("Origin", "https://evil.example")},
		{"look-alike origin", header("Origin", gateOrigin+".evil.example")},
		{"origin over http", header("Origin", "http://gate.example")},
		{"opaque origin", header("Origin", "null")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			b.mustSignIn(gateOrigin+"/", "/")
			before := append([]jarCookie(nil), b.jar...)

			d := b.do(http.MethodPost, gateOrigin+"/_gate/logout", tt.header)
			checkPage(t, d, http.StatusForbidden, "Sign out from this site")
			if got := d.Header.Values("Set-Cookie"); got != nil {
				t.Errorf("Set-Cookie = %q; want none", got)
			}
			if diff := cmp.Diff(before, b.jar, cmp.AllowUnexported(jarCookie{})); diff != "" {
				t.Errorf("cookies changed (-want +got):\n%s", diff)
			}
			if ev := e.lastEvent(); ev.Name != EventLogoutRefused || ev.Reason != "cross_site" {
				t.Errorf("last event = %s/%s; want %s/cross_site", ev.Name, ev.Reason, EventLogoutRefused)
			}
			if d := b.fetch(gateOrigin + "/"); d.Forward == nil {
				t.Errorf("after refused logout: status %d; want still signed in", d.Status)
			}
		})
	}
}

func TestLogoutMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		d := b.do(m, gateOrigin+"/_gate/logout", header("Sec-Fetch-Site", "same-origin"))
		checkMethodNotAllowed(t, d, "GET, HEAD, POST")
		if got := d.Header.Values("Set-Cookie"); got != nil {
			t.Errorf("%s logout: Set-Cookie = %q; want none", m, got)
		}
	}
}

func TestUserinfoEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	e.clock.Advance(time.Minute)

	d := b.fetch(gateOrigin + "/_gate/userinfo")
	want := &Decision{
		Status: http.StatusOK,
		Header: http.Header{
			"Content-Type":           {"application/json"},
			"Cache-Control":          {"no-store"},
			"X-Content-Type-Options": {"nosniff"},
		},
		Body: `{"email":"ada@example.com","name":"ada.lovelace","user_id":"71000001",` +
			`"mid":100000001,"eid":100000000,` +
			`"sub":"71000001","member_id":100000001,"enterprise_id":100000000,` +
			`"auth_time":1772442000,"expires":1772470800}` + "\n",
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("userinfo mismatch (-want +got):\n%s", diff)
	}
	if got, want := epoch.Unix(), int64(1772442000); got != want {
		t.Fatalf("epoch = %d; the test's auth_time assumes %d", got, want)
	}

	anon := e.browser(ada)
	checkLoginRequired(t, anon.fetch(gateOrigin+"/_gate/userinfo"), "/_gate/login?rd=%2F")
	checkLoginRequired(t, anon.navigate(gateOrigin+"/_gate/userinfo"), "/_gate/login?rd=%2F")
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, b := range []*browser{e.browser(ada), signedIn(t, e, ada)} {
		d := b.fetch(gateOrigin + "/_gate/healthz")
		want := &Decision{
			Status: http.StatusOK,
			Header: http.Header{
				"Content-Type":           {"text/plain; charset=utf-8"},
				"Cache-Control":          {"no-store"},
				"X-Content-Type-Options": {"nosniff"},
			},
			Body: "ok\n",
		}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Errorf("healthz mismatch (-want +got):\n%s", diff)
		}
	}
}

// userinfo and healthz only report: any other method gets 405 naming GET
// and HEAD, whether or not the browser is signed in.
func TestReadOnlyEndpointMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, b := range []*browser{e.browser(ada), signedIn(t, e, ada)} {
		for _, p := range []string{"/_gate/userinfo", "/_gate/healthz"} {
			for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch,
				http.MethodOptions, "TRACE", "get", "PROPFIND"} {
				d := b.do(m, gateOrigin+p, header("Sec-Fetch-Site", "same-origin", "Content-Type", "application/json"))
				checkMethodNotAllowed(t, d, "GET, HEAD")
				if got := d.Header.Values("Set-Cookie"); got != nil {
					t.Errorf("%s %s: Set-Cookie = %q; want none", m, p, got)
				}
			}
		}
	}

	b := signedIn(t, e, ada)
	for _, p := range []string{"/_gate/userinfo", "/_gate/healthz"} {
		if d := b.do(http.MethodHead, gateOrigin+p, subRequest()); d.Status != http.StatusOK {
			t.Errorf("HEAD %s = %d; want 200", p, d.Status)
		}
	}
}

func TestUnknownEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	for _, p := range []string{
		"/_gate/", "/_gate/x", "/_gate/LOGIN", "/_gate/login/", "/_gate/login/x",
		"/_gate/healthz/", "/_gate//logout", "/_gate/%6Cogin", "/_gate/callback/x",
	} {
		d := b.navigate(gateOrigin + p)
		checkPage(t, d, http.StatusNotFound, "Not found")
	}
}

func TestMisconfigured(t *testing.T) {
	t.Parallel()
	const secretValue = "a secret with spaces SECRETVALUE"
	e := newEnv(t, nil)
	_, err := config.Parse(func(name string) string {
		switch name {
		case config.VarClientSecret:
			return secretValue
		case config.VarSessionKeys:
			return "short-KEYVALUE"
		case config.VarRedirectURI:
			return redirectURI
		}
		return ""
	})
	if err == nil {
		t.Fatalf("config.Parse() = nil error; want problems")
	}
	g := Misconfigured(err, e.options())
	b := e.browser(ada)
	b.g = g

	if ev := e.eventsNamed(EventConfigInvalid); len(ev) != 0 {
		t.Errorf("config_invalid events before any request = %+v; want none", ev)
	}

	for _, p := range []string{"/", "/page?x=1", "/_gate/login?rd=%2F", "/_gate/callback?code=x&state=y", "/_gate/userinfo", "/_gate/logout"} {
		for _, h := range []http.Header{navigation(), subRequest()} {
			d := b.do(http.MethodGet, gateOrigin+p, h)
			checkPageHeader(t, d, http.StatusInternalServerError, "This site's sign-in is misconfigured", true)
			checkConfigLogged(t, e, d)
		}
	}
	d := b.do(http.MethodPost, gateOrigin+"/form", nil)
	checkPageHeader(t, d, http.StatusInternalServerError, "This site's sign-in is misconfigured", true)
	checkConfigLogged(t, e, d)
	d = b.do(http.MethodGet, gateOrigin+"/page", header("Cf-Ray", "8f1e2d3c4b5a6978-AMS"))
	if ev := e.lastEvent(); ev.Name != EventConfigInvalid || ev.RequestID != "8f1e2d3c4b5a6978-AMS" {
		t.Errorf("last event = %s under id %q; want %s under the Cf-Ray id", ev.Name, ev.RequestID, EventConfigInvalid)
	}

	d = b.fetch(gateOrigin + "/_gate/healthz")
	if d.Status != http.StatusInternalServerError || d.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("healthz: status %d, Content-Type %q; want 500 text", d.Status, d.Header.Get("Content-Type"))
	}
	var ce *config.Error
	errors.As(err, &ce)
	wantBody := "misconfigured\n"
	for _, p := range ce.Problems {
		wantBody += p.Var + ": " + p.Msg + "\n"
	}
	if d.Body != wantBody {
		t.Errorf("healthz body = %q; want %q", d.Body, wantBody)
	}
	for _, v := range []string{config.VarSubdomain, config.VarClientID, config.VarClientSecret, config.VarSessionKeys} {
		if !strings.Contains(d.Body, v+": ") {
			t.Errorf("healthz does not name %s:\n%s", v, d.Body)
		}
	}
	if ev := e.lastEvent(); ev.Name != EventConfigInvalid || ev.RequestID == "" {
		t.Errorf("healthz: last event = %s under id %q; want %s with a request id", ev.Name, ev.RequestID, EventConfigInvalid)
	}
	if got, want := len(e.eventsNamed(EventConfigInvalid)), 15; got != want {
		t.Errorf("config_invalid events = %d; want one per request, %d", got, want)
	}
	e.addSecret("SECRETVALUE")
	e.addSecret("KEYVALUE")
	e.checkNoLeaks()
}

// checkConfigLogged fails unless the last event logged is the
// config_invalid line of the request that got page d: under the request id
// the page shows, naming the variables at fault.
func checkConfigLogged(t *testing.T, e *env, d *Decision) {
	t.Helper()
	m := requestIDText.FindStringSubmatch(d.Body)
	if m == nil {
		t.Fatalf("page has no request id")
	}
	ev := e.lastEvent()
	if ev.Name != EventConfigInvalid || ev.Level != "error" || ev.RequestID != m[1] {
		t.Errorf("last event = %s %s under id %q; want error %s under the page's id %q",
			ev.Level, ev.Name, ev.RequestID, EventConfigInvalid, m[1])
	}
	for _, v := range []string{config.VarClientID, config.VarSessionKeys} {
		if !strings.Contains(ev.Detail, v+": ") {
			t.Errorf("config_invalid detail %q does not name %s", ev.Detail, v)
		}
	}
}

func TestMisconfiguredOtherError(t *testing.T) {
	t.Parallel()
	g := Misconfigured(errors.New("loading configuration: no environment"), Options{})
	r := func(target string) *Decision {
		return g.Handle(t.Context(), httptest.NewRequest(http.MethodGet, target, nil))
	}
	if d := r(gateOrigin + "/_gate/healthz"); d.Status != http.StatusInternalServerError ||
		d.Body != "misconfigured\nloading configuration: no environment\n" {
		t.Errorf("healthz = %d %q; want 500 naming the error", d.Status, d.Body)
	}
	checkPageHeader(t, r(gateOrigin+"/"), http.StatusInternalServerError, "This site's sign-in is misconfigured", true)
}
