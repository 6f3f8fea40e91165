package gate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mcfake"
	"github.com/cloudpage-gate/gate/shared/session"
)

// withQuery returns cb with its query rewritten by edit.
func withQuery(t testing.TB, cb string, edit func(q url.Values)) string {
	t.Helper()
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatalf("parsing %q: %v", cb, err)
	}
	q := u.Query()
	edit(q)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestCallbackRefusedBeforeTokenRequest(t *testing.T) {
	t.Parallel()
	const (
		lost    = "Sign-in could not be completed"
		invalid = "This sign-in link is not valid"
	)
	tests := []struct {
		name       string
		callback   func(t *testing.T, e *env, b *browser) string // the URL b sends
		method     string
		wantStatus int
		wantTitle  string
		wantReason string
	}{
		{
			name: "state of another browser",
			callback: func(t *testing.T, e *env, b *browser) string {
				b.startSignIn(gateOrigin + "/mine")
				return e.browser(ada).startSignIn(gateOrigin + "/theirs")
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "no_login_cookie",
		},
		{
			name: "login cookie moved to the other state's name",
			callback: func(t *testing.T, e *env, b *browser) string {
				b.startSignIn(gateOrigin + "/mine")
				mine := b.jar[0].value
				cb := e.browser(ada).startSignIn(gateOrigin + "/theirs")
				u, _ := url.Parse(cb)
				b.setCookie(loginCookieName(u.Query().Get("state")), mine)
				return cb
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "login_cookie_unreadable",
		},
		{
			// A login cookie sealed by the gate's own key under the callback's
			// name, holding another state: only the comparison of the states
			// refuses it.
			name: "login cookie holds another state",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				u, _ := url.Parse(cb)
				state := u.Query().Get("state")
				other := state[:len(state)-1] + map[bool]string{true: "A", false: "B"}[state[len(state)-1] != 'A']
				l := session.Login{State: other, Return: "/", Created: e.clock.Now()}
				plain, err := l.MarshalBinary()
				if err != nil {
					t.Fatalf("MarshalBinary() = %v", err)
				}
				name := loginCookieName(state)
				b.setCookie(name, seal(t, keyA, name, plain))
				return cb
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "state_mismatch",
		},
		{
			name: "state changed",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				return withQuery(t, cb, func(q url.Values) { q.Set("state", q.Get("state")+"x") })
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "no_login_cookie",
		},
		{
			name: "missing state",
			callback: func(t *testing.T, e *env, b *browser) string {
				return withQuery(t, b.startSignIn(gateOrigin+"/"), func(q url.Values) { q.Del("state") })
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "missing_state",
		},
		{
			name: "empty state",
			callback: func(t *testing.T, e *env, b *browser) string {
				return withQuery(t, b.startSignIn(gateOrigin+"/"), func(q url.Values) { q.Set("state", "") })
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "missing_state",
		},
		{
			name: "missing login cookie",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				b.jar = nil
				return cb
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "no_login_cookie",
		},
		{
			name: "login cookie expired",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				e.clock.Advance(loginTTL)
				return cb
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "login_expired",
		},
		{
			name: "login cookie tampered",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				b.jar[0].value = flip(b.jar[0].value)
				return cb
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost, wantReason: "login_cookie_unreadable",
		},
		{
			name: "duplicate state",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				return withQuery(t, cb, func(q url.Values) { q.Add("state", "attacker") })
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "malformed_query",
		},
		{
			name: "duplicate state, same value",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				return withQuery(t, cb, func(q url.Values) { q.Add("state", q.Get("state")) })
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "malformed_query",
		},
		{
			name: "duplicate code",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				return withQuery(t, cb, func(q url.Values) { q["code"] = []string{"attacker", q.Get("code")} })
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "malformed_query",
		},
		{
			name: "duplicate error",
			callback: func(t *testing.T, e *env, b *browser) string {
				return b.startSignIn(gateOrigin+"/") + "&error=access_denied&error=server_error"
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "malformed_query",
		},
		{
			name: "semicolon separator",
			callback: func(t *testing.T, e *env, b *browser) string {
				return b.startSignIn(gateOrigin+"/") + ";state=attacker"
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "malformed_query",
		},
		{
			name: "bad escape",
			callback: func(t *testing.T, e *env, b *browser) string {
				return b.startSignIn(gateOrigin+"/") + "&x=%zz"
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "malformed_query",
		},
		{
			name: "oversized state",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				return withQuery(t, cb, func(q url.Values) { q.Set("state", strings.Repeat("s", maxStateLen+1)) })
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "oversized_parameter",
		},
		{
			name: "oversized code",
			callback: func(t *testing.T, e *env, b *browser) string {
				cb := b.startSignIn(gateOrigin + "/")
				return withQuery(t, cb, func(q url.Values) { q.Set("code", strings.Repeat("c", maxCodeLen+1)) })
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "oversized_parameter",
		},
		{
			name: "missing code",
			callback: func(t *testing.T, e *env, b *browser) string {
				return withQuery(t, b.startSignIn(gateOrigin+"/"), func(q url.Values) { q.Del("code") })
			},
			wantStatus: http.StatusBadRequest, wantTitle: invalid, wantReason: "missing_code",
		},
		{
			name: "post",
			callback: func(t *testing.T, e *env, b *browser) string {
				return b.startSignIn(gateOrigin + "/")
			},
			method:     http.MethodPost,
			wantStatus: http.StatusMethodNotAllowed, wantTitle: "Not available this way",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			target := tt.callback(t, e, b)
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}

			d := b.do(method, target, navigation())
			if tt.wantStatus == http.StatusMethodNotAllowed {
				checkMethodNotAllowed(t, d, "GET, HEAD")
			} else {
				checkPage(t, d, tt.wantStatus, tt.wantTitle)
			}
			checkNoSession(t, d)
			if got := e.hit("/v2/token"); got != 0 {
				t.Errorf("token requests = %d; want none", got)
			}
			if tt.wantReason != "" {
				ev := e.lastEvent()
				if ev.Name != EventCallbackRefused || ev.Reason != tt.wantReason {
					t.Errorf("last event = %s/%s; want %s/%s", ev.Name, ev.Reason, EventCallbackRefused, tt.wantReason)
				}
			}
		})
	}
}

// flip changes one character in the middle of a sealed value.
func flip(v string) string {
	i := len(v) / 2
	c := byte('A')
	if v[i] == 'A' {
		c = 'B'
	}
	return v[:i] + string(c) + v[i+1:]
}

func TestCallbackReplay(t *testing.T) {
	t.Parallel()

	t.Run("signed in", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := e.browser(ada)
		cb := b.startSignIn(gateOrigin + "/page?x=1")
		checkRedirect(t, b.navigate(cb), "/page?x=1")

		// Back onto the old callback, or a reload of it: the browser is
		// signed in, so it goes on to where the attempt was going, and
		// Marketing Cloud is not asked again.
		for range 2 {
			d := b.navigate(cb)
			checkRedirect(t, d, "/page?x=1")
			if got := d.Header.Values("Set-Cookie"); got != nil {
				t.Errorf("replay: Set-Cookie = %q; want none", got)
			}
		}
		if got := e.hit("/v2/token"); got != 1 {
			t.Errorf("token requests = %d; want 1: a replay must not reach Marketing Cloud", got)
		}
	})

	t.Run("signed in, two tabs", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := e.browser(ada)
		one := b.startSignIn(gateOrigin + "/one")
		two := b.startSignIn(gateOrigin + "/two")
		checkRedirect(t, b.navigate(two), "/two")
		checkRedirect(t, b.navigate(one), "/one")
		checkRedirect(t, b.navigate(two), "/two")
		checkRedirect(t, b.navigate(one), "/one")
	})

	t.Run("signed in, mark expired", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := e.browser(ada)
		cb := b.startSignIn(gateOrigin + "/page")
		checkRedirect(t, b.navigate(cb), "/page")
		e.clock.Advance(loginTTL)
		checkRedirect(t, b.navigate(cb), "/")
	})

	t.Run("no session", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := e.browser(ada)
		cb := b.startSignIn(gateOrigin + "/page")
		checkRedirect(t, b.navigate(cb), "/page")
		b.deleteCookie(sessionCookie)

		d := b.navigate(cb)
		checkPage(t, d, http.StatusBadRequest, "Sign-in could not be completed")
		checkNoSession(t, d)
		if got := e.hit("/v2/token"); got != 1 {
			t.Errorf("token requests = %d; want 1", got)
		}
		if ev := e.lastEvent(); ev.Name != EventCallbackRefused || ev.Reason != "login_used" {
			t.Errorf("last event = %s/%s; want %s/login_used", ev.Name, ev.Reason, EventCallbackRefused)
		}
	})

	t.Run("login cookie kept", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := e.browser(ada)
		cb := b.startSignIn(gateOrigin + "/page")
		saved := slices.Clone(b.jar)
		checkRedirect(t, b.navigate(cb), "/page")

		// An attacker who copied the login cookie and the callback URL
		// replays both: Marketing Cloud refuses the spent code.
		thief := e.browser(ada)
		thief.jar = saved
		d := thief.navigate(cb)
		checkPage(t, d, http.StatusBadRequest, "Sign-in could not be completed")
		checkNoSession(t, d)
		if ev := e.lastEvent(); ev.Name != EventExchangeFailed || ev.Reason != "invalid_grant" {
			t.Errorf("last event = %s/%s; want %s/invalid_grant", ev.Name, ev.Reason, EventExchangeFailed)
		}
	})
}

// The mark a used attempt leaves never takes a callback to the token
// endpoint, whatever is done with it.
func TestUsedMarkIsNeverExchanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// edit changes the browser's cookies and the callback it replays,
		// once the attempt with this state completed and its session was
		// dropped.
		edit       func(t *testing.T, e *env, b *browser, state, cb string) string
		wantReason string
	}{
		{
			name: "replayed as it was",
			edit: func(_ *testing.T, _ *env, _ *browser, _, cb string) string {
				return cb
			},
			wantReason: "login_used",
		},
		{
			name: "with a fresh code for the same state",
			edit: func(t *testing.T, e *env, b *browser, _, cb string) string {
				// Marketing Cloud answers the old authorize request again.
				fresh := b.authorize(e.lastAuthorize)
				if fresh == cb {
					t.Fatalf("the fake sent the same code twice")
				}
				return fresh
			},
			wantReason: "login_used",
		},
		{
			name: "moved to the login cookie's name",
			edit: func(_ *testing.T, _ *env, b *browser, state, cb string) string {
				v, _ := b.cookie(usedCookieName(state))
				b.setCookie(loginCookieName(state), v)
				return cb
			},
			wantReason: "login_cookie_unreadable",
		},
		{
			name: "sealed as a login by the gate's key, without a state",
			edit: func(t *testing.T, _ *env, b *browser, state, cb string) string {
				v, _ := b.cookie(usedCookieName(state))
				plain, err := b.g.keys.Open(usedCookieName(state), v)
				if err != nil {
					t.Fatalf("opening the mark: %v", err)
				}
				b.setCookie(loginCookieName(state), seal(t, keyA, loginCookieName(state), plain))
				return cb
			},
			wantReason: "state_mismatch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			cb := b.startSignIn(gateOrigin + "/page")
			u, _ := url.Parse(cb)
			state := u.Query().Get("state")
			checkRedirect(t, b.navigate(cb), "/page")
			if _, ok := b.cookie(usedCookieName(state)); !ok {
				t.Fatalf("no mark %s after the callback", usedCookieName(state))
			}
			b.deleteCookie(sessionCookie)

			d := b.navigate(tt.edit(t, e, b, state, cb))
			checkPage(t, d, http.StatusBadRequest, "Sign-in could not be completed")
			checkNoSession(t, d)
			if got := e.hit("/v2/token"); got != 1 {
				t.Errorf("token requests = %d; want only the first sign-in's", got)
			}
			if ev := e.lastEvent(); ev.Name != EventCallbackRefused || ev.Reason != tt.wantReason {
				t.Errorf("last event = %s/%s; want %s/%s", ev.Name, ev.Reason, EventCallbackRefused, tt.wantReason)
			}
		})
	}
}

