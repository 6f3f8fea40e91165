package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/session"
	"github.com/google/go-cmp/cmp"
)

const (
	testSubdomain = "mc-yfyyj2sjhsjhkwc1s8w4zrxx4"
	testRedirect  = "https://cloud.example.com/_gate/callback"

	// The secrets are distinctive so that a leak into a message is found by
	// a plain substring search.
	testClientSecret = "cs_Zq7Xv2Lw9Pk4Rt8Yb3Nm6Hj"
	testOriginSecret = "os_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x"
)

var (
	testKeyA = bytes.Repeat([]byte{0xa1}, session.KeySize)
	testKeyB = bytes.Repeat([]byte{0xb2}, session.KeySize)
)

// env is a deployment's variables; a missing name reads as "", as in the
// Worker.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// validEnv returns the smallest valid deployment, fresh for each call.
func validEnv() env {
	return env{
		VarSubdomain:    testSubdomain,
		VarClientID:     "abcd1234efgh5678ijkl9012",
		VarClientSecret: testClientSecret,
		VarRedirectURI:  testRedirect,
		VarSessionKeys:  b64url(testKeyA),
	}
}

func b64url(k []byte) string { return base64.RawURLEncoding.EncodeToString(k) }

// parseWith parses validEnv with the given variables replaced; an empty
// value unsets the variable.
func parseWith(t *testing.T, edits env) (*Config, []Problem) {
	t.Helper()
	e := validEnv()
	for k, v := range edits {
		e[k] = v
	}
	c, err := Parse(e.get)
	if err == nil {
		if c == nil {
			t.Fatalf("Parse() = nil, nil; want a config or an error")
		}
		return c, nil
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Parse() error = %T %v; want *Error", err, err)
	}
	if c != nil {
		t.Errorf("Parse() = %+v, %v; want a nil config with the error", c, err)
	}
	if len(ce.Problems) == 0 {
		t.Errorf("Parse() returned an *Error with no problems")
	}
	return nil, ce.Problems
}

// checkRefused checks that Parse refused name=raw and blamed only name.
func checkRefused(t *testing.T, ps []Problem, name, raw string) {
	t.Helper()
	if diff := cmp.Diff([]string{name}, problemVars(ps)); diff != "" {
		t.Errorf("Parse(%s=%q) problem vars mismatch (-want +got):\n%s", name, raw, diff)
	}
}

func problemVars(ps []Problem) []string {
	var vs []string
	for _, p := range ps {
		vs = append(vs, p.Var)
	}
	return vs
}

func TestParseValid(t *testing.T) {
	c, ps := parseWith(t, nil)
	if ps != nil {
		t.Fatalf("Parse(valid) problems = %v; want none", ps)
	}

	want := "https://" + testSubdomain + ".auth.marketingcloudapis.com"
	if got := c.AuthBase.String(); got != want {
		t.Errorf("AuthBase = %q; want %q", got, want)
	}
	if c.RedirectURI != testRedirect {
		t.Errorf("RedirectURI = %q; want %q", c.RedirectURI, testRedirect)
	}
	if c.Callback == nil || c.Callback.Path != "/_gate/callback" {
		t.Errorf("Callback = %v; want path /_gate/callback", c.Callback)
	}
	if c.ClientSecret != testClientSecret {
		t.Errorf("ClientSecret was changed")
	}
	if c.SessionTTL != DefaultSessionTTL || c.ReauthAfter != DefaultReauthAfter {
		t.Errorf("SessionTTL, ReauthAfter = %v, %v; want %v, %v",
			c.SessionTTL, c.ReauthAfter, DefaultSessionTTL, DefaultReauthAfter)
	}
	if DefaultSessionTTL != 8*time.Hour || DefaultReauthAfter != time.Hour {
		t.Errorf("defaults = %v, %v; want 8h, 1h", DefaultSessionTTL, DefaultReauthAfter)
	}
	if c.Keys == nil {
		t.Errorf("Keys = nil")
	}
	if c.Origin != nil || c.OriginSecret != nil || c.Public != nil || c.Allow.Set() ||
		c.ForwardAccessToken || c.Scope != "" {
		t.Errorf("optional fields = %v, %q, %v, %+v, %v, %q; want all unset",
			c.Origin, c.OriginSecret, c.Public, c.Allow, c.ForwardAccessToken, c.Scope)
	}
}

