package gate

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mcfake"
)

const originSecret = "origin-SECRET-0123456789abcdef-0123456789"

// toOrigin builds the request the origin receives for a forward decision,
// as the Worker sends it: to the forward's URL, with the changed header.
func toOrigin(t *testing.T, e *env, d *Decision) *http.Request {
	t.Helper()
	if d.Forward == nil {
		t.Fatalf("decision is a %d answer; want a forward", d.Status)
	}
	r := httptest.NewRequest(http.MethodGet, d.Forward.URL, nil)
	r.Header = e.sentHeader(d).Clone()
	return r
}

// TestAssertionVerifiedByCloudPageCheck signs with the gate and checks
// with the fake CloudPage, which implements the documented CloudPage check
// on its own (mcfake/assertion.go), so the two must agree on the
// construction to pass.
func TestAssertionVerifiedByCloudPageCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *env, r *http.Request)
		want   int
	}{
		{"untouched", func(*env, *http.Request) {}, http.StatusOK},
		{"another user's email", func(_ *env, r *http.Request) {
			r.Header.Set(HeaderEmail, "mallory@example.com")
		}, http.StatusForbidden},
		{"another business unit", func(_ *env, r *http.Request) {
			r.Header.Set(HeaderMID, "1")
		}, http.StatusForbidden},
		{"signature changed", func(_ *env, r *http.Request) {
			sig := r.Header.Get(HeaderGateSignature)
			r.Header.Set(HeaderGateSignature, strings.Repeat("0", len(sig)))
		}, http.StatusForbidden},
		{"time moved", func(_ *env, r *http.Request) {
			r.Header.Set(HeaderGateTime, "1")
		}, http.StatusForbidden},
		{"another page", func(_ *env, r *http.Request) {
			r.URL.Path, r.URL.RawPath = "/admin", ""
		}, http.StatusForbidden},
		{"another host", func(_ *env, r *http.Request) {
			r.Host = "other.example"
		}, http.StatusForbidden},
		{"no assertion", func(_ *env, r *http.Request) {
			r.Header.Del(HeaderGateSignature)
		}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, map[string]string{config.VarOriginSecret: originSecret})
			page := &mcfake.CloudPage{OriginSecret: []byte(originSecret), Now: e.clock.Now}
			b := signedIn(t, e, ada)

			r := toOrigin(t, e, b.fetch(gateOrigin+"/reports/q3?region=emea"))
			tt.change(e, r)
			w := httptest.NewRecorder()
			page.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("CloudPage answered %d; want %d: %s", w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestAssertionExpiresAndCannotBeReplayed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarOriginSecret: originSecret})
	page := &mcfake.CloudPage{OriginSecret: []byte(originSecret), Now: e.clock.Now}
	b := signedIn(t, e, ada)
	serve := func(r *http.Request) int {
		w := httptest.NewRecorder()
		page.ServeHTTP(w, r.Clone(r.Context()))
		return w.Code
	}

	r := toOrigin(t, e, b.fetch(gateOrigin+"/echo"))
	if got := serve(r); got != http.StatusOK {
		t.Fatalf("first use: %d; want 200", got)
	}
	if got := serve(r); got != http.StatusForbidden {
		t.Errorf("replayed: %d; want 403", got)
	}

	late := toOrigin(t, e, b.fetch(gateOrigin+"/echo"))
	e.clock.Advance((mcfake.AssertionMaxAge + 1) * time.Second)
	if got := serve(late); got != http.StatusForbidden {
		t.Errorf("used %ds late: %d; want 403", mcfake.AssertionMaxAge+1, got)
	}
}

func TestAssertionOnPublicPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{config.VarOriginSecret: originSecret, config.VarPublicPaths: "/public/"})
	page := &mcfake.CloudPage{OriginSecret: []byte(originSecret), Now: e.clock.Now}

	r := toOrigin(t, e, e.browser(ada).fetch(gateOrigin+"/public/info"))
	if r.Header.Get(HeaderEmail) != "" {
		t.Errorf("anonymous forward carries %s = %q; want none", HeaderEmail, r.Header.Get(HeaderEmail))
	}
	w := httptest.NewRecorder()
	page.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("CloudPage answered %d to an anonymous forward through the gate; want 200", w.Code)
	}
}

func TestAssertionPayloadIsLineSafe(t *testing.T) {
	// Every field the payload takes is a header value or a URL part, none
	// of which can hold a line break; the payload relies on it.
	p := AssertionPayload("1", "n", "h", "/p", "a@example.com", "7", "1", "2")
	if got := strings.Count(p, "\n"); got != 8 {
		t.Errorf("payload has %d line breaks; want 8: %q", got, p)
	}
	if !strings.HasPrefix(p, AssertionVersion+"\n") {
		t.Errorf("payload %q does not start with the version", p)
	}
}