// A mark leads a signed-in browser only to its own attempt's path, on the
// gate's own origin.
func TestUsedMarkReturn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mark func(t *testing.T, e *env, b *browser, state string) // sets the mark for state
		want string
	}{
		{"another attempt's mark moved here", func(t *testing.T, e *env, b *browser, state string) {
			b.deleteCookie(sessionCookie)
			other := b.startSignIn(gateOrigin + "/other")
			checkRedirect(t, b.navigate(other), "/other")
			u, _ := url.Parse(other)
			v, _ := b.cookie(usedCookieName(u.Query().Get("state")))
			b.setCookie(usedCookieName(state), v)
		}, "/"},
		{"tampered", func(t *testing.T, e *env, b *browser, state string) {
			v, _ := b.cookie(usedCookieName(state))
			b.setCookie(usedCookieName(state), flip(v))
		}, "/"},
		{"sealed by the gate's key, leading off-site", func(t *testing.T, e *env, b *browser, state string) {
			markAt(t, e, b, state, "//evil.example/x")
		}, "/"},
		{"sealed by the gate's key, leading into the gate", func(t *testing.T, e *env, b *browser, state string) {
			markAt(t, e, b, state, "/_gate/logout")
		}, "/"},
		{"sealed by the gate's key, leading elsewhere on the site", func(t *testing.T, e *env, b *browser, state string) {
			markAt(t, e, b, state, "/elsewhere")
		}, "/elsewhere"},
		{"a login cookie under the mark's name", func(t *testing.T, e *env, b *browser, state string) {
			l := session.Login{State: state, Return: "/login", Created: e.clock.Now()}
			plain, _ := l.MarshalBinary()
			b.setCookie(usedCookieName(state), seal(t, keyA, loginCookieName(state), plain))
		}, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			cb := b.startSignIn(gateOrigin + "/page")
			u, _ := url.Parse(cb)
			state := u.Query().Get("state")
			checkRedirect(t, b.navigate(cb), "/page")
			if _, ok := b.cookie(usedCookieName(state)); !ok {
				t.Fatalf("no mark %s after the callback", usedCookieName(state))
			}

			tt.mark(t, e, b, state)
			checkRedirect(t, b.navigate(cb), tt.want)
		})
	}
}

