package mcfake

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestSignInPage(t *testing.T) {
	s, _ := newServer(t)
	query := authorizeQuery("scope", "email_read")
	stale := &http.Cookie{Name: sessionCookie, Value: "no-such-session"}

	for _, cookies := range [][]*http.Cookie{nil, {stale}} {
		rec := serve(s, "GET", "/v2/authorize?"+query, "", "", cookies...)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || rec.Header().Get("Location") != "" {
			t.Fatalf("authorize without a session = %d, Location %q; want 200 and the sign-in page", rec.Code, rec.Header().Get("Location"))
		}
		for _, u := range DemoUsers() {
			for _, want := range []string{u.Label, u.Name, u.Email, "MID " + strconv.FormatInt(u.MID, 10), `value="` + u.Sub + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("sign-in page lacks %q", want)
				}
			}
		}
		if want := `name="authorize" value="` + html.EscapeString(query) + `"`; !strings.Contains(body, want) {
			t.Errorf("sign-in page lacks the authorize query %q", want)
		}
		if !strings.Contains(body, `name="viewport"`) || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("sign-in page should be self-contained and phone-sized:\n%s", body)
		}
	}
}

func TestSignInFlow(t *testing.T) {
	s, _ := newServer(t)
	query := authorizeQuery("scope", "email_read email_write")
	form := url.Values{"authorize": {query}, "sub": {ada}}.Encode()

	rec := serve(s, "POST", "/_fake/signin", "application/x-www-form-urlencoded", form)
	if want := "/v2/authorize?" + query; rec.Code != http.StatusFound || rec.Header().Get("Location") != want {
		t.Fatalf("sign in = %d %q; want 302 %q", rec.Code, rec.Header().Get("Location"), want)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != sessionCookie || !cookies[0].HttpOnly || cookies[0].Value == "" {
		t.Fatalf("sign in set cookies %v; want one HttpOnly %s", cookies, sessionCookie)
	}

	code := authorizeCode(t, s, cookies[0], query)
	if code == "" {
		t.Errorf("authorize after signing in gave no code")
	}
}

func TestSignInRejects(t *testing.T) {
	s, _ := newServer(t)
	tests := []struct {
		name string
		form url.Values
	}{
		{"unknown user", url.Values{"sub": {"99999999"}, "authorize": {authorizeQuery()}}},
		{"no user", url.Values{"authorize": {authorizeQuery()}}},
		{"header injection", url.Values{"sub": {ada}, "authorize": {"a=b\r\nSet-Cookie: x=y"}}},
		{"fragment", url.Values{"sub": {ada}, "authorize": {"a=b#frag"}}},
		{"bad escape", url.Values{"sub": {ada}, "authorize": {"a=%zz"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(s, "POST", "/_fake/signin", "application/x-www-form-urlencoded", tt.form.Encode())
			if rec.Code != http.StatusBadRequest || len(rec.Result().Cookies()) != 0 {
				t.Errorf("sign in = %d with cookies %v; want 400 and no session", rec.Code, rec.Result().Cookies())
			}
		})
	}
}

func TestSignInWithoutAuthorizeGoesHome(t *testing.T) {
	s, _ := newServer(t)
	rec := serve(s, "POST", "/_fake/signin", "application/x-www-form-urlencoded", "sub="+ada)
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/" {
		t.Errorf("sign in = %d %q; want 302 /", rec.Code, rec.Header().Get("Location"))
	}
}

func TestLogout(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			s, _ := newServer(t)
			c := signIn(t, s, ada)
			tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()

			rec := serve(s, method, "/_fake/logout", "", "", c)
			got := rec.Result().Cookies()
			if rec.Code != http.StatusOK || len(got) != 1 || got[0].Name != sessionCookie || got[0].MaxAge >= 0 {
				t.Errorf("logout = %d with cookies %v; want 200 clearing %s", rec.Code, got, sessionCookie)
			}
			if rec := serve(s, "GET", "/v2/authorize?"+authorizeQuery(), "", "", c); rec.Code != http.StatusOK {
				t.Errorf("authorize after logout = %d; want 200, the sign-in page", rec.Code)
			}
			if rec := getUserinfo(s, tok); rec.Code != http.StatusUnauthorized {
				t.Errorf("userinfo after logout = %d; want 401", rec.Code)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	s, _ := newServer(t)
	if body := serve(s, "GET", "/", "", "").Body.String(); !strings.Contains(body, "Nobody is signed in") {
		t.Errorf("index without a session lacks %q", "Nobody is signed in")
	}
	body := serve(s, "GET", "/", "", "", signIn(t, s, ada)).Body.String()
	for _, want := range []string{"ada.lovelace", `action="/_fake/logout"`} {
		if !strings.Contains(body, want) {
			t.Errorf("index with a session lacks %q", want)
		}
	}
	if rec := serve(s, "GET", "/nothing-here", "", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET /nothing-here = %d; want 404", rec.Code)
	}
}

func TestSignInUnknownUser(t *testing.T) {
	s, _ := newServer(t)
	if _, err := s.SignIn("nobody"); err == nil {
		t.Errorf("SignIn(%q) = nil error; want one", "nobody")
	}
}
