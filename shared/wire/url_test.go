package wire

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var urlSeeds = []string{
	"https://gate.example/",
	"https://gate.example/reports/q3?region=emea&x=1",
	"http://127.0.0.1:8787/_gate/callback?code=abc&state=def",
	"https://gate.example/a%20b/%2F/c?x=%26",
	"https://gate.example/a(b)/c*!'",
	"https://gate.example/p?",
	"https://gate.example/p?a?b",
	"https://gate.example/p?a#frag",
	"https://gate.example/p#frag",
	"https://gate.example",
	"https://gate.example?x=1",
	"https://Gate.Example/",
	"HTTPS://gate.example/",
	"https:///path",
	"https://gate.example:/",
	"https://gate.example:443/x",
	"https://user:pw@gate.example/",
	"https://[::1]:8787/",
	"https://gate.example/\x7f",
	"https://gate.example/?\x00",
	"https://gate.example/é",
	"https://gate.example/a|b",
	"https://gate.ex%41mple/",
	"ftp://gate.example/",
	"//gate.example/",
	"/relative",
	"",
}

func TestParseURLMatchesNetURL(t *testing.T) {
	for _, raw := range urlSeeds {
		checkParseURL(t, raw)
	}
}

// FuzzParseURL holds the fast path to exactly what url.Parse answers.
func FuzzParseURL(f *testing.F) {
	for _, raw := range urlSeeds {
		f.Add(raw)
	}
	f.Fuzz(checkParseURL)
}

func checkParseURL(t *testing.T, raw string) {
	got := new(url.URL)
	gotErr := parseURL(raw, got)
	want, wantErr := url.Parse(raw)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("parseURL(%q) error = %v; url.Parse's = %v", raw, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(url.Userinfo{})); diff != "" {
		t.Errorf("parseURL(%q) mismatch (-url.Parse +parseURL):\n%s", raw, diff)
	}
	if gotErr == nil && got.EscapedPath() != want.EscapedPath() {
		t.Errorf("parseURL(%q).EscapedPath() = %q; want %q", raw, got.EscapedPath(), want.EscapedPath())
	}
}
