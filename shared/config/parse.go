package config

import (
	"encoding/base64"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudpage-gate/gate/shared/session"
)

// Parse reads every variable through getenv, which returns "" for a
// variable that is not set, and returns the checked configuration or an
// [*Error] listing every problem found.
func Parse(getenv func(name string) string) (*Config, error) {
	var ps problems
	c := &Config{
		ClientID:     strings.TrimSpace(getenv(VarClientID)),
		ClientSecret: getenv(VarClientSecret),
	}

	c.AuthBase = parseAuthBase(&ps, getenv(VarSubdomain), getenv(VarAuthBaseURL))
	checkClient(&ps, c.ClientID, c.ClientSecret)
	c.RedirectURI, c.Callback = parseRedirectURI(&ps, getenv(VarRedirectURI))
	c.Scope = parseScope(&ps, getenv(VarScope))
	c.Keys = parseKeys(&ps, getenv(VarSessionKeys))
	c.SessionTTL = parseDuration(&ps, VarSessionTTL, getenv(VarSessionTTL), DefaultSessionTTL, 5*time.Minute, 30*24*time.Hour)
	c.ReauthAfter = parseDuration(&ps, VarReauthAfter, getenv(VarReauthAfter), DefaultReauthAfter, time.Minute, 30*24*time.Hour)
	c.Origin = parseOrigin(&ps, getenv(VarOriginURL))
	c.OriginSecret = parseOriginSecret(&ps, getenv(VarOriginSecret))
	c.Public = parsePublicPaths(&ps, getenv(VarPublicPaths), c.Callback)
	c.Allow = parseAllow(&ps, getenv)
	c.ForwardAccessToken = parseBool(&ps, VarForwardAccessToken, getenv(VarForwardAccessToken))

	// A sign-in trusted for longer than the session lasts would never be
	// re-checked; cap it rather than refuse a harmless combination.
	if c.ReauthAfter > c.SessionTTL {
		c.ReauthAfter = c.SessionTTL
	}

	if len(ps) > 0 {
		return nil, &Error{Problems: ps}
	}
	return c, nil
}

func parseAuthBase(ps *problems, sub, base string) *url.URL {
	sub = strings.TrimSpace(sub)
	base = strings.TrimSpace(base)
	if base != "" {
		u, msg := parseHostURL(base, false)
		if msg != "" {
			ps.add(VarAuthBaseURL, msg)
			return nil
		}
		return u
	}

	if sub == "" {
		ps.add(VarSubdomain, "is required: the 28-character subdomain of the tenant's auth host, "+
			"shown in Installed Packages as https://<subdomain>.auth.marketingcloudapis.com/")
		return nil
	}
	if msg := checkSubdomain(sub); msg != "" {
		ps.add(VarSubdomain, msg)
		return nil
	}
	return &url.URL{Scheme: "https", Host: sub + ".auth.marketingcloudapis.com"}
}

// checkSubdomain follows the observed form: 28 characters of [a-z0-9-]
// starting with "mc"; hyphens may appear anywhere after the prefix.
func checkSubdomain(sub string) string {
	if strings.Contains(sub, ".") || strings.Contains(sub, "/") {
		return "must be the subdomain alone (such as mcabc…), not a host name or URL"
	}
	if len(sub) != 28 {
		return "must be 28 characters long; it has " + strconv.Itoa(len(sub))
	}
	// The characters come before the prefix, so that "MCABC…" is told it
	// must be lowercase rather than that it does not start with "mc".
	for _, r := range sub {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return "may hold only lowercase letters, digits and hyphens"
		}
	}
	if !strings.HasPrefix(sub, "mc") {
		return `must start with "mc"`
	}
	return ""
}

func checkClient(ps *problems, id, secret string) {
	switch {
	case id == "":
		ps.add(VarClientID, "is required: the Client Id of the package's Web App integration")
	case len(id) > 256 || strings.ContainsFunc(id, isSpaceOrControl):
		ps.add(VarClientID, "must be a single word of at most 256 characters")
	}

	switch {
	case secret == "":
		ps.add(VarClientSecret, "is required: set it with `wrangler secret put MC_CLIENT_SECRET`")
	case len(secret) > 1024 || strings.ContainsFunc(secret, isSpaceOrControl):
		ps.add(VarClientSecret, "must be the Client Secret exactly as shown, without spaces or line breaks")
	}
}

