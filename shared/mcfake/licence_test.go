package mcfake

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// authorizeError returns the error= of authorize's redirect for the
// browser with cookie c, or "" if it got a code.
func authorizeError(t *testing.T, s *Server, c *http.Cookie) string {
	t.Helper()
	rec := serve(s, "GET", "/v2/authorize?"+authorizeQuery(), "", "", c)
	if rec.Code != http.StatusFound {
		t.Fatalf("authorize: status %d; want 302", rec.Code)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatalf("authorize: Location: %v", err)
	}
	if loc.Query().Get("code") == "" && loc.Query().Get("error") == "" {
		t.Fatalf("authorize: Location %q has neither code nor error", loc)
	}
	return loc.Query().Get("error")
}

func TestSetLicensed(t *testing.T) {
	s, _ := newServer(t)
	c := signIn(t, s, ada)
	tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()

	if err := s.SetLicensed(ada, false); err != nil {
		t.Fatalf("SetLicensed(ada, false) = %v", err)
	}
	if got := authorizeError(t, s, c); got != "user_not_licensed" {
		t.Errorf("authorize after withdrawal: error = %q; want user_not_licensed", got)
	}
	if rec := getUserinfo(s, tok); rec.Code != http.StatusOK {
		t.Errorf("userinfo with a token issued before = %d; want 200", rec.Code)
	}

	if err := s.SetLicensed(grace, true); err != nil {
		t.Fatalf("SetLicensed(grace, true) = %v", err)
	}
	if got := authorizeError(t, s, signIn(t, s, grace)); got != "" {
		t.Errorf("authorize once licensed: error = %q; want a code", got)
	}
	if err := s.SetLicensed(ada, true); err != nil {
		t.Fatalf("SetLicensed(ada, true) = %v", err)
	}
	if got := authorizeError(t, s, c); got != "" {
		t.Errorf("authorize after the licence came back: error = %q; want a code", got)
	}

	if err := s.SetLicensed("nobody", false); err == nil {
		t.Errorf("SetLicensed(nobody) = nil; want an error")
	}
	want := map[string]bool{ada: true, grace: true, alan: true, "71000004": true}
	if diff := cmp.Diff(want, s.Licences()); diff != "" {
		t.Errorf("Licences() (-want +got):\n%s", diff)
	}
}

func TestSetLicensedLeavesUsersAlone(t *testing.T) {
	users := DemoUsers()
	s := &Server{ClientID: testClientID, ClientSecret: testSecret, RedirectURIs: []string{testRedirect}, Users: users}
	if err := s.SetLicensed(ada, false); err != nil {
		t.Fatalf("SetLicensed = %v", err)
	}
	if !users[0].Licensed || !s.Users[0].Licensed {
		t.Errorf("SetLicensed changed the Users the server was given")
	}
}

func TestLicenceControl(t *testing.T) {
	s, _ := newServer(t)
	rec := serve(s, "POST", "/_fake/licence", "application/json", `{"sub":"71000001","licensed":false}`)
	wantBody := `{"71000001":false,"71000002":false,"71000003":true,"71000004":true}`
	if rec.Code != http.StatusOK || rec.Body.String() != wantBody {
		t.Errorf("POST /_fake/licence = %d %s; want 200 %s", rec.Code, rec.Body, wantBody)
	}
	if got := authorizeError(t, s, signIn(t, s, ada)); got != "user_not_licensed" {
		t.Errorf("authorize after POST: error = %q; want user_not_licensed", got)
	}
	if got := serve(s, "GET", "/_fake/licence", "", "").Body.String(); got != wantBody {
		t.Errorf("GET /_fake/licence = %s; want %s", got, wantBody)
	}

	for _, body := range []string{
		`{}`,
		`{"sub":"71000001"}`,
		`{"licensed":true}`,
		`{"sub":"","licensed":true}`,
		`{"sub":"71000009","licensed":true}`,
		`{"sub":"71000001","licensed":"yes"}`,
		`{"sub":"71000001","licenced":true}`,
		`{"sub":71000001,"licensed":true}`,
		`{"sub":"71000001","licensed":true} {}`,
		`[]`,
		`null`,
		``,
	} {
		if rec := serve(s, "POST", "/_fake/licence", "application/json", body); rec.Code != http.StatusBadRequest {
			t.Errorf("POST /_fake/licence %s = %d; want 400", body, rec.Code)
		}
	}
	if got := serve(s, "GET", "/_fake/licence", "", "").Body.String(); got != wantBody {
		t.Errorf("rejected POSTs changed the licences: %s; want %s", got, wantBody)
	}

	rec = serve(s, "DELETE", "/_fake/licence", "", "")
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("DELETE /_fake/licence = %d, Allow %q; want 405, GET, HEAD, POST", rec.Code, rec.Header().Get("Allow"))
	}
}

// FuzzLicenceChange checks that decoding never panics and that what
// decodes names a user and a licence.
func FuzzLicenceChange(f *testing.F) {
	for _, seed := range []string{`{"sub":"71000001","licensed":false}`, `{}`, `{"sub":"x","licensed":true} x`, `null`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseLicenceChange(b)
		if err != nil {
			return
		}
		if c.Sub == "" || c.Licensed == nil {
			t.Fatalf("parseLicenceChange(%q) = %+v; want sub and licensed set", b, c)
		}
	})
}
