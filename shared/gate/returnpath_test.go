package gate

import (
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/session"
)

func TestCleanReturn(t *testing.T) {
	t.Parallel()
	more := []struct{ rd, want string }{
		{"/a/b/c?x=1&y=%2F#z", "/a/b/c?x=1&y=%2F"},
		{"/?", "/?"},
		{"/#", "/"},
		{"/a?b#c#d", "/a?b"},
		{"/a;b=c", "/a;b=c"},
		{"/~user/", "/~user/"},
		{"/a:b", "/a:b"},
		{"/.", "/."},
		{"/..", "/.."},
		{"/a/..", "/a/.."},
		{"/%2e%2e/%2e%2e/x", "/%2e%2e/%2e%2e/x"},
		{"/_gate/..", "/_gate/.."},
		{"/_gate/.", "/"},
		{"/_gate/./x", "/"},
		{"/_gate/%2e", "/"},
		{"/x/%2e%2e/%5fgate/", "/"},
		{"/?/_gate/logout", "/?/_gate/logout"},
		{"/x#/../_gate/logout", "/x"},
		{"/\x01", "/"},
		{"/\x1f", "/"},
		{"/\x80", "/"},
		{"/\xff", "/"},
		{"/\u00a0", "/"},
		{"/\ufeff", "/"},
		{"/a\\b", "/"},
		{"/%", "/"},
		{"/%2", "/"},
		{"/a?%zz", "/a?%zz"},
		{"/a#%zz", "/"},
		{"//", "/"},
		{"/\\", "/"},
		{"/\\/evil", "/"},
		{"/	evil", "/"},
		{"http://gate.example/x", "/"},
		{"//gate.example/x", "/"},
		{"/" + strings.Repeat("a", session.MaxReturnLen-1), "/" + strings.Repeat("a", session.MaxReturnLen-1)},
		{"/" + strings.Repeat("a", session.MaxReturnLen), "/"},
	}
	cases := append(append([]struct{ rd, want string }{}, returnPathCorpus...), more...)
	for _, tt := range cases {
		if got := cleanReturn(tt.rd); got != tt.want {
			t.Errorf("cleanReturn(%.80q) = %.80q; want %.80q", tt.rd, got, tt.want)
		}
	}
}

func TestLoginPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ rd, want string }{
		{"/", "/_gate/login?rd=%2F"},
		{"/a b?c=d&e=f#g", "/_gate/login?rd=%2Fa+b%3Fc%3Dd%26e%3Df%23g"},
		{`/"<>`, "/_gate/login?rd=%2F%22%3C%3E"},
	}
	for _, tt := range tests {
		got := loginPath(tt.rd)
		if got != tt.want {
			t.Errorf("loginPath(%q) = %q; want %q", tt.rd, got, tt.want)
		}
		u, err := url.Parse(got)
		if err != nil || u.Query().Get("rd") != tt.rd {
			t.Errorf("loginPath(%q) does not round-trip: %q, %v", tt.rd, u.Query().Get("rd"), err)
		}
	}
}

func FuzzCleanReturn(f *testing.F) {
	for _, tt := range returnPathCorpus {
		f.Add(tt.rd)
	}
	for _, s := range []string{
		"/a#b", "/%2e%2e/_gate/x", "/x/..%2F_gate", "/.%2E/_gate/", "/_gate/..%2F..", "/?#",
		"/\t", "/a/b/../../_gate/login", "/%252F", "/%5c", "/;/_gate/", "/%00",
	} {
		f.Add(s)
	}

	base, _ := url.Parse(gateOrigin + "/some/page")
	f.Fuzz(func(t *testing.T, rd string) {
		got := cleanReturn(rd)

		if got == "" || got[0] != '/' {
			t.Fatalf("cleanReturn(%q) = %q; want a path starting with /", rd, got)
		}
		if strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("cleanReturn(%q) = %q; a browser reads it as another host", rd, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= ' ' || c == 0x7f || c == '\\' || c >= 0x80 {
				t.Fatalf("cleanReturn(%q) = %q; holds byte %#x", rd, got, c)
			}
		}
		if len(got) > session.MaxReturnLen {
			t.Fatalf("cleanReturn(%q) is %d bytes; want at most %d", rd, len(got), session.MaxReturnLen)
		}
		noFrag, _, _ := strings.Cut(rd, "#")
		if got != "/" && got != noFrag {
			t.Fatalf("cleanReturn(%q) = %q; want %q or /", rd, got, noFrag)
		}
		if again := cleanReturn(got); again != got {
			t.Fatalf("cleanReturn(%q) = %q, but cleanReturn(%q) = %q", rd, got, got, again)
		}

		ref, err := url.Parse(got)
		if err != nil {
			t.Fatalf("cleanReturn(%q) = %q, which does not parse: %v", rd, got, err)
		}
		to := base.ResolveReference(ref)
		if to.Scheme != base.Scheme || to.Host != base.Host {
			t.Fatalf("cleanReturn(%q) = %q leads to %s://%s", rd, got, to.Scheme, to.Host)
		}
		for _, p := range []string{to.Path, to.EscapedPath()} {
			if c := path.Clean(p); c == strings.TrimSuffix(config.GatePrefix, "/") || strings.HasPrefix(c, config.GatePrefix) {
				t.Fatalf("cleanReturn(%q) = %q leads into %s", rd, got, c)
			}
		}
	})
}