func TestParseEveryVariable(t *testing.T) {
	c, ps := parseWith(t, env{
		VarScope:              " email_read  offline ",
		VarSessionKeys:        b64url(testKeyB) + "," + b64url(testKeyA),
		VarSessionTTL:         "12h",
		VarReauthAfter:        "30m",
		VarOriginURL:          "https://o.example/pages/",
		VarOriginSecret:       testOriginSecret,
		VarPublicPaths:        "/assets/, /favicon.ico",
		VarAllowedMIDs:        "100, 200",
		VarAllowedEIDs:        "300",
		VarAllowedEmails:      "Ann@Example.com",
		VarAllowedDomains:     "@Example.org",
		VarForwardAccessToken: "true",
	})
	if ps != nil {
		t.Fatalf("Parse() problems = %v; want none", ps)
	}

	got := struct {
		Scope              string
		SessionTTL         time.Duration
		ReauthAfter        time.Duration
		Origin             string
		OriginSecret       string
		Public             PublicPaths
		Allow              Allow
		ForwardAccessToken bool
	}{
		c.Scope, c.SessionTTL, c.ReauthAfter, c.Origin.String(), string(c.OriginSecret),
		c.Public, c.Allow, c.ForwardAccessToken,
	}
	want := got
	want.Scope = "email_read offline"
	want.SessionTTL = 12 * time.Hour
	want.ReauthAfter = 30 * time.Minute
	want.Origin = "https://o.example/pages"
	want.OriginSecret = testOriginSecret
	want.Public = PublicPaths{"/assets/", "/favicon.ico"}
	want.Allow = Allow{
		MIDs:    []int64{100, 200},
		EIDs:    []int64{300},
		Emails:  []string{"ann@example.com"},
		Domains: []string{"example.org"},
	}
	want.ForwardAccessToken = true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse() mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRequired(t *testing.T) {
	_, err := Parse(env{}.get)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Parse(empty) error = %v; want *Error", err)
	}
	want := []string{VarSubdomain, VarClientID, VarClientSecret, VarRedirectURI, VarSessionKeys}
	if diff := cmp.Diff(want, problemVars(ce.Problems)); diff != "" {
		t.Errorf("Parse(empty) problem vars mismatch (-want +got):\n%s", diff)
	}
	for _, p := range ce.Problems {
		if !strings.Contains(p.Msg, "required") {
			t.Errorf("Parse(empty) %s: %q; want it to say the variable is required", p.Var, p.Msg)
		}
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	bad := env{
		VarSubdomain:          "mcshort",
		VarClientID:           "two words",
		VarClientSecret:       "has space",
		VarRedirectURI:        "http://cloud.example.com/cb",
		VarScope:              "a,b",
		VarSessionKeys:        "short,alsoshort",
		VarSessionTTL:         "forever",
		VarReauthAfter:        "1s",
		VarOriginURL:          "https://o.example/?q",
		VarOriginSecret:       "tooshort",
		VarPublicPaths:        "/ relative",
		VarAllowedMIDs:        "0",
		VarAllowedEIDs:        "x",
		VarAllowedEmails:      "nobody",
		VarAllowedDomains:     "localhost",
		VarForwardAccessToken: "yes",
	}
	_, ps := parseWith(t, bad)
	want := []string{
		VarSubdomain, VarClientID, VarClientSecret, VarRedirectURI, VarScope,
		VarSessionKeys, VarSessionKeys, VarSessionTTL, VarReauthAfter, VarOriginURL,
		VarOriginSecret, VarPublicPaths, VarPublicPaths, VarAllowedMIDs, VarAllowedEIDs,
		VarAllowedEmails, VarAllowedDomains, VarForwardAccessToken,
	}
	if diff := cmp.Diff(want, problemVars(ps)); diff != "" {
		t.Errorf("Parse() problem vars mismatch (-want +got):\n%s", diff)
	}

	// Every variable Parse reads, and only those, can be reported.
	for _, p := range ps {
		found := false
		for _, n := range Names {
			found = found || n == p.Var
		}
		if !found {
			t.Errorf("Problem.Var = %q; not in Names", p.Var)
		}
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Problems: []Problem{{"A", "is wrong"}, {"B", "is missing"}}}
	if got, want := e.Error(), "invalid configuration: A: is wrong; B: is missing"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}

// TestSecretsNeverShown sets every secret to a distinctive value, valid or
// not, breaks other variables so that Parse fails, and looks for each
// secret, and for each piece of it, in every message.
func TestSecretsNeverShown(t *testing.T) {
	wrongLen := b64url([]byte("k3Y_wrong_length_20b")) // decodes to 20 bytes
	tests := []struct {
		name string
		vars env
	}{
		{"valid secrets", env{
			VarClientSecret: testClientSecret,
			VarSessionKeys:  b64url(testKeyA) + "," + b64url(testKeyB),
			VarOriginSecret: testOriginSecret,
		}},
		{"client secret with a space", env{VarClientSecret: "cs_Zq7Xv2 Lw9Pk4Rt8Yb3"}},
		{"client secret with a newline", env{VarClientSecret: "cs_Zq7Xv2Lw9\nPk4Rt8Yb3"}},
		{"client secret too long", env{VarClientSecret: strings.Repeat("cs_Zq7Xv2Lw9", 100)}},
		{"session key of the wrong length", env{VarSessionKeys: wrongLen}},
		{"second session key of the wrong length", env{VarSessionKeys: b64url(testKeyA) + " " + wrongLen}},
		{"session key not base64", env{VarSessionKeys: "Sk7Qw2Ex9!!Rt4Yu6$$Io8Pa1Sd3"}},
		{"session key standard base64 too long", env{
			VarSessionKeys: base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xef}, 40)),
		}},
		{"origin secret too short", env{VarOriginSecret: "os_aB3dE5fG7hJ9"}},
		{"origin secret with a space", env{VarOriginSecret: "os_aB3dE5fG7 hJ9kL1mN3pQ5rS7tU9vW1x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := env{VarClientID: "", VarSubdomain: "bad"} // force a failure
			for k, v := range tt.vars {
				vars[k] = v
			}
			_, ps := parseWith(t, vars)
			msg := (&Error{Problems: ps}).Error()
			for _, name := range Secrets {
				for _, piece := range secretPieces(tt.vars[name]) {
					if strings.Contains(msg, piece) {
						t.Errorf("Parse() error %q shows %q from %s", msg, piece, name)
					}
				}
			}
		})
	}
}

