package gate

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mcfake"
)

// exercise runs a broad mix of sign-ins, refusals and failures through e,
// so that every kind of answer the gate gives is recorded.
func exercise(t *testing.T, e *env) {
	t.Helper()

	b := e.browser(ada)
	b.setCookie("theme", "dark")
	b.mustSignIn(gateOrigin+"/page?a=1", "/page?a=1")
	b.navigate(gateOrigin + "/page")
	b.fetch(gateOrigin + "/_gate/userinfo")
	b.fetch(gateOrigin + "/_gate/healthz")
	b.navigate(gateOrigin + "/_gate/nothing")
	b.navigate(gateOrigin + "/_gate/logout")
	b.do(http.MethodPost, gateOrigin+"/_gate/logout", header("Sec-Fetch-Site", "cross-site"))

	// A replayed callback, then one with its state altered.
	b.deleteCookie(sessionCookie)
	cb := b.startSignIn(gateOrigin + "/again")
	b.navigate(cb)
	b.navigate(cb)
	b.deleteCookie(sessionCookie)
	b.navigate(cb)
	cb = b.startSignIn(gateOrigin + "/x")
	b.navigate(withQuery(t, cb, func(q url.Values) { q.Set("state", q.Get("state")+"A") }))
	b.navigate(withQuery(t, cb, func(q url.Values) { q.Add("code", "x") }))
	b.navigate(withQuery(t, cb, func(q url.Values) { q.Set("error", "access_denied") }))

	// Marketing Cloud failing in each way, and a refused code.
	for _, f := range []mcfake.Faults{{Down: true}, {TokenHTML: true}, {TokenNoAccessToken: true}, {UserinfoHTML: true}, {UserinfoNoEmail: true}} {
		cb := b.startSignIn(gateOrigin + "/f")
		e.mc.SetFaults(f)
		b.navigate(cb)
		e.mc.SetFaults(mcfake.Faults{})
	}
	cb = b.startSignIn(gateOrigin + "/late")
	e.clock.Advance(6 * time.Minute)
	b.navigate(cb)

	// An unlicensed user, a refused one, and a wrong client secret.
	e.browser(grace).signIn(gateOrigin + "/")
	strict := e.browser(alan)
	strict.g = e.newGate(map[string]string{config.VarAllowedMIDs: "100000001"})
	strict.signIn(gateOrigin + "/")
	wrong := e.browser(ada)
	wrong.g = e.newGate(map[string]string{config.VarClientSecret: "wrong-secret-value-0000"})
	wrong.signIn(gateOrigin + "/")

	// Requests that cannot go through, and a session that is refused.
	anon := e.browser(ada)
	anon.fetch(gateOrigin + "/api")
	anon.do(http.MethodPost, gateOrigin+"/form", header("Sec-Fetch-Mode", "navigate", "Referer", gateOrigin+"/form"))
	anon.navigate("http://other.example/")
	s := e.browser(ada)
	s.mustSignIn(gateOrigin+"/", "/")
	v, _ := s.cookie(sessionCookie)
	s.setCookie(sessionCookie, flip(v))
	s.fetch(gateOrigin + "/")
	s.setCookie(sessionCookie, v)
	s.do(http.MethodPost, gateOrigin+"/_gate/logout", header("Sec-Fetch-Site", "same-origin"))

	// Loop until the breaker trips.
	l := e.browser(alan)
	for range loopLimit {
		l.mustSignIn(gateOrigin+"/", "/")
		l.deleteCookie(sessionCookie)
	}
	l.navigate(gateOrigin + "/")
}

func TestEveryPageCarriesSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	exercise(t, e)

	pages := 0
	titles := map[string]bool{}
	for _, d := range e.answers {
		h := d.Header
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("%d answer without no-store: %v", d.Status, h)
			}
			continue
		}
		pages++
		titles[pageTitle(d.Body)] = true
		for k, want := range map[string]string{
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("page %q: %s = %q; want %q", pageTitle(d.Body), k, got, want)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "default-src 'none'") {
			t.Errorf("page %q: Content-Security-Policy = %q; want default-src and frame-ancestors 'none'", pageTitle(d.Body), csp)
		}
		if !requestIDText.MatchString(d.Body) {
			t.Errorf("page %q has no request id", pageTitle(d.Body))
		}
		if strings.Contains(d.Body, "<script") {
			t.Errorf("page %q holds a script", pageTitle(d.Body))
		}
	}
	if len(titles) < 12 {
		t.Errorf("exercise produced %d kinds of page (%v); want at least 12", len(titles), titles)
	}
	t.Logf("%d pages of %d kinds checked", pages, len(titles))
}

func TestNoSecretsInPagesOrLogs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	exercise(t, e)
	e.checkNoLeaks()

	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.secrets) < 40 {
		t.Errorf("only %d secrets collected; the search proves little", len(e.secrets))
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	tests := []struct {
		name, ray string
		want      string // "" for a random id
	}{
		{"cloudflare ray", "8c1f2e3d4b5a6978-LHR", "8c1f2e3d4b5a6978-LHR"},
		{"none", "", ""},
		{"markup", `<b>x</b>`, ""},
		{"spaces", "a b", ""},
		{"too long", strings.Repeat("a", 65), ""},
		{"longest", strings.Repeat("a", 64), strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			h := navigation()
			if tt.ray != "" {
				h.Set("Cf-Ray", tt.ray)
			}
			d := e.browser(ada).do(http.MethodGet, gateOrigin+"/_gate/nothing", h)
			m := requestIDText.FindStringSubmatch(d.Body)
			if m == nil {
				t.Fatalf("page has no request id")
			}
			switch {
			case tt.want != "" && m[1] != tt.want:
				t.Errorf("request id = %q; want %q", m[1], tt.want)
			case tt.want == "" && !hex16.MatchString(m[1]):
				t.Errorf("request id = %q; want 16 random hex digits", m[1])
			}

			d = e.browser(ada).do(http.MethodGet, gateOrigin+"/", h)
			if ev := e.lastEvent(); tt.want != "" && ev.RequestID != tt.want {
				t.Errorf("event request id = %q; want %q", ev.RequestID, tt.want)
			}
		})
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	seen := map[string]bool{}
	for range 20 {
		d := e.browser(ada).navigate(gateOrigin + "/_gate/nothing")
		id := requestIDText.FindStringSubmatch(d.Body)[1]
		if seen[id] {
			t.Fatalf("request id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestOriginFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.browser(ada).request(http.MethodGet, gateOrigin+"/page?x=1", header("Cf-Ray", "abc-LHR"))
	d := e.gate.OriginFailed(r, "fetch failed: connection refused")
	checkPage(t, d, http.StatusBadGateway, "The page is not answering")
	ev := e.lastEvent()
	if ev.Name != EventOriginFailed || ev.Level != "error" || ev.RequestID != "abc-LHR" ||
		ev.Path != "/page" || ev.Detail != "fetch failed: connection refused" {
		t.Errorf("last event = %+v; want error %s for abc-LHR at /page with the cause", ev, EventOriginFailed)
	}
}

func TestEventJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ev   Event
		want string
	}{
		{
			Event{Time: epoch, Level: "info", Name: EventLoginStarted},
			`{"time":"2026-03-02T09:00:00Z","level":"info","event":"login_started"}`,
		},
		{
			Event{
				Time: epoch.Add(1500 * time.Millisecond), Level: "warn", Name: EventLoginDenied,
				RequestID: "r1", Reason: "not_allowed", Detail: "a \"quoted\" <b>", Path: "/x",
				User: "ada@example.com", MID: 100000001,
			},
			`{"time":"2026-03-02T09:00:01.5Z","level":"warn","event":"login_denied","request_id":"r1",` +
				`"reason":"not_allowed","detail":"a \"quoted\" \u003cb\u003e","path":"/x",` +
				`"user":"ada@example.com","mid":100000001}`,
		},
	}
	for _, tt := range tests {
		if got := string(tt.ev.JSON()); got != tt.want {
			t.Errorf("JSON() = %s; want %s", got, tt.want)
		}
	}
}
