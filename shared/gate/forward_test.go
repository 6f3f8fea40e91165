package gate

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mcfake"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// signedIn returns a browser signed in as sub, its loop-breaker count
// already cleared by one forwarded request.
func signedIn(t testing.TB, e *env, sub string) *browser {
	t.Helper()
	b := e.browser(sub)
	b.mustSignIn(gateOrigin+"/", "/")
	if d := b.fetch(gateOrigin + "/"); d.Forward == nil {
		t.Fatalf("first signed-in request: status %d; want a forward", d.Status)
	}
	return b
}

// adaIdentity is what the gate tells the origin about ada.
func adaIdentity() http.Header {
	return http.Header{
		HeaderEmail:  {"ada@example.com"},
		HeaderName:   {"ada.lovelace"},
		HeaderUserID: {ada},
		HeaderMID:    {"100000001"},
		HeaderEID:    {"100000000"},
	}
}

func TestForwardURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, origin, target, want string
	}{
		{"origin", originURL, gateOrigin + "/page?a=1&b=2", originURL + "/page?a=1&b=2"},
		{"origin with base path", originURL + "/base/", gateOrigin + "/page?a=1", originURL + "/base/page?a=1"},
		{"escaped path kept", originURL, gateOrigin + "/a%20b/%2F/c?x=%26", originURL + "/a%20b/%2F/c?x=%26"},
		{"empty query dropped", originURL, gateOrigin + "/page?", originURL + "/page"},
		{"no origin: the request's own URL", "", gateOrigin + "/page?a=1&b=2", gateOrigin + "/page?a=1&b=2"},
		{"no origin, root", "", gateOrigin + "/", gateOrigin + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, map[string]string{config.VarOriginURL: tt.origin})
			b := signedIn(t, e, ada)
			d := b.fetch(tt.target)
			if d.Forward == nil {
				t.Fatalf("status %d; want a forward", d.Status)
			}
			if d.Forward.URL != tt.want {
				t.Errorf("Forward.URL = %q; want %q", d.Forward.URL, tt.want)
			}
		})
	}
}

func TestForwardHeaderDropsForgedIdentity(t *testing.T) {
	t.Parallel()
	// Client-sent identity headers in every spelling a server might fold
	// into X-MC-…, set as raw map keys so no canonicalisation helps.
	forged := http.Header{
		"X-MC-User-Email":   {"admin@example.com"},
		"x-mc-user-email":   {"admin@example.com"},
		"X-Mc-User-Name":    {"admin"},
		"x_mc_mid":          {"1"},
		"X_Mc-Eid":          {"1"},
		"X-mc_User-Id":      {"1"},
		"X-MC-Other":        {"x"},
		"X-Mc-Access-Token": {"forged"},
		"x-mC-":             {"x"},
	}
	kept := http.Header{
		"Accept":     {"text/html"},
		"User-Agent": {"test"},
		"X-Mcx":      {"not ours"},
		"X-Mc":       {"too short to be ours"},
		"Xmc-Thing":  {"not ours"},
	}

	t.Run("signed in", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := signedIn(t, e, ada)
		d := b.do(http.MethodGet, gateOrigin+"/page", merge(kept, forged, http.Header{"Host": {"evil.example"}}))
		if d.Forward == nil {
			t.Fatalf("status %d; want a forward", d.Status)
		}
		want := merge(kept, adaIdentity())
		if diff := cmp.Diff(want, e.sentHeader(d)); diff != "" {
			t.Errorf("Forward.Header mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("public path", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, map[string]string{config.VarPublicPaths: "/assets"})
		b := e.browser(ada)
		d := b.do(http.MethodGet, gateOrigin+"/assets/app.css", merge(kept, forged))
		if d.Forward == nil {
			t.Fatalf("status %d; want a forward", d.Status)
		}
		if diff := cmp.Diff(kept, e.sentHeader(d)); diff != "" {
			t.Errorf("Forward.Header mismatch (-want +got):\n%s", diff)
		}
	})
}

func merge(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for k, vs := range h {
			out[k] = append(out[k], vs...)
		}
	}
	return out
}

func TestForwardCookieHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cookie []string // Cookie lines sent besides the browser's own
		want   string   // "" for no Cookie header
	}{
		{"only the gate's", nil, ""},
		{"others kept in order", []string{"a=1; __Host-cpg=x; b=2; __Host-cpg-login-abc=y; c=3"}, "a=1; b=2; c=3"},
		{"every gate cookie name", []string{"__Host-cpg-tries=1; __Host-cpg-anything=2; __Host-cpg=3"}, ""},
		{"look-alikes kept", []string{"__Host-cpgx=1; __host-cpg-login-a=2; _Host-cpg=3"}, "__Host-cpgx=1; __host-cpg-login-a=2; _Host-cpg=3"},
		{"several lines", []string{"a=1", "__Host-cpg=2; b=2"}, "a=1; b=2"},
		{"odd spacing", []string{" a=1 ;;__Host-cpg=z;  b=2;"}, "a=1; b=2"},
		{"cookie without value", []string{"flag; __Host-cpg; c=3"}, "flag; c=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := signedIn(t, e, ada)
			r := b.request(http.MethodGet, gateOrigin+"/page", subRequest())
			// The browser's own line (with the session) goes first.
			r.Header["Cookie"] = append(r.Header["Cookie"], tt.cookie...)
			d := b.send(r)
			if d.Forward == nil {
				t.Fatalf("status %d; want a forward", d.Status)
			}
			got, ok := e.sentHeader(d)["Cookie"]
			if tt.want == "" {
				if ok {
					t.Errorf("Forward Cookie = %q; want none", got)
				}
				return
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("Forward Cookie mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The identity fields are made once per session and shared by its
// requests: what one request adds (the origin's cookies, the assertion)
// must never show up in another's.
func TestForwardSharedIdentityStaysPerRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarOriginSecret: originSecret})
	b := signedIn(t, e, ada)

	first := b.request(http.MethodGet, gateOrigin+"/first", subRequest())
	first.Header["Cookie"] = append(first.Header["Cookie"], "theme=dark")
	d1 := b.send(first)
	d2 := b.fetch(gateOrigin + "/second")
	if d1.Forward == nil || d2.Forward == nil {
		t.Fatalf("statuses %d, %d; want two forwards", d1.Status, d2.Status)
	}

	if got := e.sentHeader(d1).Get("Cookie"); got != "theme=dark" {
		t.Errorf("first forward Cookie = %q; want %q", got, "theme=dark")
	}
	if got, ok := e.sentHeader(d2)["Cookie"]; ok {
		t.Errorf("second forward Cookie = %q; want none", got)
	}
	for _, d := range []*Decision{d1, d2} {
		names := map[string]int{}
		for _, f := range d.Forward.Set {
			names[f.Name]++
		}
		for name, n := range names {
			if n != 1 {
				t.Errorf("forward to %s sets %s %d times; want once", d.Forward.URL, name, n)
			}
		}
	}
	if fieldValue(d1.Forward.Set, HeaderGateSignature) == fieldValue(d2.Forward.Set, HeaderGateSignature) {
		t.Errorf("two forwards share one signature %q", fieldValue(d2.Forward.Set, HeaderGateSignature))
	}
}

func TestForwardPublicPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarPublicPaths: "/assets, /favicon.ico, /static/"})
	b := signedIn(t, e, ada)
	anon := e.browser(ada)
	anon.setCookie(sessionCookie, "garbage")

	public := []string{"/assets", "/assets/app.css", "/assets/a/b.js?v=1", "/favicon.ico", "/static/x.png"}
	for _, p := range public {
		for _, who := range []*browser{b, anon} {
			d := who.fetch(gateOrigin + p)
			if d.Forward == nil {
				t.Errorf("GET %s: status %d; want a forward", p, d.Status)
				continue
			}
			for k := range e.sentHeader(d) {
				if isIdentityHeader(k) {
					t.Errorf("GET %s: public forward carries %s", p, k)
				}
			}
			if c := e.sentHeader(d).Get("Cookie"); strings.Contains(c, cookiePrefix) {
				t.Errorf("GET %s: public forward carries Cookie %q", p, c)
			}
		}
	}

	// Paths an origin might read as public while they are not, or the
	// other way round, need a session.
	protected := []string{
		"/assets-private/x", "/Assets/app.css", "/assets/../secret", "/assets/%2e%2e/secret",
		"/assets/..%2Fsecret", "/assets//x", "/assets;/x", "/assets%2Fx", "/favicon.ico.bak",
		"/static", "/%61ssets/x", "/assets/./x", "/assets\\..\\secret",
	}
	for _, p := range protected {
		d := anon.fetch(gateOrigin + p)
		if d.Forward != nil {
			t.Errorf("GET %s without a session: forwarded to %s; want 401", p, d.Forward.URL)
		}
	}
}

