package mcfake

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The exact bodies of real and documented answers, as the protocol notes
// give them.
const (
	invalidClientBody      = `{"error":"invalid_client","error_description":"Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.","error_uri":"https://developer.salesforce.com/docs"}`
	unsupportedGrantBody   = `{"error":"unsupported_grant_type","error_description":"Use \"authorization_code\" or \"refresh_token\" or \"client_credentials\" or \"urn:ietf:params:oauth:grant-type:jwt-bearer\" as the grant_type.","error_uri":"https://developer.salesforce.com/docs"}`
	unauthorizedClientBody = `{"error":"unauthorized_client","error_description":"The client is not authorized to request an authorization code using this method.","error_uri":"https://developer.salesforce.com/docs"}`
	notAuthorizedBody      = `{"documentation":"https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm","errorcode":0,"message":"Not Authorized"}`
)

func TestTokenExactErrorBodies(t *testing.T) {
	s, _ := newServer(t)
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"wrong secret", strings.Replace(codeBody("x"), testSecret, "wrong", 1), 401, invalidClientBody},
		{"unknown client", strings.Replace(codeBody("x"), testClientID, "someoneelse0000000000000", 1), 401, invalidClientBody},
		{"no secret", `{"grant_type":"authorization_code","code":"x","client_id":"` + testClientID + `","redirect_uri":"` + testRedirect + `"}`, 401, invalidClientBody},
		{"no grant type", `{"code":"x","client_id":"` + testClientID + `","client_secret":"` + testSecret + `"}`, 400, unsupportedGrantBody},
		{"password grant", `{"grant_type":"password"}`, 400, unsupportedGrantBody},
		{"grant type not a string", `{"grant_type":1}`, 400, unsupportedGrantBody},
		{"grant type wrong case", `{"grant_type":"Authorization_Code"}`, 400, unsupportedGrantBody},
		{"v1 body", `{"clientId":"` + testClientID + `","clientSecret":"` + testSecret + `"}`, 400, unsupportedGrantBody},
		{"v1 refresh body", `{"clientId":"a","clientSecret":"b","refreshToken":"c","accessType":"offline"}`, 400, unsupportedGrantBody},
		{"v2 grant with camelCase keys", `{"grant_type":"authorization_code","clientId":"a","clientSecret":"b"}`, 400, unsupportedGrantBody},
		{"client credentials", `{"grant_type":"client_credentials","client_id":"` + testClientID + `","client_secret":"` + testSecret + `"}`, 401, unauthorizedClientBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := postToken(s, tt.body)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("token = %d %s; want %d %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q; want JSON", ct)
			}
		})
	}
}

func TestTokenJSONOnly(t *testing.T) {
	s, _ := newServer(t)
	code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery())
	form := "grant_type=authorization_code&code=" + code + "&client_id=" + testClientID + "&client_secret=" + testSecret
	tests := []struct {
		name, contentType, body string
	}{
		{"form body", "application/x-www-form-urlencoded", form},
		{"json body, form content type", "application/x-www-form-urlencoded", codeBody(code)},
		{"no content type", "", codeBody(code)},
		{"text", "text/plain", codeBody(code)},
		{"not json", "application/json", form},
		{"array", "application/json", `[]`},
		{"null", "application/json", `null`},
		{"empty", "application/json", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(s, "POST", "/v2/token", tt.contentType, tt.body)
			res := gjson.Parse(rec.Body.String())
			if rec.Code != http.StatusBadRequest || res.Get("error").String() != "invalid_request" ||
				res.Get("error_description").String() == "" || res.Get("error_uri").String() != errorURI {
				t.Errorf("token = %d %s; want 400 invalid_request with a description and error_uri", rec.Code, rec.Body)
			}
		})
	}

	// None of that spent the code.
	rec := serve(s, "POST", "/v2/token", "application/json; charset=utf-8", codeBody(code))
	if rec.Code != http.StatusOK {
		t.Errorf("token with charset = %d %s; want 200", rec.Code, rec.Body)
	}
}

