package gate

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mcfake"
	"github.com/cloudpage-gate/gate/shared/page"
	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

// The deployment the tests run: a gate on gate.example in front of a
// CloudPage on cloudpage.example, signing in at a fake Marketing Cloud.
const (
	gateOrigin   = "https://gate.example"
	redirectURI  = gateOrigin + "/_gate/callback"
	originURL    = "https://cloudpage.example"
	testClientID = "cpg-test-client-7q2w"
	testSecret   = "cpg-test-SECRET-5f0c1e7d9a2b44e1"
)

// Subs of mcfake's demo users.
const (
	ada    = "71000001" // ada@example.com, licensed, MID 100000001, EID 100000000
	grace  = "71000002" // grace@example.com, unlicensed
	alan   = "71000003" // alan@example.com, licensed, MID 100000002
	edsger = "71000004" // edsger@example.org, licensed, MID 200000001, EID 200000000
)

// Session keys: fixed, so that a second gate can share or rotate them.
var (
	keyA = testKey(0xa0)
	keyB = testKey(0xb0)
)

func testKey(seed byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}

func encodeKey(k []byte) string { return base64.RawURLEncoding.EncodeToString(k) }

// epoch is when every test's clock starts.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is a settable time source shared by the gate and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seqRand is a deterministic random stream, safe for concurrent use.
type seqRand struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func newRand(seed byte) *seqRand {
	var s [32]byte
	s[0] = seed
	return &seqRand{r: rand.NewChaCha8(s)}
}

func (s *seqRand) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

// baseVars is the configuration every env starts from; the fake's URL is
// added by newEnv.
func baseVars() map[string]string {
	return map[string]string{
		config.VarClientID:     testClientID,
		config.VarClientSecret: testSecret,
		config.VarRedirectURI:  redirectURI,
		config.VarSessionKeys:  encodeKey(keyA),
		config.VarOriginURL:    originURL,
	}
}

// env is one deployment under test: a fake Marketing Cloud on a loopback
// server and a gate configured to sign in there. It records everything the
// gate said and every secret handed out, so tests can look for leaks.
type env struct {
	t     testing.TB
	clock *clock
	rand  *seqRand
	mc    *mcfake.Server
	srv   *httptest.Server
	vars  map[string]string
	gate  *Gate

	mu      sync.Mutex
	events  []*Event
	hits    map[string]int // requests the fake received, by path
	output  []string       // page bodies, JSON answers, headers and log lines
	answers []*Decision    // every decision that was not a forward
	secrets []string       // states, codes, tokens and cookie values handed out
	tokens  []string       // access and refresh tokens, as the fake issued them
	sent    map[*Decision]http.Header

	lastAuthorize string // the last redirect to the fake's authorize endpoint
}

// newEnv starts a fake and a gate. vars override baseVars; an empty value
// unsets a variable. opts adjust the fake before it starts.
func newEnv(t testing.TB, vars map[string]string, opts ...func(*mcfake.Server)) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: epoch}, rand: newRand(1), hits: map[string]int{}}

	e.vars = baseVars()
	for k, v := range vars {
		e.vars[k] = v
	}
	e.mc = &mcfake.Server{
		ClientID:     testClientID,
		ClientSecret: testSecret,
		RedirectURIs: []string{e.vars[config.VarRedirectURI]},
		Now:          e.clock.Now,
	}
	for _, o := range opts {
		o(e.mc)
	}
	if err := e.mc.Validate(); err != nil {
		t.Fatalf("mcfake.Server.Validate() = %v", err)
	}

	e.srv = httptest.NewServer(http.HandlerFunc(e.serveFake))
	t.Cleanup(e.srv.Close)
	if _, ok := vars[config.VarAuthBaseURL]; !ok {
		e.vars[config.VarAuthBaseURL] = e.srv.URL
	}
	e.secrets = append(e.secrets, testSecret)
	e.gate = e.newGate(nil)
	return e
}

