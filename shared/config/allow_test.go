package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAllowPermits(t *testing.T) {
	type user struct {
		email    string
		mid, eid int64
	}
	as := func(email string) user { return user{email, 100, 900} }
	mids := func(ids ...int64) Allow { return Allow{MIDs: ids} }
	eids := func(ids ...int64) Allow { return Allow{EIDs: ids} }
	emails := func(es ...string) Allow { return Allow{Emails: es} }
	domains := func(ds ...string) Allow { return Allow{Domains: ds} }
	either := Allow{Emails: []string{"bob@other.org"}, Domains: []string{"example.com"}}
	all := func(mid, eid int64, domain string) Allow {
		return Allow{MIDs: []int64{mid}, EIDs: []int64{eid}, Domains: []string{domain}}
	}
	ann := as("ann@example.com")

	tests := []struct {
		name  string
		allow Allow
		user  user
		want  bool
	}{
		{"zero value lets anybody in", Allow{}, ann, true},
		{"zero value, no email", Allow{}, user{"", 0, 0}, true},

		{"MID listed", mids(1, 100), ann, true},
		{"MID not listed", mids(1, 2), ann, false},
		{"MID zero not listed", mids(100), user{"ann@example.com", 0, 900}, false},
		{"EID listed", eids(900), ann, true},
		{"EID not listed", eids(901), ann, false},
		{"MID is not an EID", eids(100), ann, false},

		{"email listed", emails("ann@example.com"), ann, true},
		{"email listed, other case", emails("ann@example.com"), as("Ann@EXAMPLE.com"), true},
		{"email not listed", emails("ann@example.com"), as("bob@other.org"), false},
		{"email is not a prefix", emails("ann@example.com"), as("ann@example.com.evil.io"), false},
		{"email with a trailing space", emails("ann@example.com"), as("ann@example.com "), false},
		{"domain listed", domains("example.com"), ann, true},
		{"domain listed, other case", domains("example.com"), as("Ann@EXAMPLE.com"), true},
		{"domain not listed", domains("example.com"), as("bob@other.org"), false},
		{"subdomain does not match a domain", domains("example.com"), as("cy@mail.example.com"), false},
		{"parent does not match a subdomain", domains("mail.example.com"), ann, false},
		{"domain is not a suffix", domains("example.com"), as("eve@evilexample.com"), false},

		{"email or domain: email", either, as("bob@other.org"), true},
		{"email or domain: domain", either, ann, true},
		{"email or domain: neither", either, as("eve@evil.io"), false},

		{"two @", domains("example.com"), as("eve@evil.io@example.com"), false},
		{"two @ against the email list", emails("ann@example.com"), as("ann@example.com@example.com"), false},
		{"no @", domains("example.com"), as("example.com"), false},
		{"@ first", domains("example.com"), as("@example.com"), false},
		{"@ last", emails("ann@example.com"), as("ann@"), false},
		{"empty email", domains("example.com"), as(""), false},
		{"empty email against an empty domain", domains(""), as("ann@"), false},

		{"all lists pass", all(100, 900, "example.com"), ann, true},
		{"all lists but MID", all(1, 900, "example.com"), ann, false},
		{"all lists but EID", all(100, 1, "example.com"), ann, false},
		{"all lists but the domain", all(100, 900, "other.org"), ann, false},
		{"MID and email", Allow{MIDs: []int64{200}, Emails: []string{"bob@other.org"}},
			user{"bob@other.org", 200, 900}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			if got := tt.allow.Permits(u.email, u.mid, u.eid); got != tt.want {
				t.Errorf("%+v.Permits(%q, %d, %d) = %v; want %v", tt.allow, u.email, u.mid, u.eid, got, tt.want)
			}
		})
	}
}

func TestAllowSet(t *testing.T) {
	tests := []struct {
		allow Allow
		want  bool
	}{
		{Allow{}, false},
		{Allow{MIDs: []int64{}}, false},
		{Allow{MIDs: []int64{1}}, true},
		{Allow{EIDs: []int64{1}}, true},
		{Allow{Emails: []string{"a@b.c"}}, true},
		{Allow{Domains: []string{"b.c"}}, true},
	}
	for _, tt := range tests {
		if got := tt.allow.Set(); got != tt.want {
			t.Errorf("%+v.Set() = %v; want %v", tt.allow, got, tt.want)
		}
	}
}

