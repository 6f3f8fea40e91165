package gate

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/google/go-cmp/cmp"
)

func TestAllowLists(t *testing.T) {
	t.Parallel()
	type user struct {
		sub, email string
		mid        string
	}
	var (
		uAda    = user{ada, "ada@example.com", "100000001"}
		uAlan   = user{alan, "alan@example.com", "100000002"}
		uEdsger = user{edsger, "edsger@example.org", "200000001"}
	)
	tests := []struct {
		name    string
		vars    map[string]string
		allowed []user
		refused []user
	}{
		{
			name:    "MIDs",
			vars:    map[string]string{config.VarAllowedMIDs: "100000001"},
			allowed: []user{uAda}, refused: []user{uAlan, uEdsger},
		},
		{
			name:    "several MIDs",
			vars:    map[string]string{config.VarAllowedMIDs: "100000001, 100000002"},
			allowed: []user{uAda, uAlan}, refused: []user{uEdsger},
		},
		{
			name:    "EIDs",
			vars:    map[string]string{config.VarAllowedEIDs: "200000000"},
			allowed: []user{uEdsger}, refused: []user{uAda, uAlan},
		},
		{
			name:    "emails",
			vars:    map[string]string{config.VarAllowedEmails: "ADA@Example.com"},
			allowed: []user{uAda}, refused: []user{uAlan, uEdsger},
		},
		{
			name:    "email domains",
			vars:    map[string]string{config.VarAllowedDomains: "@example.org"},
			allowed: []user{uEdsger}, refused: []user{uAda, uAlan},
		},
		{
			name:    "parent domain does not cover",
			vars:    map[string]string{config.VarAllowedDomains: "sub.example.com"},
			refused: []user{uAda},
		},
		{
			name: "emails or domains",
			vars: map[string]string{
				config.VarAllowedEmails:  "edsger@example.org",
				config.VarAllowedDomains: "example.com",
			},
			allowed: []user{uAda, uAlan, uEdsger},
		},
		{
			name: "every list that is set",
			vars: map[string]string{
				config.VarAllowedMIDs:    "100000002, 200000001",
				config.VarAllowedDomains: "example.com",
			},
			allowed: []user{uAlan}, refused: []user{uAda, uEdsger},
		},
		{
			name: "MID and EID",
			vars: map[string]string{
				config.VarAllowedMIDs: "100000001",
				config.VarAllowedEIDs: "200000000",
			},
			refused: []user{uAda, uEdsger},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.vars)
			for _, u := range tt.allowed {
				b := e.browser(u.sub)
				b.mustSignIn(gateOrigin+"/page", "/page")
				d := b.fetch(gateOrigin + "/page")
				if d.Forward == nil || e.sentHeader(d).Get(HeaderEmail) != u.email {
					t.Errorf("%s: %+v; want a forward as %s", u.email, d, u.email)
				}
			}
			for _, u := range tt.refused {
				b := e.browser(u.sub)
				d := b.signIn(gateOrigin + "/page")
				checkPage(t, d, http.StatusForbidden, "This page is not open to you")
				checkNoSession(t, d)
				want := "as " + html.EscapeString(u.email) + " (business unit " + u.mid + ")"
				if !strings.Contains(d.Body, want) {
					t.Errorf("%s: page does not say %q:\n%s", u.email, want, d.Body)
				}
				if got := b.loginCookies(); got != nil {
					t.Errorf("%s: login cookies left: %q", u.email, got)
				}
				ev := e.lastEvent()
				got := [3]string{ev.Name, ev.Reason, ev.User}
				if diff := cmp.Diff([3]string{EventLoginDenied, "not_allowed", u.email}, got); diff != "" {
					t.Errorf("%s: last event mismatch (-want +got):\n%s", u.email, diff)
				}
				if d := b.fetch(gateOrigin + "/page"); d.Forward != nil {
					t.Errorf("%s: refused user forwarded afterwards", u.email)
				}
			}
		})
	}
}

// The allow-lists in force apply to sessions issued before, under other
// lists, as well as to new sign-ins: a user taken off them by a new
// deployment loses access with the next request, not when the session
// ends.
func TestAllowListsApplyToSessions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string // the new deployment's lists; ada is off them
	}{
		{"emails", map[string]string{config.VarAllowedEmails: "alan@example.com"}},
		{"email domains", map[string]string{config.VarAllowedDomains: "example.org"}},
		{"MIDs", map[string]string{config.VarAllowedMIDs: "100000002"}},
		{"EIDs", map[string]string{config.VarAllowedEIDs: "200000000"}},
		{"email and MID", map[string]string{config.VarAllowedEmails: "ada@example.com", config.VarAllowedMIDs: "100000002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := signedIn(t, e, ada)
			b.g = e.newGate(tt.vars)

			d := b.fetch(gateOrigin + "/api")
			checkLoginRequired(t, d, "/_gate/login?rd=%2Fapi")
			if diff := cmp.Diff([]string{clearShape(sessionCookie)}, cookieShapes(d.Header)); diff != "" {
				t.Errorf("Set-Cookie mismatch (-want +got):\n%s", diff)
			}
			if ev := e.lastEvent(); ev.Name != EventSessionRefused || ev.Reason != reasonNotAllowed {
				t.Errorf("last event = %s/%s; want %s/%s", ev.Name, ev.Reason, EventSessionRefused, reasonNotAllowed)
			}

			// A page load signs in again, which names who was refused.
			d = b.navigate(gateOrigin + "/page")
			e.checkSignInStarted(t, d)
			d = b.navigate(b.authorize(d.Header.Get("Location")))
			checkPage(t, d, http.StatusForbidden, "This page is not open to you")
			checkNoSession(t, d)
		})
	}
}

// A session the new lists still allow goes on as before, and costs no
// more than before: the decision is kept with the opened session.
func TestAllowListsKeepAllowedSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	g := e.newGate(map[string]string{config.VarAllowedDomains: "example.com", config.VarAllowedMIDs: "100000001"})
	b.g = g

	for range 2 {
		d := b.fetch(gateOrigin + "/api")
		if d.Forward == nil || e.sentHeader(d).Get(HeaderEmail) != "ada@example.com" {
			t.Fatalf("allowed session: %+v; want a forward as ada", d)
		}
		if d.Forward.ResponseHeader != nil {
			t.Errorf("allowed session: answer gets %v; want nothing added", d.Forward.ResponseHeader)
		}
	}
	v, _ := b.cookie(sessionCookie)
	if o := g.sessions.get(v); o == nil || !o.allowed {
		t.Errorf("session cache holds %+v; want the session, allowed", o)
	}
}