func parseRedirectURI(ps *problems, raw string) (string, *url.URL) {
	if raw == "" {
		ps.add(VarRedirectURI, "is required: the redirect URI registered in the package, "+
			"such as https://cloud.example.com/_gate/callback")
		return "", nil
	}

	// url.Parse keeps a raw space in the path, but the URI is sent exactly
	// as written and a space cannot be part of the registered one.
	u, msg := parseHostURL(raw, true)
	switch {
	case msg != "":
	case strings.ContainsFunc(raw, isSpaceOrControl):
		msg = "must not hold spaces or line breaks; write it exactly as registered in the package"
	case u.RawQuery != "" || u.ForceQuery:
		msg = "must not have a query: Marketing Cloud adds its own"
	case u.Path == "" || u.Path == "/":
		msg = "must have a path of its own, such as /_gate/callback: the gate answers there"
	case !isCleanPath(u.EscapedPath()):
		msg = "must have a plain path without dot segments, doubled or encoded slashes"
	}
	if msg != "" {
		ps.add(VarRedirectURI, msg)
		return "", nil
	}
	return raw, u
}

func parseScope(ps *problems, raw string) string {
	scope := strings.Join(strings.Fields(raw), " ")
	for _, s := range strings.Fields(raw) {
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == ':' || r == '.') {
				ps.add(VarScope, "scope "+strconv.Quote(s)+" is not a scope name; separate scopes with spaces")
				return ""
			}
		}
	}
	return scope
}

func parseKeys(ps *problems, raw string) *session.Keyring {
	fields := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || isSpaceOrControl(r) })
	if len(fields) == 0 {
		ps.add(VarSessionKeys, "is required: one or more keys of 32 random bytes in base64url, "+
			"separated by commas; generate one with `make key`")
		return nil
	}

	keys := make([][]byte, 0, len(fields))
	bad := false
	for i, f := range fields {
		k, err := decodeKey(f)
		if err != nil {
			ps.add(VarSessionKeys, "key "+strconv.Itoa(i+1)+" of "+strconv.Itoa(len(fields))+" "+err.Error()+"; generate one with `make key`")
			bad = true
			continue
		}
		keys = append(keys, k)
	}
	if bad {
		return nil
	}

	kr, err := session.NewKeyring(keys, nil)
	if err != nil {
		ps.add(VarSessionKeys, err.Error())
		return nil
	}
	return kr
}

// decodeKey accepts base64url or standard base64, padded or not: operators
// paste keys from many tools, and the length check is what matters.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "+", "-"), "/", "_")
	k, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("is not base64url")
	}
	if len(k) != session.KeySize {
		return nil, errors.New("decodes to " + strconv.Itoa(len(k)) + " bytes, not " + strconv.Itoa(session.KeySize))
	}
	return k, nil
}

func parseDuration(ps *problems, name, raw string, def, min, max time.Duration) time.Duration {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def
	}

	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		ps.add(name, strconv.Quote(raw)+" is not a duration such as 8h or 90m")
	case d < min || d > max:
		ps.add(name, strconv.Quote(raw)+" must be between "+min.String()+" and "+max.String())
	default:
		return d
	}
	return def
}

func parseOrigin(ps *problems, raw string) *url.URL {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}

	u, msg := parseHostURL(raw, true)
	switch {
	case msg != "":
	case u.RawQuery != "" || u.ForceQuery:
		msg = "must not have a query: the request's own query is kept"
	case u.Path != "" && !isCleanPath(u.EscapedPath()):
		msg = "must have a plain base path without dot segments, doubled or encoded slashes"
	}
	if msg != "" {
		ps.add(VarOriginURL, msg)
		return nil
	}

	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u
}

// MinOriginSecretLen is the shortest ORIGIN_SECRET accepted, in bytes.
const MinOriginSecretLen = 32

func parseOriginSecret(ps *problems, raw string) []byte {
	if raw == "" {
		return nil
	}
	if len(raw) < MinOriginSecretLen || strings.ContainsFunc(raw, isSpaceOrControl) {
		ps.add(VarOriginSecret, "must be at least "+strconv.Itoa(MinOriginSecretLen)+" characters without spaces; generate one with `make key`")
		return nil
	}
	return []byte(raw)
}

func parseBool(ps *problems, name, raw string) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return false
	}

	b, err := strconv.ParseBool(raw)
	if err != nil {
		ps.add(name, strconv.Quote(raw)+" must be true or false")
	}
	return b
}

// parseHostURL accepts an absolute https URL, or http on a loopback host
// for local development, with no user info or fragment. With path false it
// accepts no path either. It returns a message on failure.
func parseHostURL(raw string, path bool) (*url.URL, string) {
	// Hostname, not Host: "https://:443" has a Host of ":443" and no host.
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || u.Opaque != "" {
		return nil, "must be an absolute URL such as https://host/path"
	}

	switch {
	case u.User != nil:
		return nil, "must not hold a user name or password"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, "must not have a fragment (#…)"
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, "must use https (http is accepted only on a loopback host, for local testing)"
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, "must use https"
	case !path && strings.Trim(u.Path, "/") != "":
		return nil, "must be the host alone, without a path"
	case !path && (u.RawQuery != "" || u.ForceQuery):
		return nil, "must be the host alone, without a query"
	}

	if !path {
		u.Path, u.RawPath = "", ""
	}
	return u, ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f
}