// markAt seals a mark for state that leads to rd, as the gate would.
func markAt(t *testing.T, e *env, b *browser, state, rd string) {
	t.Helper()
	m := session.Login{Return: rd, Created: e.clock.Now()}
	plain, err := m.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary() = %v", err)
	}
	b.setCookie(usedCookieName(state), seal(t, keyA, usedCookieName(state), plain))
}

// Marks count towards the cap on sign-in cookies, and go before attempts
// in progress.
func TestUsedMarksAreCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)

	var used []string
	for i := range maxLogins {
		cb := b.startSignIn(gateOrigin + "/u" + strconv.Itoa(i))
		b.navigate(cb)
		b.deleteCookie(sessionCookie)
		used = append(used, cb)
		e.clock.Advance(loopWindow) // past the loop breaker, within loginTTL
	}
	if n := len(b.usedMarks()); n != maxLogins {
		t.Fatalf("marks = %d; want %d", n, maxLogins)
	}

	pending := []string{b.startSignIn(gateOrigin + "/p0"), b.startSignIn(gateOrigin + "/p1")}
	if n, m := len(b.loginCookies()), len(b.usedMarks()); n != 2 || n+m > maxLogins {
		t.Errorf("after two new attempts: %d attempts and %d marks; want 2 attempts and at most %d cookies in all",
			n, m, maxLogins)
	}
	for i, cb := range used {
		u, _ := url.Parse(cb)
		_, kept := b.cookie(usedCookieName(u.Query().Get("state")))
		if want := i >= 2; kept != want {
			t.Errorf("mark of attempt %d kept = %v; want %v (the oldest go first)", i, kept, want)
		}
	}
	for i, cb := range pending {
		checkRedirect(t, b.navigate(cb), "/p"+strconv.Itoa(i))
	}
	if len(b.cookieHeader()) > 4096 {
		t.Errorf("Cookie header of %d bytes; want a few kilobytes at most", len(b.cookieHeader()))
	}
}

func TestCallbackAuthorizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		sub        string
		edit       func(q url.Values) // nil keeps the fake's answer
		wantTitle  string
		wantCode   string // shown on the page in parentheses
		wantReason string
	}{
		{
			name: "user not licensed", sub: grace,
			wantTitle: "You don't have access to this app yet", wantReason: "user_not_licensed",
		},
		{
			name: "access denied", sub: ada,
			edit:      func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") },
			wantTitle: "Marketing Cloud did not sign you in", wantCode: "access_denied", wantReason: "access_denied",
		},
		{
			name: "script as error code", sub: ada,
			edit: func(q url.Values) {
				q.Set("error", `<script>alert("x")</script>`)
				q.Set("error_description", `<img src=x onerror=alert(1)>`)
			},
			wantTitle: "Marketing Cloud did not sign you in", wantCode: "unknown_error", wantReason: "unknown_error",
		},
		{
			name: "upper-case error code", sub: ada,
			edit:      func(q url.Values) { q.Set("error", "ACCESS_DENIED") },
			wantTitle: "Marketing Cloud did not sign you in", wantCode: "unknown_error", wantReason: "unknown_error",
		},
		{
			name: "long error code", sub: ada,
			edit:      func(q url.Values) { q.Set("error", strings.Repeat("a", 65)) },
			wantTitle: "Marketing Cloud did not sign you in", wantCode: "unknown_error", wantReason: "unknown_error",
		},
		{
			name: "error code with line break", sub: ada,
			edit:      func(q url.Values) { q.Set("error", "access_denied\r\nSet-Cookie: x=1") },
			wantTitle: "Marketing Cloud did not sign you in", wantCode: "unknown_error", wantReason: "unknown_error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(tt.sub)
			cb := b.startSignIn(gateOrigin + "/report?q=1")
			if tt.edit != nil {
				cb = withQuery(t, cb, tt.edit)
			}

			d := b.navigate(cb)
			checkPage(t, d, http.StatusForbidden, tt.wantTitle)
			checkNoSession(t, d)
			if got := b.loginCookies(); got != nil {
				t.Errorf("login cookies left: %q", got)
			}
			if tt.wantCode != "" && !strings.Contains(d.Body, "("+tt.wantCode+")") {
				t.Errorf("page does not name (%s):\n%s", tt.wantCode, d.Body)
			}
			for _, bad := range []string{"<script", "<img", "alert", "ACCESS_DENIED", "Set-Cookie: x"} {
				if strings.Contains(d.Body, bad) {
					t.Errorf("page holds %q from the callback", bad)
				}
			}
			if !strings.Contains(d.Body, `href="/_gate/login?rd=%2Freport%3Fq%3D1"`) {
				t.Errorf("page's sign-in link does not return to /report?q=1")
			}
			if got := e.hit("/v2/token"); got != 0 {
				t.Errorf("token requests = %d; want none", got)
			}
			if ev := e.lastEvent(); ev.Name != EventLoginDenied || ev.Reason != tt.wantReason {
				t.Errorf("last event = %s/%s; want %s/%s", ev.Name, ev.Reason, EventLoginDenied, tt.wantReason)
			}
		})
	}
}