// secretPieces returns the secret and each of its pieces of 6 bytes or more
// between separators, which a message might quote on its own.
func secretPieces(secret string) []string {
	if secret == "" {
		return nil
	}
	out := []string{secret}
	for _, f := range strings.FieldsFunc(secret, func(r rune) bool { return r == ',' || r <= ' ' }) {
		if len(f) >= 6 {
			out = append(out, f, f[:6], f[len(f)-6:])
		}
	}
	return out
}

func TestParseSubdomain(t *testing.T) {
	tests := []struct {
		name string
		sub  string
		ok   bool
	}{
		{"letters and digits", "mcq8x2k7v4n9p1r5t3w6y0z2b4d6", true},
		{"hyphen at position 3", "mc-yfyyj2sjhsjhkwc1s8w4zrxx4", true},
		{"hyphens in the middle", "mcpk8yjlr38c-gnlfdjh-1t51c81", true},
		{"hyphen last", "mc6vgk-sxj9p08pqwxqz9hw9-4my", true},
		{"surrounding white space", "  mc-yfyyj2sjhsjhkwc1s8w4zrxx4\n", true},
		{"full host pasted", "mc-yfyyj2sjhsjhkwc1s8w4zrxx4.auth.marketingcloudapis.com", false},
		{"full URL pasted", "https://mc-yfyyj2sjhsjhkwc1s8w4zrxx4.auth.marketingcloudapis.com/", false},
		{"uppercase", "MC-YFYYJ2SJHSJHKWC1S8W4ZRXX4", false},
		{"one uppercase letter", "mc-yfyyj2sjhsjhkwc1s8w4zrxX4", false},
		{"27 characters", "mc-yfyyj2sjhsjhkwc1s8w4zrxx", false},
		{"29 characters", "mc-yfyyj2sjhsjhkwc1s8w4zrxx4x", false},
		{"no mc prefix", "xx-yfyyj2sjhsjhkwc1s8w4zrxx4", false},
		{"underscore", "mc_yfyyj2sjhsjhkwc1s8w4zrxx4", false},
		{"space inside", "mc yfyyj2sjhsjhkwc1s8w4zrxx4", false},
		{"28 bytes of non-ASCII", "mc" + strings.Repeat("é", 13), false},
		{"percent", "mc%yfyyj2sjhsjhkwc1s8w4zrxx4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarSubdomain: tt.sub})
			if !tt.ok {
				checkRefused(t, ps, VarSubdomain, tt.sub)
				return
			}
			if ps != nil {
				t.Fatalf("Parse(%s=%q) problems = %v; want none", VarSubdomain, tt.sub, ps)
			}
			want := "https://" + strings.TrimSpace(tt.sub) + ".auth.marketingcloudapis.com"
			if got := c.AuthBase.String(); got != want {
				t.Errorf("Parse(%s=%q) AuthBase = %q; want %q", VarSubdomain, tt.sub, got, want)
			}
		})
	}
}

func TestParseSubdomainMessages(t *testing.T) {
	tests := []struct {
		sub, want string
	}{
		{"mcabc.auth.marketingcloudapis.com", "subdomain alone"},
		{"mcshort", "28 characters long; it has 7"},
		{"MC-YFYYJ2SJHSJHKWC1S8W4ZRXX4", "lowercase"},
		{"xx-yfyyj2sjhsjhkwc1s8w4zrxx4", `start with "mc"`},
	}
	for _, tt := range tests {
		_, ps := parseWith(t, env{VarSubdomain: tt.sub})
		if len(ps) != 1 || !strings.Contains(ps[0].Msg, tt.want) {
			t.Errorf("Parse(%s=%q) = %v; want one problem saying %q", VarSubdomain, tt.sub, ps, tt.want)
		}
	}
}

