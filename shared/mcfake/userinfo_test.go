package mcfake

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

func TestUserinfoShape(t *testing.T) {
	s, clk := newServer(t)
	tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()
	rec := getUserinfo(s, tok)
	if rec.Code != http.StatusOK {
		t.Fatalf("userinfo = %d %s; want 200", rec.Code, rec.Body)
	}
	res := gjson.Parse(rec.Body.String())

	type field struct {
		Type  gjson.Type
		Value string
	}
	want := map[string]field{
		"exp":                            {gjson.Number, strconv.FormatInt(clk.Now().Unix()+DefaultExpiresIn, 10)},
		"iss":                            {gjson.String, "https://mc.exacttarget.com"},
		"user.sub":                       {gjson.String, ada},
		"user.name":                      {gjson.String, "ada.lovelace"},
		"user.preferred_username":        {gjson.String, "ada.lovelace"},
		"user.email":                     {gjson.String, "ada@example.com"},
		"user.locale":                    {gjson.String, "en-GB"},
		"user.zoneinfo":                  {gjson.String, "Europe/London"},
		"user.timezone.offset":           {gjson.Number, "0"},
		"user.timezone.dst":              {gjson.True, "true"},
		"organization.member_id":         {gjson.Number, "100000001"},
		"organization.enterprise_id":     {gjson.Number, "100000000"},
		"organization.account_type":      {gjson.String, "enterprise"},
		"organization.stack_key":         {gjson.String, "S1"},
		"organization.timezone.offset":   {gjson.Number, "-8"},
		"rest.rest_instance_url":         {gjson.String, "https://" + DefaultSubdomain + ".rest.marketingcloudapis.com"},
		"rest.soap_instance_url":         {gjson.String, "https://" + DefaultSubdomain + ".soap.marketingcloudapis.com"},
		"application.redirectUrl.#":      {gjson.Number, "2"},
		"application.redirectUrl.0":      {gjson.String, testRedirect},
		"application.appScopes.1":        {gjson.String, "offline"},
		"permissions.0.objectTypeName":   {gjson.String, "Email"},
		"organization.enterprise_name":   {gjson.String, "Enterprise 100000000"},
		"user.timezone.shortName":        {gjson.String, "GMT+0"},
		"organization.timezone.longName": {gjson.String, "(GMT-08:00) Pacific Time (US & Canada) *"},
	}
	got := map[string]field{}
	for path := range want {
		r := res.Get(path)
		got[path] = field{r.Type, r.String()}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("userinfo fields (-want +got):\n%s\nbody: %s", diff, rec.Body)
	}
	for _, flat := range []string{"sub", "member_id", "email"} {
		if res.Get(flat).Exists() {
			t.Errorf("userinfo has a top-level %q; the documented shape is nested", flat)
		}
	}
}

func TestUserinfoOIDCView(t *testing.T) {
	s, _ := newServer(t)
	tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()
	req := httptest.NewRequest("GET", "/v2/userinfo?view=oidc", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if got, want := gjson.Get(rec.Body.String(), "user.sub").String(), "https://mc.auth.marketingcloudapis.com/uid/"+ada; got != want {
		t.Errorf("user.sub = %q; want %q", got, want)
	}
}

func TestUserinfoBusinessUnit(t *testing.T) {
	tests := []struct {
		name, sub, extra string
		wantMID          int64
	}{
		{"default", ada, "", 100000001},
		{"switched by account_id", ada, `,"account_id":100000002`, 100000002},
		{"other business unit", alan, "", 100000002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t)
			refresh := tokensFor(t, s, tt.sub, authorizeQuery()).Get("refresh_token").String()
			rec := postToken(s, refreshBody(refresh, tt.extra))
			tok := gjson.Get(rec.Body.String(), "access_token").String()
			res := gjson.Parse(getUserinfo(s, tok).Body.String())
			if got := res.Get("organization.member_id").Int(); got != tt.wantMID {
				t.Errorf("member_id = %d; want %d", got, tt.wantMID)
			}
			if got := res.Get("organization.enterprise_id").Int(); got != demoEID {
				t.Errorf("enterprise_id = %d; want %d", got, demoEID)
			}
		})
	}
}

func TestUserinfoUnauthorized(t *testing.T) {
	tests := []struct {
		name   string
		header func(tok string) string // the Authorization header
		before func(s *Server, clk *clock)
	}{
		{"no header", func(string) string { return "" }, nil},
		{"basic scheme", func(tok string) string { return "Basic " + tok }, nil},
		{"unknown token", func(string) string { return "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x.y" }, nil},
		{"expired", nil, func(_ *Server, clk *clock) { clk.Advance(DefaultExpiresIn * time.Second) }},
		{"signed out", nil, func(s *Server, _ *clock) { s.SignOut(ada) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := newServer(t)
			tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()
			hdr := "Bearer " + tok
			if tt.header != nil {
				hdr = tt.header(tok)
			}
			if tt.before != nil {
				tt.before(s, clk)
			}
			req := httptest.NewRequest("GET", "/v2/userinfo", nil)
			req.Header.Set("Authorization", hdr)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized || rec.Body.String() != notAuthorizedBody {
				t.Errorf("userinfo = %d %s; want 401 %s", rec.Code, rec.Body, notAuthorizedBody)
			}
		})
	}
}

func TestUserinfoJustBeforeExpiry(t *testing.T) {
	s, clk := newServer(t)
	s.ExpiresIn = 60
	tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()
	clk.Advance(59 * time.Second)
	if rec := getUserinfo(s, tok); rec.Code != http.StatusOK {
		t.Errorf("userinfo after 59s of 60 = %d; want 200", rec.Code)
	}
	clk.Advance(time.Second)
	if rec := getUserinfo(s, tok); rec.Code != http.StatusUnauthorized {
		t.Errorf("userinfo after 60s of 60 = %d; want 401", rec.Code)
	}
}

func TestOfflineTokenSurvivesSignOut(t *testing.T) {
	s, _ := newServer(t)
	offline := tokensFor(t, s, ada, authorizeQuery("scope", "email_read offline")).Get("access_token").String()
	online := tokensFor(t, s, ada, authorizeQuery("scope", "email_read")).Get("access_token").String()
	other := tokensFor(t, s, alan, authorizeQuery()).Get("access_token").String()
	s.SignOut(ada)
	for _, tt := range []struct {
		name, tok string
		want      int
	}{
		{"offline", offline, http.StatusOK},
		{"online", online, http.StatusUnauthorized},
		{"another user", other, http.StatusOK},
	} {
		if rec := getUserinfo(s, tt.tok); rec.Code != tt.want {
			t.Errorf("%s token after SignOut: userinfo = %d; want %d", tt.name, rec.Code, tt.want)
		}
	}
}