// A sign-in that Marketing Cloud or the allow-lists refuse ends the session
// the browser held: after REAUTH_AFTER, a user whose licence was withdrawn
// gets the page that says so, and no request of theirs reaches the origin
// afterwards.
func TestRefusedSignInEndsSession(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		vars      map[string]string
		before    func(t *testing.T, e *env, b *browser) // once the session is stale
		edit      func(q url.Values)                     // changes Marketing Cloud's answer
		wantTitle string
		wantEvent [2]string
		exchanges int // token requests in all, the first sign-in's included
	}{
		{
			name: "licence withdrawn",
			before: func(t *testing.T, e *env, _ *browser) {
				if err := e.mc.SetLicensed(ada, false); err != nil {
					t.Fatalf("SetLicensed: %v", err)
				}
			},
			wantTitle: "You don't have access to this app yet",
			wantEvent: [2]string{EventLoginDenied, "user_not_licensed"},
			exchanges: 1,
		},
		{
			name:      "access denied",
			edit:      func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") },
			wantTitle: "Marketing Cloud did not sign you in",
			wantEvent: [2]string{EventLoginDenied, "access_denied"},
			exchanges: 1,
		},
		{
			name: "signed in at Marketing Cloud as someone off the allow-lists",
			vars: map[string]string{config.VarAllowedMIDs: "100000001"},
			before: func(_ *testing.T, _ *env, b *browser) {
				b.mcJar = nil
				b.sub = alan
			},
			wantTitle: "This page is not open to you",
			wantEvent: [2]string{EventLoginDenied, "not_allowed"},
			exchanges: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.vars)
			b := signedIn(t, e, ada)
			e.clock.Advance(config.DefaultReauthAfter)
			if tt.before != nil {
				tt.before(t, e, b)
			}

			d := b.navigate(gateOrigin + "/page")
			e.checkSignInStarted(t, d)
			cb := b.authorize(d.Header.Get("Location"))
			if tt.edit != nil {
				cb = withQuery(t, cb, tt.edit)
			}
			d = b.navigate(cb)
			checkPage(t, d, http.StatusForbidden, tt.wantTitle)
			if !slices.Contains(cookieShapes(d.Header), clearShape(sessionCookie)) {
				t.Errorf("Set-Cookie = %q; want the session cleared", cookieShapes(d.Header))
			}
			if _, ok := b.cookie(sessionCookie); ok {
				t.Fatalf("the browser kept its session cookie")
			}
			if ev := e.eventsNamed(tt.wantEvent[0]); len(ev) != 1 || ev[0].Reason != tt.wantEvent[1] {
				t.Errorf("%s events = %+v; want one, %s", tt.wantEvent[0], ev, tt.wantEvent[1])
			}

			checkLoginRequired(t, b.fetch(gateOrigin+"/api"), "/_gate/login?rd=%2Fapi")
			d = b.do(http.MethodPost, gateOrigin+"/form", header("Sec-Fetch-Mode", "navigate",
				"Content-Type", "application/x-www-form-urlencoded", "Referer", gateOrigin+"/form"))
			checkPage(t, d, http.StatusUnauthorized, "Your sign-in has expired")
			if got := e.hit("/v2/token"); got != tt.exchanges {
				t.Errorf("token requests = %d; want %d", got, tt.exchanges)
			}
		})
	}
}