func TestParseAuthBaseURL(t *testing.T) {
	tests := []struct {
		name, raw string
		want      string // "" when refused
	}{
		{"https", "https://mcabc.auth.example.com", "https://mcabc.auth.example.com"},
		{"trailing slash", "https://mcabc.auth.example.com/", "https://mcabc.auth.example.com"},
		{"port", "https://auth.example.com:8443", "https://auth.example.com:8443"},
		{"white space around", " https://auth.example.com\n", "https://auth.example.com"},
		{"http on 127.0.0.1", "http://127.0.0.1:9000", "http://127.0.0.1:9000"},
		{"http on 127.0.0.9", "http://127.0.0.9:9000", "http://127.0.0.9:9000"},
		{"http on [::1]", "http://[::1]:9000", "http://[::1]:9000"},
		{"http on localhost", "http://localhost:9000/", "http://localhost:9000"},
		{"http elsewhere", "http://auth.example.com", ""},
		{"http on localhost.evil", "http://localhost.evil.com", ""},
		{"http on a host named 127.0.0.1.nip.io", "http://127.0.0.1.nip.io", ""},
		{"http on 0.0.0.0", "http://0.0.0.0", ""},
		{"ftp", "ftp://auth.example.com", ""},
		{"javascript", "javascript:alert(1)", ""},
		{"no scheme", "auth.example.com", ""},
		{"scheme-relative", "//auth.example.com", ""},
		{"path", "https://auth.example.com/v2/token", ""},
		{"query", "https://auth.example.com/?x=1", ""},
		{"empty query", "https://auth.example.com/?", ""},
		{"fragment", "https://auth.example.com/#x", ""},
		{"empty fragment", "https://auth.example.com#", ""},
		{"userinfo", "https://user:pw@auth.example.com", ""},
		{"empty userinfo", "https://@auth.example.com", ""},
		{"port without host", "https://:443", ""},
		{"opaque", "https:auth.example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The base URL wins over the subdomain, so a valid one is left set.
			c, ps := parseWith(t, env{VarAuthBaseURL: tt.raw})
			if tt.want == "" {
				checkRefused(t, ps, VarAuthBaseURL, tt.raw)
				return
			}
			if ps != nil {
				t.Fatalf("Parse(%s=%q) problems = %v; want none", VarAuthBaseURL, tt.raw, ps)
			}
			if got := c.AuthBase.String(); got != tt.want {
				t.Errorf("Parse(%s=%q) AuthBase = %q; want %q", VarAuthBaseURL, tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseAuthBaseWithoutSubdomain(t *testing.T) {
	c, ps := parseWith(t, env{VarSubdomain: "", VarAuthBaseURL: "http://localhost:9000"})
	if ps != nil {
		t.Fatalf("Parse() problems = %v; want none", ps)
	}
	if got, want := c.AuthBase.String(), "http://localhost:9000"; got != want {
		t.Errorf("AuthBase = %q; want %q", got, want)
	}
}

func TestParseRedirectURI(t *testing.T) {
	tests := []struct {
		name, raw string
		path      string // the callback path; "" when refused
	}{
		{"https", "https://cloud.example.com/_gate/callback", "/_gate/callback"},
		{"own path", "https://cloud.example.com/auth/cb", "/auth/cb"},
		{"trailing slash", "https://cloud.example.com/cb/", "/cb/"},
		{"port", "https://cloud.example.com:8443/cb", "/cb"},
		{"http on localhost", "http://localhost:8787/_gate/callback", "/_gate/callback"},
		{"http on [::1]", "http://[::1]:8787/cb", "/cb"},
		{"http on 127.0.0.1", "http://127.0.0.1/cb", "/cb"},
		{"http elsewhere", "http://cloud.example.com/cb", ""},
		{"query", "https://cloud.example.com/cb?x=1", ""},
		{"empty query", "https://cloud.example.com/cb?", ""},
		{"fragment", "https://cloud.example.com/cb#x", ""},
		{"empty fragment", "https://cloud.example.com/cb#", ""},
		{"no path", "https://cloud.example.com", ""},
		{"root path", "https://cloud.example.com/", ""},
		{"dot dot", "https://cloud.example.com/a/../cb", ""},
		{"dot", "https://cloud.example.com/./cb", ""},
		{"encoded dot dot", "https://cloud.example.com/a/%2e%2e/cb", ""},
		{"doubled slash", "https://cloud.example.com//cb", ""},
		{"encoded slash", "https://cloud.example.com/a%2fcb", ""},
		{"backslash", `https://cloud.example.com/a\cb`, ""},
		{"semicolon", "https://cloud.example.com/cb;x", ""},
		{"userinfo", "https://u@cloud.example.com/cb", ""},
		{"relative", "/_gate/callback", ""},
		{"scheme-relative", "//cloud.example.com/cb", ""},
		{"port without host", "https://:443/cb", ""},
		{"newline", "https://cloud.example.com/cb\n", ""},
		{"trailing space", "https://cloud.example.com/cb ", ""},
		{"leading space", " https://cloud.example.com/cb", ""},
		{"space inside", "https://cloud.example.com/a b", ""},
		{"tab inside", "https://cloud.example.com/a\tb", ""},
		{"escaped space", "https://cloud.example.com/a%20b", "/a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarRedirectURI: tt.raw})
			if tt.path == "" {
				checkRefused(t, ps, VarRedirectURI, tt.raw)
				return
			}
			if ps != nil {
				t.Fatalf("Parse(%s=%q) problems = %v; want none", VarRedirectURI, tt.raw, ps)
			}
			if c.RedirectURI != tt.raw {
				t.Errorf("Parse(%s=%q) RedirectURI = %q; want it unchanged", VarRedirectURI, tt.raw, c.RedirectURI)
			}
			if c.Callback.Path != tt.path {
				t.Errorf("Parse(%s=%q) Callback.Path = %q; want %q", VarRedirectURI, tt.raw, c.Callback.Path, tt.path)
			}
		})
	}
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"", "", true},
		{"   ", "", true},
		{"email_read", "email_read", true},
		{" email_read \t offline\n", "email_read offline", true},
		{"ns:a.b_C9", "ns:a.b_C9", true},
		{"email_read,offline", "", false},
		{"a;b", "", false},
		{"a\"b", "", false},
		{"é", "", false},
		{"a&redirect_uri=x", "", false},
	}
	for _, tt := range tests {
		c, ps := parseWith(t, env{VarScope: tt.raw})
		switch {
		case tt.ok && ps != nil:
			t.Errorf("Parse(%s=%q) problems = %v; want none", VarScope, tt.raw, ps)
		case tt.ok && c.Scope != tt.want:
			t.Errorf("Parse(%s=%q) Scope = %q; want %q", VarScope, tt.raw, c.Scope, tt.want)
		case !tt.ok && !cmp.Equal(problemVars(ps), []string{VarScope}):
			t.Errorf("Parse(%s=%q) problem vars = %v; want [%s]", VarScope, tt.raw, problemVars(ps), VarScope)
		}
	}
}

func TestParseClient(t *testing.T) {
	tests := []struct {
		name       string
		id, secret string
		wantID     string
		problems   []string
	}{
		{"plain", "abc", "s3cret", "abc", nil},
		{"id trimmed", "  abc\n", "s3cret", "abc", nil},
		{"id of 256", strings.Repeat("i", 256), "s3cret", strings.Repeat("i", 256), nil},
		{"id of 257", strings.Repeat("i", 257), "s3cret", "", []string{VarClientID}},
		{"id with space", "ab c", "s3cret", "", []string{VarClientID}},
		{"id with control", "ab\x00c", "s3cret", "", []string{VarClientID}},
		{"id with DEL", "ab\x7fc", "s3cret", "", []string{VarClientID}},
		{"secret of 1024", "abc", strings.Repeat("s", 1024), "abc", nil},
		{"secret of 1025", "abc", strings.Repeat("s", 1025), "", []string{VarClientSecret}},
		{"secret with space", "abc", "s3 cret", "", []string{VarClientSecret}},
		{"secret with trailing newline", "abc", "s3cret\n", "", []string{VarClientSecret}},
		{"secret with leading space", "abc", " s3cret", "", []string{VarClientSecret}},
		{"both missing", "", "", "", []string{VarClientID, VarClientSecret}},
		{"id only white space", " \t", "s3cret", "", []string{VarClientID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarClientID: tt.id, VarClientSecret: tt.secret})
			if diff := cmp.Diff(tt.problems, problemVars(ps)); diff != "" {
				t.Fatalf("Parse() problem vars mismatch (-want +got):\n%s", diff)
			}
			if ps == nil && (c.ClientID != tt.wantID || c.ClientSecret != tt.secret) {
				t.Errorf("Parse() ClientID = %q; want %q, and the secret unchanged", c.ClientID, tt.wantID)
			}
		})
	}
}