// serveFake counts a request and hands it to the fake.
//
// The body is read first: net/http notices a client hanging up only once
// the body is consumed, and the fake's Delay waits before reading it, so
// without this a cancelled token request would hold the server for the
// whole delay.
func (e *env) serveFake(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.hits[r.URL.Path]++
	e.mu.Unlock()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if r.URL.Path != "/v2/token" {
		e.mc.ServeHTTP(w, r)
		return
	}

	// Token answers are kept, so that tests can look for the tokens in
	// what the gate shows, logs and seals.
	rec := httptest.NewRecorder()
	e.mc.ServeHTTP(rec, r)
	e.keepTokens(rec.Body.String())
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// keepTokens records the tokens of a token answer as secrets.
func (e *env) keepTokens(answer string) {
	res := gjson.Parse(answer)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range []string{"access_token", "refresh_token"} {
		if v := res.Get(k).String(); v != "" {
			e.secrets = append(e.secrets, v)
			e.tokens = append(e.tokens, v)
		}
	}
}

// issued returns the access and refresh tokens the fake handed out, in
// the order of its answers.
func (e *env) issued() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.tokens)
}

// hit returns how many requests for path the fake received.
func (e *env) hit(path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits[path]
}

// newGate returns another gate over the same fake, clock, random stream and
// log, configured with e's variables and these overrides.
func (e *env) newGate(vars map[string]string) *Gate {
	e.t.Helper()
	cfg, err := config.Parse(func(name string) string {
		if v, ok := vars[name]; ok {
			return v
		}
		return e.vars[name]
	})
	if err != nil {
		e.t.Fatalf("config.Parse() = %v", err)
	}
	return New(cfg, e.options())
}

func (e *env) options() Options {
	return Options{
		Transport: e.srv.Client().Transport,
		Now:       e.clock.Now,
		Rand:      e.rand,
		Log:       e.log,
	}
}

func (e *env) log(ev *Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, ev)
	e.output = append(e.output, string(ev.JSON()))
}

// eventsNamed returns the events logged so far with the given name.
func (e *env) eventsNamed(name string) []*Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*Event
	for _, ev := range e.events {
		if ev.Name == name {
			out = append(out, ev)
		}
	}
	return out
}

// lastEvent returns the last event logged, or a zero one.
func (e *env) lastEvent() *Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.events) == 0 {
		return &Event{}
	}
	return e.events[len(e.events)-1]
}

// record keeps what a decision shows: bodies and headers go to output,
// except Set-Cookie and Location, whose values go to secrets, since they
// may carry cookie values and states by design.
func (e *env) record(d *Decision) {
	e.mu.Lock()
	defer e.mu.Unlock()

	e.output = append(e.output, d.Body)
	e.recordHeader(d.Header)
	if d.Forward == nil {
		e.answers = append(e.answers, d)
	}
	if f := d.Forward; f != nil {
		e.output = append(e.output, f.URL)
		for _, fl := range f.Set {
			// The origin is meant to get the access token when
			// FORWARD_ACCESS_TOKEN is set; it is no leak there.
			if fl.Name != HeaderToken {
				e.output = append(e.output, fl.Name+": "+fl.Value)
			}
		}
		e.recordHeader(f.ResponseHeader)
	}
}

func (e *env) recordHeader(h http.Header) {
	for k, vs := range h {
		for _, v := range vs {
			switch k {
			case "Set-Cookie":
				if c := parseSetCookie(v); c.Value != "" {
					e.secrets = append(e.secrets, c.Value)
				}
			case "Location":
			default:
				e.output = append(e.output, k+": "+v)
			}
		}
	}
}

func (e *env) addSecret(s string) {
	if s == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets = append(e.secrets, s)
}

// checkNoLeaks fails if any secret appears in anything the gate showed or
// logged.
func (e *env) checkNoLeaks() {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.secrets {
		for _, out := range e.output {
			if strings.Contains(out, s) {
				e.t.Errorf("secret %.12q… appears in %.200q", s, out)
			}
		}
	}
}

// browser drives the gate the way a browser would: it keeps the cookies
// the gate sets, follows redirects to the fake and signs in there as sub.
type browser struct {
	e   *env
	g   *Gate // the gate it talks to; e.gate unless a test swaps it
	sub string
	ctx context.Context

	jar   []jarCookie    // gate.example's cookies, in the order first set
	mcJar []*http.Cookie // the fake's cookies
}

