package mcfake

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAuthorizeErrorPage(t *testing.T) {
	s, _ := newServer(t)
	c := signIn(t, s, ada)
	tests := []struct {
		name  string
		query string
	}{
		{"unknown client", authorizeQuery("client_id", "someoneelse0000000000000")},
		{"no client", authorizeQuery("client_id", "")},
		{"client twice", authorizeQuery() + "&client_id=" + testClientID},
		{"no redirect uri", authorizeQuery("redirect_uri", "")},
		{"unregistered redirect uri", authorizeQuery("redirect_uri", "https://evil.example/")},
		{"missing trailing slash", authorizeQuery("redirect_uri", "https://127.0.0.1:80")},
		{"different case", authorizeQuery("redirect_uri", "HTTPS://127.0.0.1:80/")},
		{"encoded twice", authorizeQuery("redirect_uri", url.QueryEscape(testRedirect))},
		{"registered uri without its query", authorizeQuery("redirect_uri", "https://gate.example.com/_gate/callback")},
		{"redirect uri twice", authorizeQuery() + "&redirect_uri=" + url.QueryEscape(otherRedir)},
		{"bad client and bad response type", authorizeQuery("client_id", "x", "response_type", "token")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(s, "GET", "/v2/authorize?"+tt.query, "", "", c)
			if rec.Code != http.StatusBadRequest {
				t.Errorf("status = %d; want 400", rec.Code)
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("Location = %q; want no redirect", loc)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q; want an HTML page", ct)
			}
		})
	}
}

func TestAuthorizeErrorRedirect(t *testing.T) {
	s, _ := newServer(t)
	c := signIn(t, s, ada)
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{
			"wrong response type",
			authorizeQuery("response_type", "token"),
			testRedirect + "?error=unsupported_response_type&error_description=The+authorization+server+doesn%27t+support+this+response+type.&state=mystate",
		},
		{
			"no response type, no state",
			authorizeQuery("response_type", "", "state", ""),
			testRedirect + "?error=unsupported_response_type&error_description=The+authorization+server+doesn%27t+support+this+response+type.",
		},
		{
			"scope not on the integration",
			authorizeQuery("scope", "email_read data_extensions_write"),
			testRedirect + "?error=invalid_scope&error_description=The+requested+scope+is+invalid%2C+unknown+or+not+on+the+integration.&state=mystate",
		},
		{
			"registered uri with a query",
			authorizeQuery("redirect_uri", otherRedir, "response_type", "token"),
			otherRedir + "&error=unsupported_response_type&error_description=The+authorization+server+doesn%27t+support+this+response+type.&state=mystate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(s, "GET", "/v2/authorize?"+tt.query, "", "", c)
			if rec.Code != http.StatusFound {
				t.Fatalf("status = %d; want 302", rec.Code)
			}
			if got := rec.Header().Get("Location"); got != tt.want {
				t.Errorf("Location = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestAuthorizeUnlicensed(t *testing.T) {
	s, _ := newServer(t)
	rec := serve(s, "GET", "/v2/authorize?"+authorizeQuery(), "", "", signIn(t, s, grace))
	want := testRedirect + "?error=user_not_licensed&error_description=The+user+doesn%27t+have+a+license+for+this+installed+package.&state=mystate"
	if got := rec.Header().Get("Location"); rec.Code != http.StatusFound || got != want {
		t.Errorf("authorize = %d %q; want 302 %q", rec.Code, got, want)
	}
}

func TestAuthorizeCodeRedirect(t *testing.T) {
	s, _ := newServer(t)
	c := signIn(t, s, ada)
	tests := []struct {
		name  string
		query string
		want  string // a pattern for the Location
	}{
		{"state then code", authorizeQuery(), `^https://127\.0\.0\.1:80/\?state=mystate&code=[A-Za-z0-9_-]{1,512}$`},
		{"no state", authorizeQuery("state", ""), `^https://127\.0\.0\.1:80/\?code=[A-Za-z0-9_-]{1,512}$`},
		{"empty state is echoed", authorizeQuery() + "&state=", `^https://127\.0\.0\.1:80/\?state=mystate&code=`},
		{"state is encoded", authorizeQuery("state", "a b&c=d"), `^https://127\.0\.0\.1:80/\?state=a\+b%26c%3Dd&code=`},
		{"query kept", authorizeQuery("redirect_uri", otherRedir), `^https://gate\.example\.com/_gate/callback\?v=1&state=mystate&code=`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(s, "GET", "/v2/authorize?"+tt.query, "", "", c)
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusFound || !regexp.MustCompile(tt.want).MatchString(loc) {
				t.Errorf("authorize = %d %q; want 302 matching %s", rec.Code, loc, tt.want)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q; want no-store", cc)
			}
		})
	}
}

func TestAuthorizeCodesDiffer(t *testing.T) {
	s, _ := newServer(t)
	c := signIn(t, s, ada)
	a, b := authorizeCode(t, s, c, authorizeQuery()), authorizeCode(t, s, c, authorizeQuery())
	if a == b {
		t.Errorf("two authorizations gave the same code %q", a)
	}
}
