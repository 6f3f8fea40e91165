package gate

import (
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/page"
	"github.com/google/go-cmp/cmp"
)

func TestUnsignedNavigationStartsSignIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		header http.Header
	}{
		{"sec-fetch navigate", http.MethodGet, navigation()},
		{"accept html without sec-fetch", http.MethodGet, header("Accept", "text/html,*/*;q=0.8")},
		{"head navigate", http.MethodHead, navigation()},
		// Node's fetch, and so Miniflare's dispatchFetch, sends
		// Sec-Fetch-Mode: cors without Sec-Fetch-Dest, whatever it asks for.
		{"node fetch accepting html", http.MethodGet, header("Sec-Fetch-Mode", "cors", "Accept", "text/html")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)

			d := b.do(tt.method, gateOrigin+"/page/x?a=1&b=%20two", tt.header)
			state := e.checkSignInStarted(t, d)
			loc, _ := url.Parse(d.Header.Get("Location"))
			if got, want := loc.Scheme+"://"+loc.Host+loc.Path, e.srv.URL+"/v2/authorize"; got != want {
				t.Errorf("authorize endpoint = %q; want %q", got, want)
			}
			wantQuery := url.Values{
				"response_type": {"code"},
				"client_id":     {testClientID},
				"redirect_uri":  {redirectURI},
				"state":         {state},
			}
			if diff := cmp.Diff(wantQuery, loc.Query()); diff != "" {
				t.Errorf("authorize query mismatch (-want +got):\n%s", diff)
			}
			if raw, err := base64.RawURLEncoding.DecodeString(state); err != nil || len(raw) < 16 {
				t.Errorf("state %q decodes to %d bytes (%v); want at least 16 random bytes", state, len(raw), err)
			}

			name := loginCookieName(state)
			if diff := cmp.Diff([]string{setShape(name, "600")}, cookieShapes(d.Header)); diff != "" {
				t.Errorf("Set-Cookie mismatch (-want +got):\n%s", diff)
			}
			checkRedirect(t, d, d.Header.Get("Location"))

			v, _ := b.cookie(name)
			l, ok := b.g.openLogin(name, v)
			if !ok {
				t.Fatalf("login cookie %s does not open", name)
			}
			if l.State != state || l.Return != "/page/x?a=1&b=%20two" || !l.Created.Equal(epoch) {
				t.Errorf("login = %+v; want state %q, return %q, created %v", l, state, "/page/x?a=1&b=%20two", epoch)
			}
			if got := e.lastEvent(); got.Name != EventLoginStarted || got.Reason != "" {
				t.Errorf("last event = %s/%s; want %s", got.Name, got.Reason, EventLoginStarted)
			}
		})
	}
}

func TestStateIsFreshPerAttempt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	same := e.browser(ada)
	seen := map[string]bool{}
	for i := range 6 {
		b := same
		if i%2 == 1 {
			b = e.browser(ada)
		}
		state := e.checkSignInStarted(t, b.navigate(gateOrigin+"/"))
		if seen[state] {
			t.Fatalf("attempt %d reused state %q", i, state)
		}
		seen[state] = true
	}
}

func TestUnsignedRequestIsNotForwarded(t *testing.T) {
	t.Parallel()
	const target = gateOrigin + "/api/data?x=1"
	const login = "/_gate/login?rd=%2Fapi%2Fdata%3Fx%3D1"
	tests := []struct {
		name   string
		method string
		header http.Header
	}{
		{"fetch", http.MethodGet, subRequest()},
		{"any accept without sec-fetch", http.MethodGet, header("Accept", "*/*")},
		{"no headers at all", http.MethodGet, nil},
		{"image", http.MethodGet, header("Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image", "Accept", "image/*")},
		{"fetch claiming html", http.MethodGet, header("Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty", "Accept", "text/html")},
		{"node fetch accepting json", http.MethodGet, header("Sec-Fetch-Mode", "cors", "Accept", "application/json")},
		{"post json", http.MethodPost, header("Sec-Fetch-Mode", "cors", "Content-Type", "application/json")},
		{"put", http.MethodPut, header("Sec-Fetch-Mode", "cors", "Content-Type", "application/json")},
		{"delete", http.MethodDelete, header("Sec-Fetch-Mode", "cors")},
		{"patch without sec-fetch", http.MethodPatch, header("Content-Type", "application/json")},
		{"options", http.MethodOptions, header("Sec-Fetch-Mode", "cors", "Access-Control-Request-Method", "PUT")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			d := e.browser(ada).do(tt.method, target, tt.header)
			checkLoginRequired(t, d, login)
			if got := d.Header.Values("Set-Cookie"); got != nil {
				t.Errorf("Set-Cookie = %q; want none", got)
			}
		})
	}
}

func TestUnsignedFormSubmissionGetsPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		header  http.Header
		wantRet string // where the page's sign-in link returns to
	}{
		{
			name:   "same-origin referer",
			method: http.MethodPost,
			header: header("Sec-Fetch-Mode", "navigate", "Content-Type", "application/x-www-form-urlencoded",
				"Referer", gateOrigin+"/form?step=2&x=%C3%A9"),
			wantRet: "/form?step=2&x=%C3%A9",
		},
		{
			name:    "multipart without sec-fetch",
			method:  http.MethodPost,
			header:  header("Content-Type", "multipart/form-data; boundary=x", "Referer", gateOrigin+"/upload"),
			wantRet: "/upload",
		},
		{
			name:    "put navigating",
			method:  http.MethodPut,
			header:  header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+"/edit"),
			wantRet: "/edit",
		},
		{"foreign referer", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", "https://evil.example/form"), "/"},
		{"referer on a look-alike host", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+".evil.example/form"), "/"},
		{"referer with userinfo", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+"@evil.example/form"), "/"},
		{"referer over http", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", "http://gate.example/form"), "/"},
		{"referer with protocol-relative path", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+"//evil.example/"), "/"},
		{"referer with backslash path", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+"/\\evil.example/"), "/"},
		{"referer into the gate", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+"/_gate/logout"), "/"},
		{"referer is the bare origin", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin), "/"},
		{"no referer", http.MethodPost, header("Content-Type", "application/x-www-form-urlencoded"), "/"},
		{"referer with markup", http.MethodPost, header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+`/"><script>alert(1)</script>`), `/"><script>alert(1)</script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			d := e.browser(ada).do(tt.method, gateOrigin+"/submit", tt.header)
			checkPage(t, d, http.StatusUnauthorized, "Your sign-in has expired")
			href := `href="` + html.EscapeString(loginPath(tt.wantRet)) + `"`
			if !strings.Contains(d.Body, href) {
				t.Errorf("page has no link %s:\n%s", href, d.Body)
			}
			if strings.Contains(d.Body, "<script") {
				t.Errorf("page holds a script tag:\n%s", d.Body)
			}
			if got := d.Header.Values("Set-Cookie"); got != nil {
				t.Errorf("Set-Cookie = %q; want none", got)
			}
		})
	}
}

// A frame's navigation is not top-level: the doc of signInRequired says only
// a top-level navigation is redirected, and signInRequired has a branch for
// frames that shows the sign-in page instead. Browsers send
// Sec-Fetch-Mode: navigate for frames too, so that branch is never reached
// and a framed CloudPage is sent to Marketing Cloud's login inside the frame.
func TestUnsignedFrameNavigationGetsSignInPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	h := navigation()
	h.Set("Sec-Fetch-Dest", "iframe")
	h.Set("Sec-Fetch-Site", "cross-site")
	h.Del("Sec-Fetch-User")

	d := e.browser(ada).do(http.MethodGet, gateOrigin+"/embed?id=7", h)
	if d.Status == http.StatusFound {
		t.Fatalf("frame navigation: 302 to %q; want the 401 sign-in page, not a redirect inside the frame",
			d.Header.Get("Location"))
	}
	// The page may be framed, so that the frame shows it rather than the
	// browser's refusal; its link opens in the whole window.
	framed := *d
	framed.Header = d.Header.Clone()
	if got := framed.Header.Get("Content-Security-Policy"); got != page.FramedCSP {
		t.Errorf("Content-Security-Policy = %q; want %q", got, page.FramedCSP)
	}
	if got := framed.Header.Values("X-Frame-Options"); got != nil {
		t.Errorf("X-Frame-Options = %q; want none", got)
	}
	framed.Header.Set("Content-Security-Policy", page.CSP)
	framed.Header.Set("X-Frame-Options", "DENY")
	checkPage(t, &framed, http.StatusUnauthorized, "Sign in to continue")
	if !strings.Contains(d.Body, `target="_top"`) {
		t.Errorf("page's link does not open in the whole window:\n%s", d.Body)
	}
	href := `href="` + html.EscapeString(loginPath("/embed?id=7")) + `"`
	if !strings.Contains(d.Body, href) {
		t.Errorf("page has no link %s", href)
	}
}

func TestFullSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)
	b.setCookie("theme", "dark") // the origin's own cookie, set before

	cb := b.startSignIn(gateOrigin + "/page?a=1&b=two")
	cbURL, _ := url.Parse(cb)
	state := cbURL.Query().Get("state")
	login := loginCookieName(state)

	d := b.navigate(cb)
	checkRedirect(t, d, "/page?a=1&b=two")
	want := []string{clearShape(login), setShape(usedCookieName(state), "600"),
		setShape(sessionCookie, "28800"), setShape(attemptsCookie, "120")}
	if diff := cmp.Diff(want, cookieShapes(d.Header)); diff != "" {
		t.Errorf("callback Set-Cookie mismatch (-want +got):\n%s", diff)
	}
	sess, _ := b.cookie(sessionCookie)
	if len(sess) >= 1024 {
		t.Errorf("session cookie is %d bytes; want under 1 KB", len(sess))
	}
	if got := b.loginCookies(); got != nil {
		t.Errorf("login cookies left after the callback: %q", got)
	}
	if got, want := e.hit("/v2/token"), 1; got != want {
		t.Errorf("token requests = %d; want %d", got, want)
	}
	ev := e.eventsNamed(EventLoginSucceeded)
	if len(ev) != 1 || ev[0].User != "ada@example.com" || ev[0].MID != 100000001 {
		t.Errorf("login_succeeded events = %+v; want one for ada@example.com, MID 100000001", ev)
	}

	b.setCookie("lang", "en") // and one set after
	d = b.navigate(gateOrigin + "/page?a=1&b=two")
	wantHeader := navigation()
	wantHeader["Cookie"] = []string{"theme=dark; lang=en"}
	wantHeader[HeaderEmail] = []string{"ada@example.com"}
	wantHeader[HeaderName] = []string{"ada.lovelace"}
	wantHeader[HeaderUserID] = []string{ada}
	wantHeader[HeaderMID] = []string{"100000001"}
	wantHeader[HeaderEID] = []string{"100000000"}
	if d.Forward == nil || d.Forward.URL != originURL+"/page?a=1&b=two" {
		t.Fatalf("signed-in decision = %+v; want a forward to %s", d, originURL+"/page?a=1&b=two")
	}
	if diff := cmp.Diff(wantHeader, e.sentHeader(d)); diff != "" {
		t.Errorf("header sent to the origin mismatch (-want +got):\n%s", diff)
	}
	wantAdded := http.Header{"Set-Cookie": {clearCookie(attemptsCookie)}}
	if diff := cmp.Diff(wantAdded, d.Forward.ResponseHeader); diff != "" {
		t.Errorf("headers added to the answer mismatch (-want +got):\n%s", diff)
	}

	// The loop breaker's count is gone, so nothing more is set.
	d = b.fetch(gateOrigin + "/api/x")
	if d.Forward == nil || d.Forward.ResponseHeader != nil {
		t.Errorf("second signed-in request: %+v; want a forward that sets nothing", d)
	}
}

func TestSignInThroughFakeSignInPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(alan)
	b.mustSignIn(gateOrigin+"/", "/")
	if got, want := e.hit("/_fake/signin"), 1; got != want {
		t.Errorf("fake sign-in form posts = %d; want %d", got, want)
	}
	d := b.fetch(gateOrigin + "/x")
	if d.Forward == nil || e.sentHeader(d).Get(HeaderMID) != "100000002" {
		t.Errorf("forward = %+v; want alan's MID 100000002", d.Forward)
	}
}

func TestHostMismatchRedirectsToRedirectURIHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, want string
	}{
		{"other host", "http://other.example/x?y=1", gateOrigin + "/x?y=1"},
		{"plain http", "http://gate.example/x", gateOrigin + "/x"},
		{"other port", "https://gate.example:8443/a/b", gateOrigin + "/a/b"},
		{"subdomain", "https://www.gate.example/", gateOrigin + "/"},
		{"hostile path", "https://other.example//evil.example/", gateOrigin + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			d := e.browser(ada).navigate(tt.target)
			checkRedirect(t, d, tt.want)
			if got := d.Header.Values("Set-Cookie"); got != nil {
				t.Errorf("Set-Cookie = %q; want none on another host", got)
			}
			if ev := e.lastEvent(); ev.Name != EventLoginStarted || ev.Reason != "host_mismatch" {
				t.Errorf("last event = %s/%s; want %s/host_mismatch", ev.Name, ev.Reason, EventLoginStarted)
			}
		})
	}
}

// A browser (and the Workers runtime) lowercases the host and drops a
// default port, so a redirect URI written otherwise must still be
// recognised as the request's own origin; if not, every navigation is sent
// to the same address again, for ever.
func TestRedirectURIOriginIsNormalised(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, redirect string }{
		{"upper-case host", "https://Gate.Example/_gate/callback"},
		{"default port", "https://gate.example:443/_gate/callback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, map[string]string{config.VarRedirectURI: tt.redirect})
			d := e.browser(ada).navigate(gateOrigin + "/page")
			if loc := d.Header.Get("Location"); !e.isAuthorize(loc) {
				t.Fatalf("navigate(%s/page) with MC_REDIRECT_URI %s: %d to %q; want 302 to the authorize endpoint",
					gateOrigin, tt.redirect, d.Status, loc)
			}
		})
	}
}

func TestParallelSignInsLandOnTheirOwnPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)

	cbOne := b.startSignIn(gateOrigin + "/one?tab=1")
	cbTwo := b.startSignIn(gateOrigin + "/two?tab=2")
	if got := len(b.loginCookies()); got != 2 {
		t.Fatalf("login cookies = %d; want 2", got)
	}

	checkRedirect(t, b.navigate(cbTwo), "/two?tab=2")
	checkRedirect(t, b.navigate(cbOne), "/one?tab=1")
	if got := b.loginCookies(); got != nil {
		t.Errorf("login cookies left: %q", got)
	}
	// The second callback finds the session the first one set.
	if got, want := e.hit("/v2/token"), 1; got != want {
		t.Errorf("token requests = %d; want %d", got, want)
	}
}

func TestParallelSignInsBeforeEitherCompletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)
	cbOne := b.startSignIn(gateOrigin + "/one")
	cbTwo := b.startSignIn(gateOrigin + "/two")

	// The first tab's session is lost before the second tab returns.
	checkRedirect(t, b.navigate(cbTwo), "/two")
	b.deleteCookie(sessionCookie)
	checkRedirect(t, b.navigate(cbOne), "/one")
	if got, want := e.hit("/v2/token"), 2; got != want {
		t.Errorf("token requests = %d; want %d", got, want)
	}
}

func TestLoginCookiesAreCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)

	var callbacks []string
	for i := range 7 {
		callbacks = append(callbacks, b.startSignIn(gateOrigin+"/p"+strconv.Itoa(i)))
		if n := len(b.loginCookies()); n > maxLogins {
			t.Fatalf("after attempt %d: %d login cookies; want at most %d", i, n, maxLogins)
		}
		e.clock.Advance(time.Second)
	}
	if n := len(b.loginCookies()); n != maxLogins {
		t.Errorf("login cookies = %d; want %d", n, maxLogins)
	}

	// The oldest attempts were evicted; the newest still complete.
	for _, cb := range callbacks[:3] {
		checkPage(t, b.navigate(cb), http.StatusBadRequest, "Sign-in could not be completed")
	}
	for i, cb := range callbacks[3:] {
		checkRedirect(t, b.navigate(cb), "/p"+strconv.Itoa(i+3))
	}
}

func TestExpiredLoginCookiesAreClearedFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)
	b.navigate(gateOrigin + "/old")
	stale := b.loginCookies()
	e.clock.Advance(loginTTL + time.Second)
	b.setCookie(loginCookie+"forged", "not-sealed")

	d := b.navigate(gateOrigin + "/new")
	shapes := cookieShapes(d.Header)
	for _, name := range append(stale, loginCookie+"forged") {
		if !slices.Contains(shapes, clearShape(name)) {
			t.Errorf("Set-Cookie = %q; want %s cleared", shapes, name)
		}
	}
	if got := len(b.loginCookies()); got != 1 {
		t.Errorf("login cookies = %d; want 1", got)
	}
}

func TestLoopBreaker(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)

	// A browser that drops the session cookie signs in again and again.
	for range loopLimit {
		b.mustSignIn(gateOrigin+"/page", "/page")
		b.deleteCookie(sessionCookie)
		e.clock.Advance(10 * time.Second)
	}
	d := b.navigate(gateOrigin + "/page")
	checkPage(t, d, http.StatusBadRequest, "Sign-in keeps repeating")
	if got := b.loginCookies(); got != nil {
		t.Errorf("loop page started an attempt: %q", got)
	}
	if ev := e.lastEvent(); ev.Name != EventLoginLoop || ev.Reason != "too_many_sign_ins" {
		t.Errorf("last event = %s/%s; want %s/too_many_sign_ins", ev.Name, ev.Reason, EventLoginLoop)
	}

	// The window passes, and signing in is possible again.
	e.clock.Advance(loopWindow)
	e.checkSignInStarted(t, b.navigate(gateOrigin+"/page"))
}

func TestLoopBreakerResetsOnceSessionIsSeen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)

	for range loopLimit - 1 {
		b.mustSignIn(gateOrigin+"/page", "/page")
		b.deleteCookie(sessionCookie)
	}
	b.mustSignIn(gateOrigin+"/page", "/page")
	if d := b.navigate(gateOrigin + "/page"); d.Forward == nil {
		t.Fatalf("signed-in navigation: status %d; want a forward", d.Status)
	}
	if _, ok := b.cookie(attemptsCookie); ok {
		t.Fatalf("attempts cookie kept after a session was seen")
	}

	b.deleteCookie(sessionCookie)
	for range loopLimit - 1 {
		b.mustSignIn(gateOrigin+"/page", "/page")
		b.deleteCookie(sessionCookie)
	}
	e.checkSignInStarted(t, b.navigate(gateOrigin+"/page"))
}

func TestReauthAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarReauthAfter: "30m"})
	b := e.browser(ada)
	b.mustSignIn(gateOrigin+"/page", "/page")

	e.clock.Advance(29 * time.Minute)
	if d := b.navigate(gateOrigin + "/page"); d.Forward == nil {
		t.Fatalf("navigation before REAUTH_AFTER: status %d; want a forward", d.Status)
	}

	e.clock.Advance(time.Minute)
	if d := b.fetch(gateOrigin + "/api"); d.Forward == nil || e.sentHeader(d).Get(HeaderEmail) != "ada@example.com" {
		t.Errorf("sub-request after REAUTH_AFTER: %+v; want a forward as ada", d)
	}
	d := b.navigate(gateOrigin + "/page?again=1")
	e.checkSignInStarted(t, d)
	checkNoSession(t, d)

	// Marketing Cloud still knows the user: the round trip renews the
	// session without a prompt, and the sign-in time moves on.
	old, _ := b.cookie(sessionCookie)
	checkRedirect(t, b.navigate(b.authorize(d.Header.Get("Location"))), "/page?again=1")
	renewed, _ := b.cookie(sessionCookie)
	if renewed == old {
		t.Fatalf("session cookie unchanged after re-authorization")
	}
	o, reason := b.g.openSession(renewed, b.g.now())
	if reason != "" || !o.s.AuthTime.Equal(e.clock.Now()) {
		t.Errorf("renewed session: %+v, %q; want auth time %v", o, reason, e.clock.Now())
	}
	if d := b.navigate(gateOrigin + "/page"); d.Forward == nil {
		t.Errorf("navigation after renewal: status %d; want a forward", d.Status)
	}
}

func TestReauthForwardedAccessToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarForwardAccessToken: "true"})
	b := e.browser(ada)
	b.mustSignIn(gateOrigin+"/", "/")

	// Real tokens live 1079 s; a navigation within a minute of that renews.
	e.clock.Advance(1079*time.Second - time.Minute - time.Second)
	if d := b.navigate(gateOrigin + "/"); d.Forward == nil {
		t.Fatalf("navigation while the token is good: status %d; want a forward", d.Status)
	}
	e.clock.Advance(time.Second)
	e.checkSignInStarted(t, b.navigate(gateOrigin+"/"))
}

func TestLoginCookiesCappedWithinOneSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)
	var last string
	for i := range 6 {
		last = b.startSignIn(gateOrigin + "/q" + strconv.Itoa(i))
		if n := len(b.loginCookies()); n > maxLogins {
			t.Fatalf("after attempt %d: %d login cookies; want at most %d", i, n, maxLogins)
		}
	}
	checkRedirect(t, b.navigate(last), "/q5")
}

func TestEvictee(t *testing.T) {
	t.Parallel()
	at := func(name string, sec int, used bool) attempt {
		return attempt{name: name, created: epoch.Add(time.Duration(sec) * time.Second), used: used}
	}
	tests := []struct {
		name string
		in   []attempt
		want string
	}{
		{"one", []attempt{at("a", 0, false)}, "a"},
		{"oldest attempt", []attempt{at("a", 2, false), at("b", 1, false), at("c", 3, false)}, "b"},
		{"a mark before an older attempt", []attempt{at("a", 0, false), at("b", 1, false), at("m", 9, true)}, "m"},
		{"the oldest of the marks", []attempt{at("m1", 5, true), at("a", 0, false), at("m2", 4, true)}, "m2"},
		{"a mark first in line", []attempt{at("m", 9, true), at("a", 0, false)}, "m"},
		{"ties keep the first", []attempt{at("a", 1, false), at("b", 1, false)}, "a"},
		{"a mark from the future still goes first", []attempt{at("a", 0, false), at("m", 1<<30, true)}, "m"},
	}
	for _, tt := range tests {
		if got := tt.in[evictee(tt.in)].name; got != tt.want {
			t.Errorf("%s: evictee = %q; want %q", tt.name, got, tt.want)
		}
	}
}