type jarCookie struct{ name, value string }

func (e *env) browser(sub string) *browser {
	return &browser{e: e, g: e.gate, sub: sub, ctx: e.t.Context()}
}

// Header sets a browser sends, by kind of request.
func navigation() http.Header {
	return http.Header{
		"Accept":         {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Sec-Fetch-Dest": {"document"},
		"Sec-Fetch-Mode": {"navigate"},
		"Sec-Fetch-Site": {"none"},
		"Sec-Fetch-User": {"?1"},
	}
}

func subRequest() http.Header {
	return http.Header{
		"Accept":         {"application/json"},
		"Sec-Fetch-Dest": {"empty"},
		"Sec-Fetch-Mode": {"cors"},
		"Sec-Fetch-Site": {"same-origin"},
	}
}

// request builds a request as the Workers runtime hands it over: an
// absolute URL, and the browser's cookies in one Cookie header after any
// the test set in h.
func (b *browser) request(method, target string, h http.Header) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	for k, vs := range h {
		r.Header[k] = slices.Clone(vs)
	}
	if len(b.jar) > 0 {
		pairs := make([]string, len(b.jar))
		for i, c := range b.jar {
			pairs[i] = c.name + "=" + c.value
		}
		r.Header.Add("Cookie", strings.Join(pairs, "; "))
	}
	return r
}

// send runs r through the gate and keeps the cookies it sets.
func (b *browser) send(r *http.Request) *Decision {
	d := b.g.Handle(b.ctx, r)
	if d == nil {
		b.e.t.Fatalf("Handle(%s %s) = nil", r.Method, r.URL)
	}
	b.e.record(d)
	if d.Forward != nil {
		b.e.setSent(d, applyForward(d.Forward, r.Header))
		b.store(d.Forward.ResponseHeader)
	} else {
		b.store(d.Header)
	}
	if loc := d.Header.Get("Location"); d.Forward == nil && strings.Contains(loc, "/v2/authorize?") {
		if u, err := url.Parse(loc); err == nil {
			b.e.addSecret(u.Query().Get("state"))
		}
		b.e.mu.Lock()
		b.e.lastAuthorize = loc
		b.e.mu.Unlock()
	}
	return d
}

func (b *browser) do(method, target string, h http.Header) *Decision {
	return b.send(b.request(method, target, h))
}

func (b *browser) navigate(target string) *Decision {
	return b.do(http.MethodGet, target, navigation())
}

func (b *browser) fetch(target string) *Decision {
	return b.do(http.MethodGet, target, subRequest())
}

// store applies the Set-Cookie lines of h to the jar. Max-Age is not
// enforced otherwise, so that the gate's own expiry checks are exercised.
func (b *browser) store(h http.Header) {
	for _, line := range h.Values("Set-Cookie") {
		c := parseSetCookie(line)
		if c.attr("Max-Age") == "0" || c.Value == "" {
			b.deleteCookie(c.Name)
			continue
		}
		b.setCookie(c.Name, c.Value)
	}
}

func (b *browser) setCookie(name, value string) {
	for i := range b.jar {
		if b.jar[i].name == name {
			b.jar[i].value = value
			return
		}
	}
	b.jar = append(b.jar, jarCookie{name, value})
}

func (b *browser) deleteCookie(name string) {
	b.jar = slices.DeleteFunc(b.jar, func(c jarCookie) bool { return c.name == name })
}

func (b *browser) cookie(name string) (string, bool) {
	for _, c := range b.jar {
		if c.name == name {
			return c.value, true
		}
	}
	return "", false
}

// loginCookies returns the names of the browser's login cookies.
func (b *browser) loginCookies() []string {
	var names []string
	for _, c := range b.jar {
		if strings.HasPrefix(c.name, loginCookie) {
			names = append(names, c.name)
		}
	}
	return names
}

