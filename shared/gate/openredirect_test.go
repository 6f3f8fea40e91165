package gate

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// openRedirectCorpus builds hostile return paths the way attackers vary
// them: a prefix that some parser reads as the start of another host, a
// host in many spellings, each raw and percent-encoded once and twice.
func openRedirectCorpus() []string {
	prefixes := []string{
		"//", "///", "////", "/\\", "\\\\", "\\/", "/\\/", "/\t/", "/\n/", "/\r\n/", "/ /",
		"/%09/", "/%0a/", "/%0d/", "/%2f", "/%2f/", "/%5c", "/%5c/", "%2f%2f", "%5c%5c", "/.//",
		"/./", "/../", "/..//", "https:", "https:/", "https://", "http://", "HTTPS://", "hTTp:",
		"javascript:", "JavaScript:", "data:", "vbscript:", "//@", "/@", "@", ":", "//:", " //",
		"\t//", "\x00//", "/\x00/", "//\x7f", "\\/\\/", "/%%32%66", "//%09", "%0a//", "//\u3002",
	}
	hosts := []string{
		"evil.example", "evil.example/", "evil.example:443", "user@evil.example",
		"gate.example@evil.example", "gate.example.evil.example", "evil.example%2f..",
		"evil.example\\@gate.example", "127.0.0.1", "[::1]", "0x7f000001", "2130706433",
		"ⓔvil.example", "evil。example", "evil.example#@gate.example", "evil.example?@gate.example",
		"alert(1)", "%65vil.example",
	}

	var corpus []string
	for _, p := range prefixes {
		for _, h := range hosts {
			raw := p + h
			once := url.QueryEscape(raw)
			corpus = append(corpus, raw, once, url.QueryEscape(once), raw+"/x?y=1#z")
		}
	}
	return corpus
}

// leavesOrigin reports whether a browser at https://gate.example/ that is
// sent to location would end up elsewhere. It reads location the lenient
// way browsers do (WHATWG URL): tabs and line breaks dropped, backslashes
// taken for slashes.
func leavesOrigin(location string) bool {
	lenient := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(location)
	base, _ := url.Parse("https://gate.example/")
	for _, loc := range []string{location, lenient, strings.TrimLeft(lenient, " \x00")} {
		ref, err := url.Parse(loc)
		if err != nil {
			return true
		}
		u := base.ResolveReference(ref)
		if u.Scheme != "https" || u.Host != "gate.example" || u.User != nil {
			return true
		}
	}
	return false
}

func TestOpenRedirectCorpus(t *testing.T) {
	// The oracle itself must see through the classic tricks.
	for _, loc := range []string{"//evil.example", "/\\evil.example", "/\t/evil.example",
		"https://evil.example", "javascript:alert(1)", "https://gate.example@evil.example/"} {
		if !leavesOrigin(loc) {
			t.Fatalf("leavesOrigin(%q) = false; the oracle is broken", loc)
		}
	}
	if leavesOrigin("/reports?q=1") {
		t.Fatalf("leavesOrigin(%q) = true; the oracle is broken", "/reports?q=1")
	}

	corpus := openRedirectCorpus()
	if len(corpus) < 1000 {
		t.Fatalf("corpus has %d entries; want at least 1000", len(corpus))
	}

	for _, rd := range corpus {
		got := cleanReturn(rd)
		if leavesOrigin(got) {
			t.Errorf("cleanReturn(%q) = %q, which leaves the origin", rd, got)
		}
		if intoGate(got) {
			t.Errorf("cleanReturn(%q) = %q, which leads into the gate", rd, got)
		}
	}
}

// TestOpenRedirectThroughLogin sends the corpus to /_gate/login as a
// signed-in browser, which the gate answers with a redirect to rd itself.
func TestOpenRedirectThroughLogin(t *testing.T) {
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)

	for _, rd := range openRedirectCorpus() {
		d := b.do(http.MethodGet, gateOrigin+"/_gate/login?rd="+url.QueryEscape(rd), navigation())
		loc := d.Header.Get("Location")
		if d.Status != http.StatusFound || leavesOrigin(loc) {
			t.Errorf("login?rd=%q: %d to %q; want a redirect within the origin", rd, d.Status, loc)
		}
	}
}