func TestParseSessionKeys(t *testing.T) {
	// 0xfb 0xef 0xbe encodes as "++++" in standard base64 and "----" in
	// base64url; 0xff as "////" and "____".
	odd := bytes.Repeat([]byte{0xfb, 0xef, 0xbe}, 11)[:session.KeySize]
	ones := bytes.Repeat([]byte{0xff}, session.KeySize)
	std := base64.StdEncoding.EncodeToString
	tests := []struct {
		name string
		raw  string
		keys [][]byte // the ring, first key first; nil when refused
	}{
		{"one base64url", b64url(testKeyA), [][]byte{testKeyA}},
		{"base64url with dashes", b64url(odd), [][]byte{odd}},
		{"base64url with underscores", b64url(ones), [][]byte{ones}},
		{"standard padded", std(odd), [][]byte{odd}},
		{"standard unpadded", strings.TrimRight(std(ones), "="), [][]byte{ones}},
		{"base64url padded", base64.URLEncoding.EncodeToString(odd), [][]byte{odd}},
		{"two, comma", b64url(testKeyB) + "," + b64url(testKeyA), [][]byte{testKeyB, testKeyA}},
		{"two, comma and spaces", b64url(testKeyB) + " , " + b64url(testKeyA), [][]byte{testKeyB, testKeyA}},
		{"two, newline", b64url(testKeyB) + "\n" + b64url(testKeyA) + "\n", [][]byte{testKeyB, testKeyA}},
		{"three, mixed", std(odd) + "\r\n" + b64url(testKeyB) + "\t" + b64url(testKeyA),
			[][]byte{odd, testKeyB, testKeyA}},
		{"trailing comma", b64url(testKeyA) + ",", [][]byte{testKeyA}},
		{"only separators", " , \n", nil},
		{"16 bytes", b64url(testKeyA[:16]), nil},
		{"24 bytes", b64url(make([]byte, 24)), nil},
		{"31 bytes", b64url(testKeyA[:31]), nil},
		{"33 bytes", b64url(append(testKeyA, 1)), nil},
		{"64 bytes", b64url(append(testKeyA, testKeyB...)), nil},
		{"hex", strings.Repeat("ab", 32), nil},
		{"not base64", "not*base64*at*all*not*base64*at*all*not*bas", nil},
		{"padding inside", b64url(testKeyA)[:20] + "=" + b64url(testKeyA)[20:], nil},
		{"one good, one bad", b64url(testKeyA) + "," + b64url(testKeyA[:16]), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarSessionKeys: tt.raw})
			if tt.keys == nil {
				if len(ps) == 0 {
					t.Fatalf("Parse(%s=%q) = ok; want a problem", VarSessionKeys, tt.raw)
				}
				for _, p := range ps {
					if p.Var != VarSessionKeys {
						t.Errorf("Parse(%s=%q) problem %v; want only %s", VarSessionKeys, tt.raw, p, VarSessionKeys)
					}
				}
				return
			}
			if ps != nil {
				t.Fatalf("Parse(%s=%q) problems = %v; want none", VarSessionKeys, tt.raw, ps)
			}
			checkRing(t, c.Keys, tt.keys)
		})
	}
}