func TestForwardAccessToken(t *testing.T) {
	t.Parallel()
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := signedIn(t, e, ada)
		d := b.do(http.MethodGet, gateOrigin+"/", header(HeaderToken, "forged"))
		if got, ok := e.sentHeader(d)[HeaderToken]; ok {
			t.Errorf("%s = %q; want none", HeaderToken, got)
		}
	})
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, map[string]string{config.VarForwardAccessToken: "true"})
		b := signedIn(t, e, ada)
		d := b.do(http.MethodGet, gateOrigin+"/", header(HeaderToken, "forged"))
		got := e.sentHeader(d).Values(HeaderToken)
		if len(got) != 1 || got[0] == "forged" || got[0] == "" {
			t.Errorf("%s = %q; want the token Marketing Cloud issued", HeaderToken, got)
		}
		sess, _ := b.cookie(sessionCookie)
		if len(sess) >= 4096 {
			t.Errorf("session cookie with token is %d bytes; want under 4 KB", len(sess))
		}
	})
}

func TestForwardIdentityEncoding(t *testing.T) {
	t.Parallel()
	users := []mcfake.User{{
		Sub: "71000009", Name: "Zoë 100%", Email: "zoe+cpg@example.com",
		MID: 100000001, EID: 100000000, Licensed: true,
	}}
	e := newEnv(t, nil, func(s *mcfake.Server) { s.Users = users })
	b := signedIn(t, e, "71000009")
	d := b.fetch(gateOrigin + "/")
	want := http.Header{
		HeaderEmail:  {"zoe+cpg@example.com"},
		HeaderName:   {"Zo%C3%AB 100%25"},
		HeaderUserID: {"71000009"},
		HeaderMID:    {"100000001"},
		HeaderEID:    {"100000000"},
	}
	got := http.Header{}
	for k, vs := range e.sentHeader(d) {
		if isIdentityHeader(k) {
			got[k] = vs
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identity headers mismatch (-want +got):\n%s", diff)
	}
}

func TestHeaderValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"ada@example.com", "ada@example.com"},
		{"Zoë", "Zo%C3%AB"},
		{"100%", "100%25"},
		{"a\r\nb", "a%0D%0Ab"},
		{"tab\there", "tab%09here"},
		{"\x00\x7f~", "%00%7F~"},
		// Headers lose spaces at their ends on the way (RFC 9110 §5.5);
		// those inside are kept as they are.
		{" Ada Lovelace ", "%20Ada Lovelace%20"},
		{" ", "%20"},
		{"  ", "%20%20"},
		{"a b", "a b"},
	}
	for _, tt := range tests {
		if got := headerValue(tt.in); got != tt.want {
			t.Errorf("headerValue(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsIdentityHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"X-Mc-User-Email", true},
		{"x-mc-mid", true},
		{"X_MC_EID", true},
		{"x_Mc-Anything", true},
		{"X-MC-", true},
		{"X-Mc", false},
		{"X-Mcc-Id", false},
		{"X-Mc.Id", false},
		{"Y-Mc-Id", false},
		{"X-Forwarded-For", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isIdentityHeader(tt.name); got != tt.want {
			t.Errorf("isIdentityHeader(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestForwardRewritesOriginLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarOriginURL: "https://CloudPage.example/base/"})
	b := signedIn(t, e, ada)

	d := b.fetch(gateOrigin + "/page")
	want := &Rewrite{To: gateOrigin, From: []string{
		"https://cloudpage.example/base", "http://cloudpage.example/base", "//cloudpage.example/base",
	}}
	if d.Forward == nil || d.Forward.URL != "https://CloudPage.example/base/page" {
		t.Fatalf("decision = %+v; want a forward to the base path", d)
	}
	if diff := cmp.Diff(want, d.Forward.Rewrite); diff != "" {
		t.Errorf("Rewrite mismatch (-want +got):\n%s", diff)
	}

	route := newEnv(t, map[string]string{config.VarOriginURL: ""})
	if d := signedIn(t, route, ada).fetch(gateOrigin + "/page"); d.Forward == nil || d.Forward.Rewrite != nil {
		t.Errorf("in front of the CloudPage's own host: %+v; want a forward without a rewrite", d.Forward)
	}
}

// TestReadHeaderCoversWhatHandleUses hands Handle the same requests whole
// and cut down to the headers ReadHeader names, as the Worker does, and
// expects the same decisions.
func TestReadHeaderCoversWhatHandleUses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarPublicPaths: "/assets/"})
	b := signedIn(t, e, ada)
	extra := http.Header{
		"User-Agent": {"Mozilla/5.0"}, "Accept-Language": {"en"}, "X-Forwarded-For": {"203.0.113.7"},
		"Sec-Ch-Ua": {`"Chromium"`}, "X_mc_mid": {"1"}, "X-Mc-Other": {"x"}, "Host": {"evil.example"},
		"Cf-Ray": {"8c1f2e3d4b5a6978-LHR"}, "Origin": {gateOrigin}, "Sec-Fetch-Site": {"same-origin"},
	}
	cut := func(h http.Header) http.Header {
		out := http.Header{}
		for k, v := range h {
			if _, ok := ReadHeader(k); ok {
				out[k] = v
			}
		}
		return out
	}

	for _, c := range []struct {
		method, target string
		h              http.Header
	}{
		{http.MethodGet, gateOrigin + "/page?x=1", navigation()},
		{http.MethodGet, gateOrigin + "/api", subRequest()},
		{http.MethodPost, gateOrigin + "/form", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
		{http.MethodGet, gateOrigin + "/assets/app.css", subRequest()},
		{http.MethodGet, gateOrigin + "/_gate/userinfo", subRequest()},
		{http.MethodPost, gateOrigin + "/_gate/logout", http.Header{}},
	} {
		whole := merge(c.h, extra)
		for _, anon := range []bool{false, true} {
			br := b
			if anon {
				br = e.browser(ada)
			}
			full := br.g.Handle(t.Context(), br.request(c.method, c.target, whole))
			r := br.request(c.method, c.target, whole)
			r.Header = cut(r.Header)
			part := br.g.Handle(t.Context(), r)

			if (full.Forward == nil) != (part.Forward == nil) || full.Status != part.Status {
				t.Errorf("%s %s (anonymous %v): whole %d/%v, cut %d/%v", c.method, c.target, anon,
					full.Status, full.Forward != nil, part.Status, part.Forward != nil)
				continue
			}
			if full.Forward != nil {
				sorted := cmpopts.SortSlices(func(a, b string) bool { return a < b })
				if diff := cmp.Diff(full.Forward, part.Forward, sorted); diff != "" {
					t.Errorf("%s %s (anonymous %v): forward differs (-whole +cut):\n%s", c.method, c.target, anon, diff)
				}
			}
		}
	}
}