// usedMarks returns the names of the browser's marks of used attempts.
func (b *browser) usedMarks() []string {
	var names []string
	for _, c := range b.jar {
		if strings.HasPrefix(c.name, usedCookie) {
			names = append(names, c.name)
		}
	}
	return names
}

// cookieHeader is the Cookie header the browser sends the gate.
func (b *browser) cookieHeader() string {
	return b.request(http.MethodGet, gateOrigin+"/", nil).Header.Get("Cookie")
}

// authorize follows loc, the gate's redirect to the fake's authorize
// endpoint, signing in at the fake's page if it shows one, until the fake
// sends the browser back to the redirect URI. It returns that URL.
func (b *browser) authorize(loc string) string {
	t := b.e.t
	t.Helper()
	for range 4 {
		if strings.HasPrefix(loc, b.e.vars[config.VarRedirectURI]+"?") {
			if u, err := url.Parse(loc); err == nil {
				b.e.addSecret(u.Query().Get("code"))
			}
			return loc
		}
		if !strings.HasPrefix(loc, b.e.srv.URL+"/") {
			t.Fatalf("following %q: not the fake's address", loc)
		}

		res := b.fakeRequest(http.MethodGet, loc, "")
		if res.Code == http.StatusOK {
			// The fake's sign-in page: press the button for b.sub.
			u, _ := url.Parse(loc)
			form := url.Values{"sub": {b.sub}, "authorize": {u.RawQuery}}
			res = b.fakeRequest(http.MethodPost, b.e.srv.URL+"/_fake/signin", form.Encode())
		}
		if res.Code != http.StatusFound {
			t.Fatalf("following %q: fake answered %d: %s", loc, res.Code, res.Body)
		}
		next, err := url.Parse(res.Header().Get("Location"))
		if err != nil {
			t.Fatalf("fake's Location: %v", err)
		}
		base, _ := url.Parse(loc)
		loc = base.ResolveReference(next).String()
	}
	t.Fatalf("the fake never sent the browser back to %s", b.e.vars[config.VarRedirectURI])
	return ""
}

// fakeRequest sends one request to the fake with the browser's cookies for
// it, and keeps the cookies it sets.
func (b *browser) fakeRequest(method, target, form string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(form))
	if form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range b.mcJar {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.e.serveFake(rec, r)
	for _, c := range rec.Result().Cookies() {
		b.mcJar = slices.DeleteFunc(b.mcJar, func(o *http.Cookie) bool { return o.Name == c.Name })
		if c.MaxAge >= 0 && c.Value != "" {
			b.mcJar = append(b.mcJar, c)
		}
	}
	return rec
}

// startSignIn navigates to target, which must answer with a redirect to
// the fake, and returns the callback URL the fake sends the browser back to.
func (b *browser) startSignIn(target string) string {
	t := b.e.t
	t.Helper()
	d := b.navigate(target)
	if d.Forward != nil || d.Status != http.StatusFound {
		t.Fatalf("navigate(%q): status %d, forward %v; want 302 to sign in", target, d.Status, d.Forward)
	}
	return b.authorize(d.Header.Get("Location"))
}

// signIn signs in through target and returns the callback's decision.
func (b *browser) signIn(target string) *Decision {
	b.e.t.Helper()
	return b.navigate(b.startSignIn(target))
}

// mustSignIn signs in through target and fails unless the callback
// redirects back to want with a session set.
func (b *browser) mustSignIn(target, want string) {
	t := b.e.t
	t.Helper()
	d := b.signIn(target)
	if d.Status != http.StatusFound || d.Header.Get("Location") != want {
		t.Fatalf("callback: status %d, Location %q; want 302 to %q\n%s",
			d.Status, d.Header.Get("Location"), want, d.Body)
	}
	if _, ok := b.cookie(sessionCookie); !ok {
		t.Fatalf("callback set no session cookie: %q", d.Header.Values("Set-Cookie"))
	}
}

// setCookieLine is one Set-Cookie header value, split up.
type setCookieLine struct {
	Name, Value string
	Attrs       []string
}