func TestTokenTypeErrors(t *testing.T) {
	s, _ := newServer(t)
	tests := []struct{ name, body string }{
		{"code is a number", `{"grant_type":"authorization_code","code":1,"client_id":"` + testClientID + `","client_secret":"` + testSecret + `"}`},
		{"missing code", `{"grant_type":"authorization_code","client_id":"` + testClientID + `","client_secret":"` + testSecret + `","redirect_uri":"` + testRedirect + `"}`},
		{"missing redirect uri", `{"grant_type":"authorization_code","code":"x","client_id":"` + testClientID + `","client_secret":"` + testSecret + `"}`},
		{"missing refresh token", refreshBody("", "")},
		{"account id not digits", refreshBody("x", `,"account_id":"12a"`)},
		{"account id negative", refreshBody("x", `,"account_id":-5`)},
		{"account id fraction", refreshBody("x", `,"account_id":1.5`)},
		{"account id object", refreshBody("x", `,"account_id":{}`)},
		{"scope is a list", refreshBody("x", `,"scope":["email_read"]`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := postToken(s, tt.body)
			if rec.Code != http.StatusBadRequest || gjson.Get(rec.Body.String(), "error").String() != "invalid_request" {
				t.Errorf("token = %d %s; want 400 invalid_request", rec.Code, rec.Body)
			}
		})
	}
}

func TestCodeExchange(t *testing.T) {
	s, _ := newServer(t)
	res := tokensFor(t, s, ada, authorizeQuery("scope", "email_read offline"))

	want := map[string]string{
		"expires_in":        "1079",
		"token_type":        "Bearer",
		"rest_instance_url": "https://" + DefaultSubdomain + ".rest.marketingcloudapis.com/",
		"soap_instance_url": "https://" + DefaultSubdomain + ".soap.marketingcloudapis.com/",
		"scope":             "email_read offline",
	}
	for key, v := range want {
		if got := res.Get(key).Raw; strings.Trim(got, `"`) != v {
			t.Errorf("%s = %s; want %s", key, got, v)
		}
	}
	if res.Get("expires_in").Type != gjson.Number {
		t.Errorf("expires_in = %s; want a number", res.Get("expires_in").Raw)
	}
	keys := []string{}
	res.ForEach(func(k, _ gjson.Result) bool { keys = append(keys, k.String()); return true })
	if got, want := strings.Join(keys, ","), "access_token,refresh_token,expires_in,token_type,rest_instance_url,soap_instance_url,scope"; got != want {
		t.Errorf("keys = %s; want %s", got, want)
	}
	checkTokenShape(t, res.Get("access_token").String(), "access_token")
	checkTokenShape(t, res.Get("refresh_token").String(), "refresh_token")
}

// checkTokenShape checks a token looks like a real one: four base64url
// segments, the first two decoding to the header and claims.
func checkTokenShape(t *testing.T, tok, kind string) {
	t.Helper()
	segs := strings.Split(tok, ".")
	if len(tok) > 512 || len(segs) != 4 || !regexp.MustCompile(`^[A-Za-z0-9_.-]+$`).MatchString(tok) {
		t.Fatalf("%s %q: want at most 512 chars in 4 base64url segments", kind, tok)
	}
	header, err := base64.RawURLEncoding.DecodeString(segs[0])
	if err != nil || string(header) != tokenHeader {
		t.Errorf("%s header = %q, %v; want %q", kind, header, err, tokenHeader)
	}
	claims, err := base64.RawURLEncoding.DecodeString(segs[1])
	c := gjson.ParseBytes(claims)
	if err != nil || len(c.Get(kind).String()) != 24 || c.Get("client_id").String() != testClientID || c.Get("eid").Int() != demoEID {
		t.Errorf("%s claims = %s, %v; want %s, client_id and eid", kind, claims, err, kind)
	}
	if !strings.HasPrefix(string(claims), `{"`+kind+`":`) {
		t.Errorf("%s claims = %s; want %q first", kind, claims, kind)
	}
}

func TestTokenLengthWithLongClientID(t *testing.T) {
	s, _ := newServer(t)
	s.ClientID = strings.Repeat("c", 100)
	code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery("client_id", s.ClientID))
	rec := postToken(s, strings.ReplaceAll(codeBody(code), testClientID, s.ClientID))
	for _, key := range []string{"access_token", "refresh_token"} {
		if n := len(gjson.Get(rec.Body.String(), key).String()); n == 0 || n > 512 {
			t.Errorf("%s has %d characters; want 1 to 512", key, n)
		}
	}
}

func TestCodeSingleUse(t *testing.T) {
	s, _ := newServer(t)
	code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery())
	if rec := postToken(s, codeBody(code)); rec.Code != http.StatusOK {
		t.Fatalf("first exchange = %d %s; want 200", rec.Code, rec.Body)
	}
	rec := postToken(s, codeBody(code))
	if rec.Code != http.StatusBadRequest || gjson.Get(rec.Body.String(), "error").String() != "invalid_grant" {
		t.Errorf("second exchange = %d %s; want 400 invalid_grant", rec.Code, rec.Body)
	}
}

