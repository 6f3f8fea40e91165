package mcfake

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The documented example's client id and redirect URI.
const (
	testClientID = "vqwyswrlzzfk024ivr682esb"
	testSecret   = "not-a-real-secret-0123456789"
	testRedirect = "https://127.0.0.1:80/"
	otherRedir   = "https://gate.example.com/_gate/callback?v=1"
)

// Subs of the demo users.
const (
	ada   = "71000001" // licensed, MID 100000001, may switch to 100000002
	grace = "71000002" // unlicensed
	alan  = "71000003" // licensed, MID 100000002
)

// clock is a settable time source for Server.Now.
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

func newServer(t *testing.T) (*Server, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := &Server{
		ClientID: testClientID, ClientSecret: testSecret,
		RedirectURIs: []string{testRedirect, otherRedir},
		Now:          c.Now,
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	return s, c
}

// authorizeQuery returns a valid authorize query with overrides applied; an
// override with an empty value removes the parameter.
func authorizeQuery(overrides ...string) string {
	v := url.Values{
		"response_type": {"code"},
		"client_id":     {testClientID},
		"redirect_uri":  {testRedirect},
		"state":         {"mystate"},
	}
	for i := 0; i+1 < len(overrides); i += 2 {
		if overrides[i+1] == "" {
			v.Del(overrides[i])
		} else {
			v.Set(overrides[i], overrides[i+1])
		}
	}
	return v.Encode()
}

// serve sends one request to h, with the cookies given.
func serve(h http.Handler, method, target, contentType, body string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func signIn(t *testing.T, s *Server, sub string) *http.Cookie {
	t.Helper()
	c, err := s.SignIn(sub)
	if err != nil {
		t.Fatalf("SignIn(%q) = %v", sub, err)
	}
	return c
}

// authorizeCode runs authorize for a signed-in user and returns the code.
func authorizeCode(t *testing.T, s *Server, c *http.Cookie, query string) string {
	t.Helper()
	rec := serve(s, "GET", "/v2/authorize?"+query, "", "", c)
	if rec.Code != http.StatusFound {
		t.Fatalf("authorize: status %d; want 302", rec.Code)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatalf("authorize: Location: %v", err)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("authorize: Location %q has no code", loc)
	}
	return code
}

// postToken posts a JSON body to /v2/token.
func postToken(s *Server, body string) *httptest.ResponseRecorder {
	return serve(s, "POST", "/v2/token", "application/json", body)
}

// codeBody is a valid authorization_code request body for code.
func codeBody(code string) string {
	return `{"grant_type":"authorization_code","code":"` + code + `","client_id":"` + testClientID +
		`","client_secret":"` + testSecret + `","redirect_uri":"` + testRedirect + `"}`
}

// refreshBody is a valid refresh_token request body, plus extra JSON members.
func refreshBody(token, extra string) string {
	return `{"grant_type":"refresh_token","refresh_token":"` + token + `","client_id":"` + testClientID +
		`","client_secret":"` + testSecret + `"` + extra + `}`
}

// tokensFor signs sub in, authorizes and exchanges the code.
func tokensFor(t *testing.T, s *Server, sub, query string) gjson.Result {
	t.Helper()
	code := authorizeCode(t, s, signIn(t, s, sub), query)
	rec := postToken(s, codeBody(code))
	if rec.Code != http.StatusOK {
		t.Fatalf("token: status %d, body %s", rec.Code, rec.Body)
	}
	return gjson.Parse(rec.Body.String())
}

// getUserinfo calls userinfo with the access token.
func getUserinfo(s *Server, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}