// An error callback that matches no attempt of this browser signs nobody
// out: otherwise any site could, with a link.
func TestForgedErrorCallbackKeepsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	other := e.browser(ada).navigate(gateOrigin + "/theirs")
	theirs, _ := url.Parse(other.Header.Get("Location"))

	for _, q := range []string{
		"error=access_denied",
		"error=user_not_licensed&state=made-up",
		"error=access_denied&state=" + url.QueryEscape(theirs.Query().Get("state")),
	} {
		h := navigation()
		h.Set("Sec-Fetch-Site", "cross-site")
		d := b.do(http.MethodGet, redirectURI+"?"+q, h)
		if d.Status != http.StatusForbidden {
			t.Errorf("%s: status %d; want 403", q, d.Status)
		}
		if got := d.Header.Values("Set-Cookie"); got != nil {
			t.Errorf("%s: Set-Cookie = %q; want none", q, got)
		}
		if d := b.fetch(gateOrigin + "/api"); d.Forward == nil {
			t.Errorf("%s: signed out by a forged callback (status %d)", q, d.Status)
		}
	}
}

func TestCallbackErrorWithoutAttempt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	d := e.browser(ada).navigate(redirectURI + "?error=access_denied&error_description=forged+text")
	checkPage(t, d, http.StatusForbidden, "Marketing Cloud did not sign you in")
	if !strings.Contains(d.Body, `href="/_gate/login?rd=%2F"`) {
		t.Errorf("page's sign-in link does not return to /")
	}

	// Anyone could have written it: it is no refusal by Marketing Cloud,
	// and its description is not logged.
	ev := e.lastEvent()
	if ev.Name != EventCallbackRefused || ev.Reason != "missing_state" || ev.Detail != "error=access_denied" {
		t.Errorf("last event = %s/%s %q; want %s/missing_state %q",
			ev.Name, ev.Reason, ev.Detail, EventCallbackRefused, "error=access_denied")
	}
}

