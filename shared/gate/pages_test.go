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
	"github.com/cloudpage-gate/gate/shared/page"
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
	anon.do(http.MethodGet, gateOrigin+"/embed", header("Sec-Fetch-Dest", "iframe", "Sec-Fetch-Mode", "navigate",
		"Accept", "text/html"))
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
		title := pageTitle(d.Body)
		titles[title] = true

		// Only the page a frame gets may be framed (signInPage).
		xfo, csp := "DENY", page.CSP
		if title == "Sign in to continue" {
			xfo, csp = "", page.FramedCSP
		}
		for k, want := range map[string]string{
			"X-Frame-Options":         xfo,
			"Content-Security-Policy": csp,
			"Cache-Control":           "no-store",
			"X-Content-Type-Options":  "nosniff",
			// The test gate is reached over https (gateOrigin).
			"Strict-Transport-Security": "max-age=31536000",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("page %q: %s = %q; want %q", title, k, got, want)
			}
		}
		if !requestIDText.MatchString(d.Body) {
			t.Errorf("page %q has no request id", pageTitle(d.Body))
		}
		if strings.Contains(d.Body, "`") {
			t.Errorf("page %q shows a raw backquote", pageTitle(d.Body))
		}
		if strings.Contains(d.Body, "<script") {
			t.Errorf("page %q holds a script", pageTitle(d.Body))
		}
	}
	if !titles["Sign in to continue"] {
		t.Errorf("exercise produced no page for a frame (%v)", titles)
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

// everyPage is each page the gate can show, by the name of its function.
func everyPage() map[string]*page.Page {
	login := loginPath("/x")
	return map[string]*page.Page{
		"signIn": signInPage(login), "formExpired": formExpiredPage(login),
		"lostState": lostStatePage(login), "badCallback": badCallbackPage(),
		"notLicensed":    notLicensedPage(login),
		"authorizeError": authorizeErrorPage("access_denied", login),
		"notAllowed":     notAllowedPage("ada@example.com", 100000001),
		"notAllowedBy":   notAllowedPage("ada@example.com", 100000001, config.VarAllowedMIDs),
		"unreachable":    unreachablePage(login), "unavailable": unavailablePage(login),
		"badAnswer": badAnswerPage(login), "clientRejected": clientRejectedPage(),
		"loop": loopPage(), "logout": logoutPage(), "signedOut": signedOutPage(login),
		"crossSiteLogout": crossSiteLogoutPage(), "method": methodPage(), "notFound": notFoundPage(),
		"misconfigured": misconfiguredPage(), "internal": internalPage(EventInternalError), "panicked": internalPage(EventPanic), "originFailed": originFailedPage(),
	}
}

// TestPagesSayWhatToDo checks each page for its parts: what happened, what
// the reader can do, and, but for the two pages of an ordinary sign-out,
// what an administrator should check, named precisely enough to look up
// (a variable, a path, a log line, a place in Marketing Cloud).
func TestPagesSayWhatToDo(t *testing.T) {
	noAdmin := map[string]bool{"logout": true, "signedOut": true}
	for name, p := range everyPage() {
		if p.Title == "" || p.Lead == "" {
			t.Errorf("%s: Title %q, Lead %q; want both", name, p.Title, p.Lead)
		}
		if p.Action == nil && len(p.Body) == 0 {
			t.Errorf("%s: no Action and no Body; want a next step", name)
		}
		if p.Status < 200 || p.Status > 599 {
			t.Errorf("%s: Status = %d", name, p.Status)
		}
		if noAdmin[name] {
			if len(p.Admin) != 0 {
				t.Errorf("%s: Admin = %q; want none on an ordinary sign-out", name, p.Admin)
			}
			continue
		}
		if len(p.Admin) == 0 {
			t.Errorf("%s: no Admin", name)
		}
		named := false
		for _, a := range p.Admin {
			named = named || strings.Contains(a, "`") || strings.Contains(a, "Access tab") ||
				strings.Contains(a, "status.salesforce.com")
		}
		if !named {
			t.Errorf("%s: Admin %q names nothing to look up", name, p.Admin)
		}
		if out := p.Render(); strings.Contains(out, "`") {
			t.Errorf("%s: Render() shows a raw backquote:\n%s", name, out)
		}
	}
}

// TestPagesLinkOnlyHere checks that every action stays on the gate's
// origin; only the frame's sign-in link opens in the whole window.
func TestPagesLinkOnlyHere(t *testing.T) {
	for name, p := range everyPage() {
		if a := p.Action; a != nil && (!strings.HasPrefix(a.Href, "/") || strings.HasPrefix(a.Href, "//")) {
			t.Errorf("%s: Action.Href = %q; want a path on this origin", name, a.Href)
		}
		if a := p.Action; a != nil && a.Top != (name == "signIn") {
			t.Errorf("%s: Action.Top = %v", name, a.Top)
		}
		if p.Framed != (name == "signIn") {
			t.Errorf("%s: Framed = %v; want it only on the frame's sign-in page", name, p.Framed)
		}
	}
}

func TestNotAllowedPage(t *testing.T) {
	tests := []struct {
		name    string
		refused []string
		want    []string
		notWant []string
	}{
		{"unknown lists", nil,
			[]string{"<code>ALLOWED_MIDS</code>, <code>ALLOWED_EIDS</code>, <code>ALLOWED_EMAILS</code> and <code>ALLOWED_EMAIL_DOMAINS</code>"},
			[]string{"Refused by"}},
		{"one list", []string{config.VarAllowedMIDs},
			[]string{"Refused by <code>ALLOWED_MIDS</code>."}, []string{"ALLOWED_EIDS", "ALLOWED_EMAILS"}},
		{"emails", []string{config.VarAllowedEIDs, config.VarAllowedEmails, config.VarAllowedDomains},
			[]string{"Refused by <code>ALLOWED_EIDS</code>, <code>ALLOWED_EMAILS</code> and <code>ALLOWED_EMAIL_DOMAINS</code>."},
			[]string{"ALLOWED_MIDS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := notAllowedPage("ada@example.com", 100000002, tt.refused...)
			out := p.Render()
			for _, w := range append(tt.want, "ada@example.com", "100000002", "sign out of Marketing Cloud", "Try again") {
				if !strings.Contains(out, w) {
					t.Errorf("page lacks %q:\n%s", w, out)
				}
			}
			for _, w := range append(tt.notWant, "Sign out of this site") {
				if strings.Contains(out, w) {
					t.Errorf("page holds %q:\n%s", w, out)
				}
			}
			if p.Action == nil || p.Action.Post || !strings.HasPrefix(p.Action.Href, "/_gate/login") {
				t.Errorf("Action = %+v; want a link that starts a sign-in", p.Action)
			}
		})
	}
}

func TestRefusedBy(t *testing.T) {
	a := &config.Allow{MIDs: []int64{1}, EIDs: []int64{10}, Emails: []string{"ada@example.com"}, Domains: []string{"example.org"}}
	tests := []struct {
		name     string
		allow    *config.Allow
		email    string
		mid, eid int64
		want     []string
	}{
		{"none set", &config.Allow{}, "x@y.z", 5, 6, nil},
		{"admitted", a, "ada@example.com", 1, 10, nil},
		{"by domain", a, "bob@example.org", 1, 10, nil},
		{"business unit", a, "ada@example.com", 2, 10, []string{"ALLOWED_MIDS"}},
		{"enterprise", a, "ada@example.com", 1, 20, []string{"ALLOWED_EIDS"}},
		{"address", a, "eve@example.com", 1, 10, []string{"ALLOWED_EMAILS", "ALLOWED_EMAIL_DOMAINS"}},
		{"every list", a, "eve@evil.example", 2, 20, []string{"ALLOWED_MIDS", "ALLOWED_EIDS", "ALLOWED_EMAILS", "ALLOWED_EMAIL_DOMAINS"}},
		{"domains only", &config.Allow{Domains: []string{"example.org"}}, "two@@example.org", 1, 1,
			[]string{"ALLOWED_EMAILS", "ALLOWED_EMAIL_DOMAINS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refusedBy(tt.allow, tt.email, tt.mid, tt.eid)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("refusedBy(%q, %d, %d) = %q; want %q", tt.email, tt.mid, tt.eid, got, tt.want)
			}
			if permits := tt.allow.Permits(tt.email, tt.mid, tt.eid); permits != (len(got) == 0) {
				t.Errorf("Permits = %v but refusedBy = %q", permits, got)
			}
		})
	}
}

func TestSignInPageFramed(t *testing.T) {
	p := signInPage(loginPath("/x"))
	h := http.Header{}
	p.SetHeaders(h, true)
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors *") || h.Get("X-Frame-Options") != "" {
		t.Errorf("signInPage headers = %v; want it framable", h)
	}
	if !strings.Contains(p.Render(), `target="_top"`) {
		t.Errorf("signInPage link does not open in the whole window")
	}
}