func TestCodeExpiry(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want int
	}{
		{4*time.Minute + 59*time.Second, http.StatusOK},
		{5 * time.Minute, http.StatusBadRequest},
		{time.Hour, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.wait.String(), func(t *testing.T) {
			s, clk := newServer(t)
			code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery())
			clk.Advance(tt.wait)
			if rec := postToken(s, codeBody(code)); rec.Code != tt.want {
				t.Errorf("exchange after %v = %d %s; want %d", tt.wait, rec.Code, rec.Body, tt.want)
			}
		})
	}
}

func TestUnknownCode(t *testing.T) {
	s, _ := newServer(t)
	rec := postToken(s, codeBody("aWekysIEeqM9PiThEfm0Cnr0MoLIfwWyRJcqOqHdF8f9INokharAS09ia7UNP6RiVScerfhc4w"))
	want := `{"error":"invalid_grant","error_description":"The authorization code is invalid, expired or already used.","error_uri":"https://developer.salesforce.com/docs"}`
	if rec.Code != http.StatusBadRequest || rec.Body.String() != want {
		t.Errorf("exchange = %d %s; want 400 %s", rec.Code, rec.Body, want)
	}
}

func TestRedirectURIByteEquality(t *testing.T) {
	tests := []struct {
		name, redirectURI string
		want              int
	}{
		{"same", testRedirect, http.StatusOK},
		{"url-encoded", "https%3A%2F%2F127.0.0.1%3A80%2F", http.StatusBadRequest},
		{"no trailing slash", "https://127.0.0.1:80", http.StatusBadRequest},
		{"default port dropped", "https://127.0.0.1/", http.StatusBadRequest},
		{"upper case", "HTTPS://127.0.0.1:80/", http.StatusBadRequest},
		{"the other registered uri", otherRedir, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t)
			code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery())
			body := strings.Replace(codeBody(code), `"redirect_uri":"`+testRedirect+`"`, `"redirect_uri":"`+tt.redirectURI+`"`, 1)
			rec := postToken(s, body)
			if rec.Code != tt.want {
				t.Fatalf("exchange = %d %s; want %d", rec.Code, rec.Body, tt.want)
			}
			if tt.want != http.StatusOK && gjson.Get(rec.Body.String(), "error").String() != "invalid_grant" {
				t.Errorf("exchange = %s; want invalid_grant", rec.Body)
			}
			// A failed exchange spends the code all the same.
			if rec := postToken(s, codeBody(code)); tt.want != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Errorf("retry with the right uri = %d; want 400", rec.Code)
			}
		})
	}
}

func TestScopes(t *testing.T) {
	tests := []struct {
		name       string
		authorize  string // "" leaves scope out of the authorize request
		tokenScope string // JSON member added to the token request, or ""
		want       string
		wantStatus int
	}{
		{"integration scopes without offline", "", "", "openid email_read email_send email_write", 200},
		{"as authorized", "email_read email_write", "", "email_read email_write", 200},
		{"subset", "email_read email_write", `,"scope":"email_write"`, "email_write", 200},
		{"empty asks for none", "email_read", `,"scope":""`, "", 200},
		{"null is absent", "email_read", `,"scope":null`, "email_read", 200},
		{"wider", "email_read", `,"scope":"email_read email_send"`, "", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t)
			q := authorizeQuery()
			if tt.authorize != "" {
				q = authorizeQuery("scope", tt.authorize)
			}
			code := authorizeCode(t, s, signIn(t, s, ada), q)
			body := strings.TrimSuffix(codeBody(code), "}") + tt.tokenScope + "}"
			rec := postToken(s, body)
			res := gjson.Parse(rec.Body.String())
			if rec.Code != tt.wantStatus {
				t.Fatalf("exchange = %d %s; want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if tt.wantStatus == 200 && res.Get("scope").String() != tt.want {
				t.Errorf("scope = %q; want %q", res.Get("scope").String(), tt.want)
			}
			if tt.wantStatus == 400 && res.Get("error").String() != "invalid_scope" {
				t.Errorf("error = %s; want invalid_scope", rec.Body)
			}
		})
	}
}