func TestCallbackMarketingCloudFailures(t *testing.T) {
	t.Parallel()
	const (
		lost      = "Sign-in could not be completed"
		badAnswer = "Marketing Cloud gave an unexpected answer"
		noAnswer  = "Marketing Cloud did not answer"
		notSetUp  = "Sign-in is not set up correctly"
	)
	tests := []struct {
		name       string
		vars       map[string]string
		before     func(t *testing.T, e *env, b *browser, cb string) string // runs between authorize and callback
		wantStatus int
		wantTitle  string
		wantEvent  string
		wantReason string
	}{
		{
			name: "invalid grant",
			before: func(t *testing.T, e *env, b *browser, cb string) string {
				return withQuery(t, cb, func(q url.Values) { q.Set("code", "not-a-code") })
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost,
			wantEvent: EventExchangeFailed, wantReason: "invalid_grant",
		},
		{
			name: "code expired at Marketing Cloud",
			before: func(t *testing.T, e *env, b *browser, cb string) string {
				e.clock.Advance(5*time.Minute + time.Second)
				return cb
			},
			wantStatus: http.StatusBadRequest, wantTitle: lost,
			wantEvent: EventExchangeFailed, wantReason: "invalid_grant",
		},
		{
			name:       "wrong client secret",
			vars:       map[string]string{config.VarClientSecret: "not-the-secret-0000"},
			wantStatus: http.StatusBadGateway, wantTitle: notSetUp,
			wantEvent: EventExchangeFailed, wantReason: "invalid_client",
		},
		{
			name:       "down",
			before:     fault(mcfake.Faults{Down: true}),
			wantStatus: http.StatusBadGateway, wantTitle: "Marketing Cloud is not available",
			wantEvent: EventExchangeFailed, wantReason: "unavailable",
		},
		{
			name:       "token answer is HTML",
			before:     fault(mcfake.Faults{TokenHTML: true}),
			wantStatus: http.StatusBadGateway, wantTitle: badAnswer,
			wantEvent: EventExchangeFailed, wantReason: "malformed",
		},
		{
			name:       "token answer without access_token",
			before:     fault(mcfake.Faults{TokenNoAccessToken: true}),
			wantStatus: http.StatusBadGateway, wantTitle: badAnswer,
			wantEvent: EventExchangeFailed, wantReason: "malformed",
		},
		{
			name:       "userinfo is HTML",
			before:     fault(mcfake.Faults{UserinfoHTML: true}),
			wantStatus: http.StatusBadGateway, wantTitle: badAnswer,
			wantEvent: EventUserinfoFailed, wantReason: "malformed",
		},
		{
			name:       "userinfo without email",
			before:     fault(mcfake.Faults{UserinfoNoEmail: true}),
			wantStatus: http.StatusBadGateway, wantTitle: badAnswer,
			wantEvent: EventUserinfoFailed, wantReason: "malformed",
		},
		{
			name: "too slow",
			before: func(t *testing.T, e *env, b *browser, cb string) string {
				e.mc.SetFaults(mcfake.Faults{Delay: 2 * Budget})
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
				t.Cleanup(cancel)
				b.ctx = ctx
				return cb
			},
			wantStatus: http.StatusBadGateway, wantTitle: noAnswer,
			wantEvent: EventExchangeFailed, wantReason: "timeout",
		},
		{
			name: "unreachable",
			before: func(t *testing.T, e *env, b *browser, cb string) string {
				dead := httptest.NewServer(http.NotFoundHandler())
				dead.Close()
				b.g = e.newGate(map[string]string{config.VarAuthBaseURL: dead.URL})
				return cb
			},
			wantStatus: http.StatusBadGateway, wantTitle: noAnswer,
			wantEvent: EventExchangeFailed, wantReason: "unreachable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.vars)
			b := e.browser(ada)
			cb := b.startSignIn(gateOrigin + "/page")
			if tt.before != nil {
				cb = tt.before(t, e, b, cb)
			}

			d := b.navigate(cb)
			checkPage(t, d, tt.wantStatus, tt.wantTitle)
			checkNoSession(t, d)
			if got := b.loginCookies(); got != nil {
				t.Errorf("login cookies left: %q", got)
			}
			ev := e.lastEvent()
			if ev.Name != tt.wantEvent || ev.Reason != tt.wantReason || ev.Level != "error" {
				t.Errorf("last event = %s %s/%s; want error %s/%s (%s)",
					ev.Level, ev.Name, ev.Reason, tt.wantEvent, tt.wantReason, ev.Detail)
			}
		})
	}
}