// checkRing checks that kr opens what each key seals, and seals with the
// first key.
func checkRing(t *testing.T, kr *session.Keyring, keys [][]byte) {
	t.Helper()
	for i, k := range keys {
		one, err := session.NewKeyring([][]byte{k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := one.Seal("c", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kr.Open("c", v); err != nil {
			t.Errorf("ring.Open(value sealed by key %d) = %v; want nil", i+1, err)
		}
		if i != 0 {
			continue
		}
		v, err = kr.Seal("c", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := one.Open("c", v); err != nil {
			t.Errorf("key1.Open(value sealed by ring) = %v; want nil", err)
		}
	}
}

func TestParseSessionKeysMessage(t *testing.T) {
	short := b64url(testKeyA[:20])
	_, ps := parseWith(t, env{VarSessionKeys: b64url(testKeyB) + "," + short})
	want := []Problem{{VarSessionKeys, "key 2 of 2 decodes to 20 bytes, not 32; generate one with `make key`"}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("Parse() problems mismatch (-want +got):\n%s", diff)
	}
}

func TestParseDurations(t *testing.T) {
	tests := []struct {
		name          string
		ttl, reauth   string
		wantTTL       time.Duration
		wantReauth    time.Duration
		wantProblemOn []string
	}{
		{"defaults", "", "", 8 * time.Hour, time.Hour, nil},
		{"white space is unset", " ", "\t", 8 * time.Hour, time.Hour, nil},
		{"set", "2h", "15m", 2 * time.Hour, 15 * time.Minute, nil},
		{"white space around", " 2h\n", " 15m ", 2 * time.Hour, 15 * time.Minute, nil},
		{"compound", "1h30m", "90s", 90 * time.Minute, 90 * time.Second, nil},
		{"lowest", "5m", "1m", 5 * time.Minute, time.Minute, nil},
		{"highest", "720h", "720h", 720 * time.Hour, 720 * time.Hour, nil},
		{"reauth capped at ttl", "30m", "", 30 * time.Minute, 30 * time.Minute, nil},
		{"reauth above ttl capped", "2h", "24h", 2 * time.Hour, 2 * time.Hour, nil},
		{"reauth equal to ttl", "2h", "2h", 2 * time.Hour, 2 * time.Hour, nil},
		{"ttl too short", "4m59s", "", 0, 0, []string{VarSessionTTL}},
		{"ttl too long", "721h", "", 0, 0, []string{VarSessionTTL}},
		{"ttl negative", "-8h", "", 0, 0, []string{VarSessionTTL}},
		{"ttl zero", "0", "", 0, 0, []string{VarSessionTTL}},
		{"ttl without unit", "28800", "", 0, 0, []string{VarSessionTTL}},
		{"ttl in days", "1d", "", 0, 0, []string{VarSessionTTL}},
		{"ttl overflow", "9999999999h", "", 0, 0, []string{VarSessionTTL}},
		{"reauth too short", "", "59s", 0, 0, []string{VarReauthAfter}},
		{"reauth too long", "", "30d", 0, 0, []string{VarReauthAfter}},
		{"both bad", "x", "y", 0, 0, []string{VarSessionTTL, VarReauthAfter}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarSessionTTL: tt.ttl, VarReauthAfter: tt.reauth})
			if diff := cmp.Diff(tt.wantProblemOn, problemVars(ps)); diff != "" {
				t.Fatalf("Parse(%q, %q) problem vars mismatch (-want +got):\n%s", tt.ttl, tt.reauth, diff)
			}
			if ps != nil {
				return
			}
			if c.SessionTTL != tt.wantTTL || c.ReauthAfter != tt.wantReauth {
				t.Errorf("Parse(%q, %q) = %v, %v; want %v, %v",
					tt.ttl, tt.reauth, c.SessionTTL, c.ReauthAfter, tt.wantTTL, tt.wantReauth)
			}
		})
	}
}

func TestParseOrigin(t *testing.T) {
	tests := []struct {
		name, raw string
		want      string // Origin.String(); "" when refused
		wantPath  string
	}{
		{"host", "https://o.example", "https://o.example", ""},
		{"host and slash", "https://o.example/", "https://o.example", ""},
		{"base path", "https://o.example/pages", "https://o.example/pages", "/pages"},
		{"base path trailing slash", "https://o.example/pages/", "https://o.example/pages", "/pages"},
		{"deep base path", "https://o.example/a/b/", "https://o.example/a/b", "/a/b"},
		{"escaped base path", "https://o.example/a%20b/", "https://o.example/a%20b", "/a b"},
		{"white space around", "  https://o.example/x \n", "https://o.example/x", "/x"},
		{"http on localhost", "http://localhost:3000/x/", "http://localhost:3000/x", "/x"},
		{"http elsewhere", "http://origin.example.com", "", ""},
		{"doubled slash only", "https://o.example//", "", ""},
		{"doubled trailing slash", "https://o.example/a//", "", ""},
		{"doubled slash inside", "https://o.example/a//b", "", ""},
		{"dot dot", "https://o.example/a/../b", "", ""},
		{"trailing dot dot", "https://o.example/a/..", "", ""},
		{"encoded slash", "https://o.example/a%2Fb", "", ""},
		{"query", "https://o.example/?q=1", "", ""},
		{"empty query", "https://o.example/x?", "", ""},
		{"fragment", "https://o.example/#f", "", ""},
		{"userinfo", "https://a:b@origin.example.com", "", ""},
		{"relative", "/pages", "", ""},
		{"no scheme", "origin.example.com", "", ""},
		{"port without host", "https://:8443/x", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarOriginURL: tt.raw})
			if tt.want == "" {
				checkRefused(t, ps, VarOriginURL, tt.raw)
				return
			}
			if ps != nil {
				t.Fatalf("Parse(%s=%q) problems = %v; want none", VarOriginURL, tt.raw, ps)
			}
			if got := c.Origin.String(); got != tt.want || c.Origin.Path != tt.wantPath {
				t.Errorf("Parse(%s=%q) Origin = %q (path %q); want %q (path %q)",
					VarOriginURL, tt.raw, got, c.Origin.Path, tt.want, tt.wantPath)
			}
		})
	}
}

