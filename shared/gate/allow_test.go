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