// fault sets faults at the fake once the code is issued.
func fault(f mcfake.Faults) func(*testing.T, *env, *browser, string) string {
	return func(_ *testing.T, e *env, _ *browser, cb string) string {
		e.mc.SetFaults(f)
		return cb
	}
}

func TestCallbackIsBlocking(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	tests := []struct {
		target string
		want   bool
	}{
		{redirectURI + "?code=x&state=y", true},
		{redirectURI, true},
		{gateOrigin + "/_gate/callback/", false},
		{gateOrigin + "/_gate/login", false},
		{gateOrigin + "/page", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, tt.target, nil)
		if got := e.gate.Blocking(r); got != tt.want {
			t.Errorf("Blocking(%s) = %v; want %v", tt.target, got, tt.want)
		}
	}
	if Misconfigured(errTest, Options{}).Blocking(httptest.NewRequest(http.MethodGet, redirectURI, nil)) {
		t.Errorf("Blocking on a misconfigured gate = true; want false")
	}
}

var errTest = &config.Error{Problems: []config.Problem{{Var: config.VarClientID, Msg: "is required"}}}

// A callback reloaded while the first request still waits on Marketing
// Cloud carries the same state, code and login cookie; it waits for the
// first one's answer instead of sending the code a second time.
func TestReloadedCallbackSharesTheSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)
	cb := b.startSignIn(gateOrigin + "/report?q=1")
	e.mc.SetFaults(mcfake.Faults{Delay: time.Second})

	first, again := b.request(http.MethodGet, cb, navigation()), b.request(http.MethodGet, cb, navigation())
	ds := make([]*Decision, 2)
	var wg sync.WaitGroup
	for i, r := range []*http.Request{first, again} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds[i] = b.g.Handle(context.Background(), r)
		}()
		for wait := 0; i == 0 && e.hit("/v2/token") == 0; wait++ {
			if wait == 5000 {
				t.Fatal("the first callback never reached the token endpoint")
			}
			time.Sleep(time.Millisecond) // until the first is at Marketing Cloud
		}
	}
	wg.Wait()

	if got := e.hit("/v2/token"); got != 1 {
		t.Errorf("token requests = %d; want 1", got)
	}
	for i, d := range ds {
		checkRedirect(t, d, "/report?q=1")
		if !slices.ContainsFunc(d.Header.Values("Set-Cookie"), func(c string) bool {
			return strings.HasPrefix(c, sessionCookie+"=") && !strings.Contains(c, "Max-Age=0")
		}) {
			t.Errorf("request %d: no session cookie in %q", i+1, d.Header.Values("Set-Cookie"))
		}
	}
}