func TestParseOriginSecret(t *testing.T) {
	tests := []struct {
		name, raw string
		ok        bool
	}{
		{"unset", "", true},
		{"32 bytes", strings.Repeat("s", MinOriginSecretLen), true},
		{"long", strings.Repeat("s", 200), true},
		{"31 bytes", strings.Repeat("s", MinOriginSecretLen-1), false},
		{"space inside", strings.Repeat("s", 20) + " " + strings.Repeat("s", 20), false},
		{"trailing newline", strings.Repeat("s", 40) + "\n", false},
		{"only spaces", strings.Repeat(" ", 40), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parseWith(t, env{VarOriginSecret: tt.raw})
			if !tt.ok {
				if diff := cmp.Diff([]string{VarOriginSecret}, problemVars(ps)); diff != "" {
					t.Errorf("Parse() problem vars mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if ps != nil {
				t.Fatalf("Parse() problems = %v; want none", ps)
			}
			if string(c.OriginSecret) != tt.raw || (tt.raw == "") != (c.OriginSecret == nil) {
				t.Errorf("OriginSecret = %q; want %q", c.OriginSecret, tt.raw)
			}
		})
	}
}

func TestParseForwardAccessToken(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
		ok   bool
	}{
		{"", false, true},
		{"true", true, true},
		{"TRUE", true, true},
		{" true\n", true, true},
		{"1", true, true},
		{"false", false, true},
		{"0", false, true},
		{"yes", false, false},
		{"on", false, false},
		{"truee", false, false},
	}
	for _, tt := range tests {
		c, ps := parseWith(t, env{VarForwardAccessToken: tt.raw})
		switch {
		case !tt.ok && !cmp.Equal(problemVars(ps), []string{VarForwardAccessToken}):
			t.Errorf("Parse(%s=%q) problem vars = %v; want [%s]",
				VarForwardAccessToken, tt.raw, problemVars(ps), VarForwardAccessToken)
		case tt.ok && ps != nil:
			t.Errorf("Parse(%s=%q) problems = %v; want none", VarForwardAccessToken, tt.raw, ps)
		case tt.ok && c.ForwardAccessToken != tt.want:
			t.Errorf("Parse(%s=%q) ForwardAccessToken = %v; want %v",
				VarForwardAccessToken, tt.raw, c.ForwardAccessToken, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(testSubdomain, "", testRedirect, b64url(testKeyA), "", "", "", "/assets/")
	f.Add("", "http://[::1]:9/", "http://localhost/cb/", b64url(testKeyA)+","+b64url(testKeyB),
		"1h", "2h", "https://o.example.com/a/", "/x,/y/")
	f.Add("MCX", "https://:1", "https://h/a/%2e%2e/cb", "=", "-1s", "0", "https://o//", "/_gate")
	f.Fuzz(func(t *testing.T, sub, base, redirect, keys, ttl, reauth, origin, public string) {
		e := validEnv()
		e[VarSubdomain] = sub
		e[VarAuthBaseURL] = base
		e[VarRedirectURI] = redirect
		e[VarSessionKeys] = keys
		e[VarSessionTTL] = ttl
		e[VarReauthAfter] = reauth
		e[VarOriginURL] = origin
		e[VarPublicPaths] = public

		c, err := Parse(e.get)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse() = %v, %v; want a nil config with the error", c, err)
			}
			if strings.Contains(err.Error(), testClientSecret) {
				t.Fatalf("Parse() error shows the client secret: %v", err)
			}
			return
		}
		checkInvariants(t, c)
	})
}

// checkInvariants checks what the rest of the gate relies on in a Config
// that Parse accepted.
func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	checkHostURL(t, "AuthBase", c.AuthBase)
	if c.AuthBase.Path != "" || c.AuthBase.RawQuery != "" {
		t.Errorf("AuthBase = %q; want the host alone", c.AuthBase)
	}

	checkHostURL(t, "Callback", c.Callback)
	if u, err := url.Parse(c.RedirectURI); err != nil || u.String() != c.Callback.String() ||
		strings.ContainsFunc(c.RedirectURI, isSpaceOrControl) {
		t.Errorf("RedirectURI = %q with Callback %q; want a URI without spaces that parses to Callback",
			c.RedirectURI, c.Callback)
	}
	if !isCleanPath(c.Callback.EscapedPath()) || c.Callback.Path == "/" || c.Callback.RawQuery != "" {
		t.Errorf("Callback = %q; want a clean path of its own and no query", c.Callback)
	}

	if c.Keys == nil {
		t.Errorf("Keys = nil")
	}
	if c.SessionTTL < 5*time.Minute || c.SessionTTL > 30*24*time.Hour {
		t.Errorf("SessionTTL = %v; out of bounds", c.SessionTTL)
	}
	if c.ReauthAfter < time.Minute || c.ReauthAfter > c.SessionTTL {
		t.Errorf("ReauthAfter = %v with SessionTTL %v; out of bounds", c.ReauthAfter, c.SessionTTL)
	}

	if c.Origin != nil {
		checkHostURL(t, "Origin", c.Origin)
		p := c.Origin.EscapedPath()
		if strings.HasSuffix(p, "/") || p != "" && !isCleanPath(p) || c.Origin.RawQuery != "" {
			t.Errorf("Origin = %q; want a clean base path without a trailing slash", c.Origin)
		}
	}

	for _, p := range c.Public {
		if p == "/" || !isCleanPath(p) || strings.ContainsAny(p, "%?#*") ||
			covers(p, "/_gate") || strings.HasPrefix(p, GatePrefix) || covers(p, c.Callback.Path) {
			t.Errorf("Public has %q", p)
		}
	}
}

func checkHostURL(t *testing.T, field string, u *url.URL) {
	t.Helper()
	if u == nil {
		t.Fatalf("%s = nil", field)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		t.Errorf("%s = %q; want https, or http on a loopback host", field, u)
	}
	if u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		t.Errorf("%s = %q; want a host and no user info or fragment", field, u)
	}
}

func TestNames(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range Names {
		if seen[n] {
			t.Errorf("Names lists %s twice", n)
		}
		seen[n] = true
	}
	for _, n := range Secrets {
		if !seen[n] {
			t.Errorf("Secrets lists %s, which is not in Names", n)
		}
	}

	// Parse reads exactly the variables in Names.
	read := map[string]bool{}
	Parse(func(name string) string { read[name] = true; return "" })
	if diff := cmp.Diff(seen, read); diff != "" {
		t.Errorf("variables read by Parse mismatch (-Names +read):\n%s", diff)
	}
}
