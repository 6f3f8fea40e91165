package mcfake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := func() *Server {
		return &Server{ClientID: testClientID, ClientSecret: testSecret, RedirectURIs: []string{testRedirect}}
	}
	tests := []struct {
		name    string
		edit    func(*Server)
		wantErr string // "" for valid
	}{
		{"valid", func(*Server) {}, ""},
		{"http on loopback", func(s *Server) { s.RedirectURIs = []string{"http://127.0.0.1:8787/_gate/callback"} }, ""},
		{"http on ipv6 loopback", func(s *Server) { s.RedirectURIs = []string{"http://[::1]:8787/cb"} }, ""},
		{"good subdomain", func(s *Server) { s.Subdomain = "mc-yfyyj2sjhsjhkwc1s8w4zrxx4" }, ""},
		{"no client id", func(s *Server) { s.ClientID = "" }, "client id is empty"},
		{"long client id", func(s *Server) { s.ClientID = strings.Repeat("a", 101) }, "longer than 100"},
		{"no secret", func(s *Server) { s.ClientSecret = "" }, "client secret is empty"},
		{"no redirect uris", func(s *Server) { s.RedirectURIs = nil }, "0 registered"},
		{"eleven redirect uris", func(s *Server) {
			for i := range 10 {
				s.RedirectURIs = append(s.RedirectURIs, fmt.Sprintf("https://gate%d.example.com/cb", i))
			}
		}, "11 registered"}, // 10 more, plus the one from ok()
		{"localhost", func(s *Server) { s.RedirectURIs = []string{"https://localhost:80/"} }, "localhost"},
		{"wildcard", func(s *Server) { s.RedirectURIs = []string{"https://example.example.com*"} }, "wildcard"},
		{"plain http", func(s *Server) { s.RedirectURIs = []string{"http://gate.example.com/cb"} }, "want https"},
		{"relative", func(s *Server) { s.RedirectURIs = []string{"/cb"} }, "absolute"},
		{"fragment", func(s *Server) { s.RedirectURIs = []string{"https://gate.example.com/cb#x"} }, "fragment"},
		{"short subdomain", func(s *Server) { s.Subdomain = "mcshort" }, "checking subdomain"},
		{"uppercase subdomain", func(s *Server) { s.Subdomain = "MC-YFYYJ2SJHSJHKWC1S8W4ZRXX4" }, "checking subdomain"},
		{"negative expiry", func(s *Server) { s.ExpiresIn = -1 }, "negative"},
		{"duplicate user", func(s *Server) { s.Users = []User{{Sub: "1"}, {Sub: "1"}} }, "appears twice"},
		{"user without sub", func(s *Server) { s.Users = []User{{Name: "x"}} }, "empty Sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.edit(s)
			err := s.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v; want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	err := (&Server{}).Validate()
	for _, want := range []string{"client id is empty", "client secret is empty", "0 registered"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %q", err, want)
		}
	}
}

func TestInvalidServerAnswers500(t *testing.T) {
	rec := serve(&Server{}, "GET", "/v2/authorize", "", "")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "client id is empty") {
		t.Errorf("GET /v2/authorize = %d %q; want 500 naming the problem", rec.Code, rec.Body)
	}
}