func TestRefreshRotation(t *testing.T) {
	s, _ := newServer(t)
	first := tokensFor(t, s, ada, authorizeQuery())
	old := first.Get("refresh_token").String()

	// The doc's example sends account_id as a string; a redirect_uri, as
	// some clients send, is ignored.
	rec := postToken(s, refreshBody(old, `,"account_id":"100000001","redirect_uri":"https://anything.example/"`))
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh = %d %s; want 200", rec.Code, rec.Body)
	}
	second := gjson.Parse(rec.Body.String())
	for _, key := range []string{"access_token", "refresh_token"} {
		if second.Get(key).String() == first.Get(key).String() {
			t.Errorf("refresh returned the same %s", key)
		}
	}
	checkTokenShape(t, second.Get("refresh_token").String(), "refresh_token")

	rec = postToken(s, refreshBody(old, ""))
	if rec.Code != http.StatusBadRequest || gjson.Get(rec.Body.String(), "error").String() != "invalid_grant" {
		t.Errorf("reusing the old refresh token = %d %s; want 400 invalid_grant", rec.Code, rec.Body)
	}
	if rec := postToken(s, refreshBody(second.Get("refresh_token").String(), `,"account_id":100000001`)); rec.Code != http.StatusOK {
		t.Errorf("the new refresh token = %d %s; want 200", rec.Code, rec.Body)
	}
	// An access token stays good until it expires, refresh or not.
	if rec := getUserinfo(s, first.Get("access_token").String()); rec.Code != http.StatusOK {
		t.Errorf("userinfo with the first access token = %d; want 200", rec.Code)
	}
}

func TestRefreshRejects(t *testing.T) {
	tests := []struct {
		name       string
		extra      string
		wait       time.Duration
		wantStatus int
		wantError  string
	}{
		{"business unit the user can't reach", `,"account_id":200000001`, 0, 403, "access_denied"},
		{"wider scope", `,"scope":"email_read offline"`, 0, 400, "invalid_scope"},
		{"after 30 days", "", 30 * 24 * time.Hour, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := newServer(t)
			refresh := tokensFor(t, s, ada, authorizeQuery("scope", "email_read")).Get("refresh_token").String()
			clk.Advance(tt.wait)
			rec := postToken(s, refreshBody(refresh, tt.extra))
			if rec.Code != tt.wantStatus || gjson.Get(rec.Body.String(), "error").String() != tt.wantError {
				t.Errorf("refresh = %d %s; want %d %s", rec.Code, rec.Body, tt.wantStatus, tt.wantError)
			}
		})
	}
}

func TestRefreshAfterSignOut(t *testing.T) {
	tests := []struct {
		scope string
		want  int
	}{
		{"email_read", http.StatusBadRequest},
		{"email_read offline", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			s, _ := newServer(t)
			refresh := tokensFor(t, s, ada, authorizeQuery("scope", tt.scope)).Get("refresh_token").String()
			s.SignOut(ada)
			if rec := postToken(s, refreshBody(refresh, "")); rec.Code != tt.want {
				t.Errorf("refresh after SignOut = %d %s; want %d", rec.Code, rec.Body, tt.want)
			}
		})
	}
}

func TestTokensPruned(t *testing.T) {
	s, clk := newServer(t)
	c := signIn(t, s, ada)
	authorizeCode(t, s, c, authorizeQuery())
	tokensFor(t, s, ada, authorizeQuery())
	clk.Advance(31 * 24 * time.Hour)
	authorizeCode(t, s, c, authorizeQuery()) // prunes

	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.codes) + len(s.access) + len(s.refresh); n != 1 {
		t.Errorf("%d codes and tokens kept; want only the new code", n)
	}
}

func TestTokenAnswerSettings(t *testing.T) {
	s, _ := newServer(t)
	s.Subdomain = "mc6vgk-sxj9p08pqwxqz9hw9-4my"
	s.ExpiresIn = 60
	res := tokensFor(t, s, ada, authorizeQuery())
	want := map[string]string{
		"expires_in":        "60",
		"rest_instance_url": "https://mc6vgk-sxj9p08pqwxqz9hw9-4my.rest.marketingcloudapis.com/",
		"soap_instance_url": "https://mc6vgk-sxj9p08pqwxqz9hw9-4my.soap.marketingcloudapis.com/",
	}
	for key, v := range want {
		if got := res.Get(key).String(); got != v {
			t.Errorf("%s = %q; want %q", key, got, v)
		}
	}
}
