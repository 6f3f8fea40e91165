package config

import (
	"slices"
	"strconv"
	"strings"
)

// Allow holds the allow-lists. A user must match every list that is set;
// emails and email domains count as one list, matched by either. The zero
// value lets every signed-in user of the tenant through.
type Allow struct {
	MIDs    []int64  // business units (organization.member_id)
	EIDs    []int64  // enterprises (organization.enterprise_id)
	Emails  []string // whole addresses, lowercase
	Domains []string // the part after "@", lowercase
}

// Permits reports whether a user with this email, MID and EID passes every
// list that is set. An address with more or fewer than one "@" matches no
// email or domain entry.
func (a *Allow) Permits(email string, mid, eid int64) bool {
	if len(a.MIDs) > 0 && !slices.Contains(a.MIDs, mid) {
		return false
	}
	if len(a.EIDs) > 0 && !slices.Contains(a.EIDs, eid) {
		return false
	}
	if len(a.Emails) == 0 && len(a.Domains) == 0 {
		return true
	}

	email = strings.ToLower(email)
	at := strings.IndexByte(email, '@')
	if at <= 0 || at != strings.LastIndexByte(email, '@') || at == len(email)-1 {
		return false
	}
	return slices.Contains(a.Emails, email) || slices.Contains(a.Domains, email[at+1:])
}

// Set reports whether any list is set.
func (a *Allow) Set() bool {
	return len(a.MIDs)+len(a.EIDs)+len(a.Emails)+len(a.Domains) > 0
}

func parseAllow(ps *problems, getenv func(string) string) Allow {
	return Allow{
		MIDs:    parseIDs(ps, VarAllowedMIDs, getenv(VarAllowedMIDs)),
		EIDs:    parseIDs(ps, VarAllowedEIDs, getenv(VarAllowedEIDs)),
		Emails:  parseEmails(ps, getenv(VarAllowedEmails)),
		Domains: parseDomains(ps, getenv(VarAllowedDomains)),
	}
}

func parseIDs(ps *problems, name, raw string) []int64 {
	var ids []int64
	for _, f := range splitList(raw) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			ps.add(name, strconv.Quote(f)+" is not a positive whole number")
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

func parseEmails(ps *problems, raw string) []string {
	var out []string
	for _, f := range splitList(raw) {
		e := strings.ToLower(f)
		at := strings.IndexByte(e, '@')
		if at <= 0 || at != strings.LastIndexByte(e, '@') || !isDomain(e[at+1:]) {
			ps.add(VarAllowedEmails, strconv.Quote(f)+" is not an email address")
			continue
		}
		out = append(out, e)
	}
	return out
}

func parseDomains(ps *problems, raw string) []string {
	var out []string
	for _, f := range splitList(raw) {
		d := strings.ToLower(strings.TrimPrefix(f, "@"))
		if !isDomain(d) {
			ps.add(VarAllowedDomains, strconv.Quote(f)+" is not a domain such as example.com")
			continue
		}
		out = append(out, d)
	}
	return out
}

func isDomain(d string) bool {
	if len(d) == 0 || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