func TestParseAllow(t *testing.T) {
	var (
		mids    = []string{VarAllowedMIDs}
		emails  = []string{VarAllowedEmails}
		domains = []string{VarAllowedDomains}
		longest = strings.Repeat("a.", 125) + "com" // 253 bytes
		label63 = strings.Repeat("a", 63) + ".com"
	)
	tests := []struct {
		name     string
		vars     env
		want     Allow
		problems []string
	}{
		{"unset", env{}, Allow{}, nil},
		{"white space only", env{VarAllowedMIDs: " \n", VarAllowedEmails: ", ,"}, Allow{}, nil},
		{"ids", env{VarAllowedMIDs: "1, 2 3\n4,", VarAllowedEIDs: "9223372036854775807"},
			Allow{MIDs: []int64{1, 2, 3, 4}, EIDs: []int64{1<<63 - 1}}, nil},
		{"id zero", env{VarAllowedMIDs: "0"}, Allow{}, mids},
		{"id negative", env{VarAllowedEIDs: "-5"}, Allow{}, []string{VarAllowedEIDs}},
		{"id too large", env{VarAllowedMIDs: "9223372036854775808"}, Allow{}, mids},
		{"id not a number", env{VarAllowedMIDs: "12a"}, Allow{}, mids},
		{"id hex", env{VarAllowedMIDs: "0x10"}, Allow{}, mids},
		{"id with a decimal point", env{VarAllowedMIDs: "1.0"}, Allow{}, mids},
		{"ids good and bad", env{VarAllowedMIDs: "1,x,2,y"}, Allow{MIDs: []int64{1, 2}},
			[]string{VarAllowedMIDs, VarAllowedMIDs}},

		{"emails lowered", env{VarAllowedEmails: "Ann@Example.COM, bob+tag@sub.example.org"},
			Allow{Emails: []string{"ann@example.com", "bob+tag@sub.example.org"}}, nil},
		{"email without @", env{VarAllowedEmails: "ann.example.com"}, Allow{}, emails},
		{"email with two @", env{VarAllowedEmails: "ann@evil.io@example.com"}, Allow{}, emails},
		{"email with @ first", env{VarAllowedEmails: "@example.com"}, Allow{}, emails},
		{"email with @ last", env{VarAllowedEmails: "ann@"}, Allow{}, emails},
		{"email on a bare host", env{VarAllowedEmails: "ann@localhost"}, Allow{}, emails},
		{"email with a * is a plain address", env{VarAllowedEmails: "*@example.com"},
			Allow{Emails: []string{"*@example.com"}}, nil},

		{"domains", env{VarAllowedDomains: "Example.COM @example.org,a-b.c0.io"},
			Allow{Domains: []string{"example.com", "example.org", "a-b.c0.io"}}, nil},
		{"domain without a dot", env{VarAllowedDomains: "localhost"}, Allow{}, domains},
		{"domain wildcard", env{VarAllowedDomains: "*.example.com"}, Allow{}, domains},
		{"domain with a leading dot", env{VarAllowedDomains: ".example.com"}, Allow{}, domains},
		{"domain with a trailing dot", env{VarAllowedDomains: "example.com."}, Allow{}, domains},
		{"domain with an empty label", env{VarAllowedDomains: "example..com"}, Allow{}, domains},
		{"domain label starting with -", env{VarAllowedDomains: "-x.com"}, Allow{}, domains},
		{"domain label ending with -", env{VarAllowedDomains: "x-.com"}, Allow{}, domains},
		{"domain with an underscore", env{VarAllowedDomains: "ex_ample.com"}, Allow{}, domains},
		{"domain as a URL", env{VarAllowedDomains: "https://example.com"}, Allow{}, domains},
		{"domain with two @", env{VarAllowedDomains: "@@example.com"}, Allow{}, domains},
		{"domain in Unicode", env{VarAllowedDomains: "bücher.de"}, Allow{}, domains},
		{"domain label of 63", env{VarAllowedDomains: label63}, Allow{Domains: []string{label63}}, nil},
		{"domain label of 64", env{VarAllowedDomains: "a" + label63}, Allow{}, domains},
		{"domain of 253", env{VarAllowedDomains: longest}, Allow{Domains: []string{longest}}, nil},
		{"domain of 255", env{VarAllowedDomains: "a." + longest}, Allow{}, domains},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps problems
			got := parseAllow(&ps, tt.vars.get)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseAllow() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.problems, problemVars(ps)); diff != "" {
				t.Errorf("parseAllow() problem vars mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