func parseSetCookie(line string) setCookieLine {
	parts := strings.Split(line, ";")
	name, value, _ := strings.Cut(strings.TrimSpace(parts[0]), "=")
	c := setCookieLine{Name: name, Value: value}
	for _, p := range parts[1:] {
		c.Attrs = append(c.Attrs, strings.TrimSpace(p))
	}
	return c
}

func (c setCookieLine) attr(name string) string {
	for _, a := range c.Attrs {
		k, v, _ := strings.Cut(a, "=")
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// cookieShapes returns the Set-Cookie lines of h with each non-empty value
// replaced by "…", for comparison with what a test expects.
func cookieShapes(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Set-Cookie") {
		c := parseSetCookie(line)
		v := c.Value
		if v != "" {
			v = "…"
		}
		out = append(out, strings.Join(append([]string{c.Name + "=" + v}, c.Attrs...), "; "))
	}
	return out
}

// The Set-Cookie shapes the gate sends.
func setShape(name string, maxAge string) string {
	return name + "=…; Path=/; Max-Age=" + maxAge + "; Secure; HttpOnly; SameSite=Lax"
}

func clearShape(name string) string {
	return name + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"
}

// pageHeader is the header of every page, without Set-Cookie. hsts is
// whether the gate knows it runs over https, which a misconfigured one
// does not.
func pageHeader(hsts bool) http.Header {
	h := http.Header{
		"Cache-Control":             {"no-store"},
		"Content-Security-Policy":   {page.CSP},
		"Content-Type":              {"text/html; charset=utf-8"},
		"Referrer-Policy":           {"no-referrer"},
		"Strict-Transport-Security": {"max-age=31536000"},
		"X-Content-Type-Options":    {"nosniff"},
		"X-Frame-Options":           {"DENY"},
	}
	if !hsts {
		h.Del("Strict-Transport-Security")
	}
	return h
}

var requestIDText = regexp.MustCompile(`Request id: <code>([0-9A-Za-z-]{1,64})</code>`)

// checkPage fails unless d is a page with the given status and title, the
// page headers, and a request id.
func checkPage(t testing.TB, d *Decision, status int, title string) {
	t.Helper()
	checkPageHeader(t, d, status, title, true)
}

func checkPageHeader(t testing.TB, d *Decision, status int, title string, hsts bool) {
	t.Helper()
	if d.Forward != nil {
		t.Fatalf("decision forwards to %s; want a %d page %q", d.Forward.URL, status, title)
	}
	if d.Status != status {
		t.Errorf("status = %d; want %d (page %q)", d.Status, status, pageTitle(d.Body))
	}
	h := d.Header.Clone()
	h.Del("Set-Cookie")
	if diff := cmp.Diff(pageHeader(hsts), h); diff != "" {
		t.Errorf("page header mismatch (-want +got):\n%s", diff)
	}
	if got := pageTitle(d.Body); got != title {
		t.Errorf("page title = %q; want %q", got, title)
	}
	if !requestIDText.MatchString(d.Body) {
		t.Errorf("page has no request id:\n%s", d.Body)
	}
}

// checkMethodNotAllowed fails unless d is the 405 page with Allow naming
// the methods allow.
func checkMethodNotAllowed(t testing.TB, d *Decision, allow string) {
	t.Helper()
	if got := d.Header.Values("Allow"); len(got) != 1 || got[0] != allow {
		t.Errorf("Allow = %q; want %q", got, allow)
	}
	rest := *d
	rest.Header = d.Header.Clone()
	rest.Header.Del("Allow")
	checkPage(t, &rest, http.StatusMethodNotAllowed, "Not available this way")
}

var titleText = regexp.MustCompile(`<h1>(.*?)</h1>`)

func pageTitle(body string) string {
	m := titleText.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// checkRedirect fails unless d is a 302 to want with the redirect headers.
func checkRedirect(t testing.TB, d *Decision, want string) {
	t.Helper()
	if d.Forward != nil {
		t.Fatalf("decision forwards to %s; want a redirect to %q", d.Forward.URL, want)
	}
	if d.Status != http.StatusFound || d.Header.Get("Location") != want {
		t.Fatalf("status %d, Location %q; want 302 to %q\n%s", d.Status, d.Header.Get("Location"), want, d.Body)
	}
	h := d.Header.Clone()
	h.Del("Set-Cookie")
	wantH := http.Header{
		"Location":        {want},
		"Cache-Control":   {"no-store"},
		"Referrer-Policy": {"no-referrer"},
	}
	if diff := cmp.Diff(wantH, h); diff != "" {
		t.Errorf("redirect header mismatch (-want +got):\n%s", diff)
	}
}

// isAuthorize reports whether loc is the fake's authorize endpoint.
func (e *env) isAuthorize(loc string) bool {
	return strings.HasPrefix(loc, e.srv.URL+"/v2/authorize?")
}

// checkSignInStarted fails unless d redirects to the fake's authorize
// endpoint, setting a login cookie; it returns the state.
func (e *env) checkSignInStarted(t testing.TB, d *Decision) string {
	t.Helper()
	loc := d.Header.Get("Location")
	if d.Forward != nil || d.Status != http.StatusFound || !e.isAuthorize(loc) {
		t.Fatalf("status %d, Location %q, forward %v; want 302 to %s/v2/authorize", d.Status, loc, d.Forward, e.srv.URL)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q: %v", loc, err)
	}
	state := u.Query().Get("state")
	name := loginCookieName(state)
	if !slices.Contains(cookieShapes(d.Header), setShape(name, "600")) {
		t.Errorf("Set-Cookie = %q; want a login cookie %s", d.Header.Values("Set-Cookie"), name)
	}
	return state
}

// checkNoSession fails if d sets a session cookie.
func checkNoSession(t testing.TB, d *Decision) {
	t.Helper()
	h := d.Header
	if d.Forward != nil {
		h = d.Forward.ResponseHeader
	}
	for _, line := range h.Values("Set-Cookie") {
		if c := parseSetCookie(line); c.Name == sessionCookie && c.Value != "" {
			t.Errorf("decision sets a session cookie: %q", line)
		}
	}
}

// checkLoginRequired fails unless d is the 401 JSON answer naming login.
func checkLoginRequired(t testing.TB, d *Decision, login string) {
	t.Helper()
	if d.Forward != nil {
		t.Fatalf("decision forwards to %s; want 401 JSON", d.Forward.URL)
	}
	if d.Status != http.StatusUnauthorized {
		t.Errorf("status = %d; want 401", d.Status)
	}
	h := d.Header.Clone()
	h.Del("Set-Cookie")
	wantH := http.Header{
		"Content-Type":           {"application/json"},
		"Cache-Control":          {"no-store"},
		"X-Content-Type-Options": {"nosniff"},
	}
	if diff := cmp.Diff(wantH, h); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	want := `{"error":"login_required","login_url":"` + login + `"}` + "\n"
	if d.Body != want {
		t.Errorf("body = %q; want %q", d.Body, want)
	}
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = append(h[kv[i]], kv[i+1])
	}
	return h
}

func (e *env) setSent(d *Decision, h http.Header) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sent == nil {
		e.sent = make(map[*Decision]http.Header)
	}
	e.sent[d] = h
}

// sentHeader is the header the origin receives for a forward decision: the
// request's own, changed as the decision says.
func (e *env) sentHeader(d *Decision) http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent[d]
}

// applyForward returns the header the Worker's entry module sends to the
// origin for a request with header h, as wasm/entry.mjs builds it: f's
// removals and settings, matched without regard to case, with each value
// trimmed at its ends as fetch's Headers trims it. h is not modified.
func applyForward(f *Forward, h http.Header) http.Header {
	out := make(http.Header, len(h)+len(f.Set))
	for k, vs := range h {
		out[k] = vs
	}
	drop := func(name string) {
		for k := range out {
			if strings.EqualFold(k, name) {
				delete(out, k)
			}
		}
	}
	for _, name := range f.Remove {
		drop(name)
	}
	for _, fl := range f.Set {
		drop(fl.Name)
		out[fl.Name] = []string{strings.Trim(fl.Value, " \t")}
	}
	return out
}
