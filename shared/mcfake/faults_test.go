package mcfake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

func TestTokenFaults(t *testing.T) {
	tests := []struct {
		name       string
		faults     Faults
		wantStatus int
		wantType   string
		check      func(t *testing.T, body string)
	}{
		{"down", Faults{Down: true}, 503, "text/html", nil},
		{"html", Faults{TokenHTML: true}, 200, "text/html", nil},
		{"no access token", Faults{TokenNoAccessToken: true}, 200, "application/json", func(t *testing.T, body string) {
			res := gjson.Parse(body)
			if !res.IsObject() || res.Get("access_token").Exists() || res.Get("token_type").String() != "Bearer" {
				t.Errorf("body = %s; want token JSON without access_token", body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t)
			code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery())
			s.SetFaults(tt.faults)
			rec := postToken(s, codeBody(code))
			if rec.Code != tt.wantStatus || !strings.HasPrefix(rec.Header().Get("Content-Type"), tt.wantType) {
				t.Errorf("token = %d %s; want %d %s", rec.Code, rec.Header().Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			if tt.check != nil {
				tt.check(t, rec.Body.String())
			}

			// A fault changes no state: the code is still good.
			s.SetFaults(Faults{})
			if rec := postToken(s, codeBody(code)); rec.Code != http.StatusOK {
				t.Errorf("token after clearing the fault = %d %s; want 200", rec.Code, rec.Body)
			}
		})
	}
}

func TestUserinfoFaults(t *testing.T) {
	tests := []struct {
		name       string
		faults     Faults
		wantStatus int
		wantType   string
		check      func(t *testing.T, body string)
	}{
		{"down", Faults{Down: true}, 503, "text/html", nil},
		{"html", Faults{UserinfoHTML: true}, 200, "text/html", nil},
		{"no email", Faults{UserinfoNoEmail: true}, 200, "application/json", func(t *testing.T, body string) {
			res := gjson.Parse(body)
			if res.Get("user.email").Exists() || res.Get("user.sub").String() != ada {
				t.Errorf("body = %s; want userinfo without user.email", body)
			}
		}},
		{"token faults don't apply", Faults{TokenHTML: true, TokenNoAccessToken: true}, 200, "application/json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t)
			tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()
			s.SetFaults(tt.faults)
			rec := getUserinfo(s, tok)
			if rec.Code != tt.wantStatus || !strings.HasPrefix(rec.Header().Get("Content-Type"), tt.wantType) {
				t.Errorf("userinfo = %d %s; want %d %s", rec.Code, rec.Header().Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			if tt.check != nil {
				tt.check(t, rec.Body.String())
			}
		})
	}
}

func TestDelay(t *testing.T) {
	s, _ := newServer(t)
	tok := tokensFor(t, s, ada, authorizeQuery()).Get("access_token").String()
	const delay = 50 * time.Millisecond
	s.SetFaults(Faults{Delay: delay})

	start := time.Now()
	if rec := getUserinfo(s, tok); rec.Code != http.StatusOK {
		t.Errorf("delayed userinfo = %d; want 200", rec.Code)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("delayed userinfo took %v; want at least %v", took, delay)
	}
}

func TestDelayHonoursCancellation(t *testing.T) {
	s, _ := newServer(t)
	s.SetFaults(Faults{Delay: time.Hour})
	for _, path := range []string{"/v2/token", "/v2/userinfo"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			method := "GET"
			if path == "/v2/token" {
				method = "POST"
			}
			req := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(codeBody("x")))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()

			done := make(chan struct{})
			go func() {
				s.ServeHTTP(rec, req)
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the handler kept waiting after the request was cancelled")
			}
			if rec.Body.Len() != 0 {
				t.Errorf("a cancelled request got an answer: %s", rec.Body)
			}
		})
	}
}

func TestFaultsJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Faults
		wantErr bool
	}{
		{"empty", `{}`, Faults{}, false},
		{"delay and down", `{"delay":"11s","down":true}`, Faults{Delay: 11 * time.Second, Down: true}, false},
		{"everything", `{"delay":"1m30s","down":true,"token_html":true,"token_no_access_token":true,"userinfo_no_email":true,"userinfo_html":true}`,
			Faults{90 * time.Second, true, true, true, true, true}, false},
		{"zero delay", `{"delay":"0s"}`, Faults{}, false},
		{"unknown key", `{"dwon":true}`, Faults{}, true},
		{"camelCase key", `{"tokenHTML":true}`, Faults{}, true},
		{"delay as number", `{"delay":11}`, Faults{}, true},
		{"delay without unit", `{"delay":"11"}`, Faults{}, true},
		{"negative delay", `{"delay":"-1s"}`, Faults{}, true},
		{"not an object", `[]`, Faults{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Faults
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v; want error %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); err == nil && diff != "" {
				t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFaultsControl(t *testing.T) {
	s, _ := newServer(t)
	rec := serve(s, "POST", "/_fake/faults", "application/json", `{"delay":"11s","down":true}`)
	want := Faults{Delay: 11 * time.Second, Down: true}
	if diff := cmp.Diff(want, s.CurrentFaults()); rec.Code != http.StatusOK || diff != "" {
		t.Errorf("POST /_fake/faults = %d %s; faults (-want +got):\n%s", rec.Code, rec.Body, diff)
	}
	wantBody := `{"delay":"11s","down":true,"token_html":false,"token_no_access_token":false,"userinfo_no_email":false,"userinfo_html":false}`
	if got := serve(s, "GET", "/_fake/faults", "", "").Body.String(); got != wantBody {
		t.Errorf("GET /_fake/faults = %s; want %s", got, wantBody)
	}

	if rec := serve(s, "POST", "/_fake/faults", "application/json", `{"down":"yes"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("POST bad faults = %d; want 400", rec.Code)
	}
	if diff := cmp.Diff(want, s.CurrentFaults()); diff != "" {
		t.Errorf("a rejected POST changed the faults (-want +got):\n%s", diff)
	}
	if rec := serve(s, "DELETE", "/_fake/faults", "", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /_fake/faults = %d; want 405", rec.Code)
	}
	serve(s, "POST", "/_fake/faults", "application/json", `{}`)
	if diff := cmp.Diff(Faults{}, s.CurrentFaults()); diff != "" {
		t.Errorf("POST {} left faults (-want +got):\n%s", diff)
	}
}

// FuzzFaultsJSON checks that decoding never panics and that whatever
// decodes survives a round trip unchanged.
func FuzzFaultsJSON(f *testing.F) {
	for _, seed := range []string{`{}`, `{"delay":"11s","down":true}`, `{"delay":"-1s"}`, `{"token_html":true} x`, `null`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Faults
		if err := got.UnmarshalJSON(b); err != nil {
			return
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("Marshal(%+v) = %v", got, err)
		}
		var again Faults
		if err := json.Unmarshal(out, &again); err != nil || again != got {
			t.Fatalf("round trip of %s = %+v, %v; want %+v", out, again, err, got)
		}
	})
}
