package config

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testPublic = PublicPaths{"/assets/", "/favicon.ico", "/static"}

func TestPublicPathsMatch(t *testing.T) {
	tests := []struct {
		name string
		path string
		want bool
	}{
		// Legitimate paths.
		{"file under a folder prefix", "/assets/app.css", true},
		{"the folder prefix itself", "/assets/", true},
		{"deep file", "/assets/js/vendor/lib.min.js", true},
		{"escaped space", "/assets/a%20b.png", true},
		{"colon and at sign", "/assets/x:y@z", true},
		{"escaped UTF-8", "/assets/caf%C3%A9.png", true},
		{"comma", "/assets/a,b.png", true},
		{"escaped comma", "/assets/a%2Cb.png", true},
		{"sub-delimiters", "/assets/a+b=c&d$e!f'g(h)i*j", true},
		{"unreserved", "/assets/a-b_c.d~e", true},
		{"single dots inside a name", "/assets/jquery.min.js", true},
		{"exact file prefix", "/favicon.ico", true},
		{"below an exact prefix", "/favicon.ico/x", true},
		{"exact prefix without slash", "/static", true},
		{"below a prefix without slash", "/static/x.css", true},
		{"folder under a prefix without slash", "/static/", true},

		// Not covered at all.
		{"empty", "", false},
		{"root", "/", false},
		{"relative", "assets/app.css", false},
		{"absolute URL", "https://cloud.example.com/assets/app.css", false},
		{"asterisk", "*", false},
		{"folder prefix without its slash", "/assets", false},
		{"prefix boundary, hyphen", "/assets-private/x", false},
		{"prefix boundary, letters", "/assetsx/app.css", false},
		{"exact prefix boundary", "/staticx", false},
		{"exact prefix boundary, hyphen", "/static-private/x", false},
		{"file prefix boundary", "/favicon.ico.bak", false},
		{"uppercase", "/ASSETS/app.css", false},
		{"mixed case", "/Assets/app.css", false},
		{"uppercase file", "/FAVICON.ICO", false},
		{"protected page", "/secret", false},

		// Dot segments, plain and escaped.
		{"dot dot", "/assets/../secret", false},
		{"trailing dot dot", "/assets/..", false},
		{"dot", "/assets/./app.css", false},
		{"trailing dot", "/assets/.", false},
		{"escaped dot dot", "/assets/%2e%2e/secret", false},
		{"escaped dot dot, uppercase", "/assets/%2E%2E/secret", false},
		{"half-escaped dot dot", "/assets/.%2e/x", false},
		{"other half-escaped dot dot", "/assets/%2e./x", false},
		{"escaped dot", "/assets/%2e/app.css", false},
		{"three dots", "/assets/.../secret", false},
		{"dot dot and a space", "/assets/..%20/secret", false},
		{"dot dot and a dot, escaped", "/assets/..%2e/secret", false},
		{"dot dot inside a name", "/assets/a..b", false},
		{"dot dot under an exact prefix", "/static/../secret", false},
		{"double-escaped dot dot", "/assets/%252e%252e/secret", false},

		// Slashes and backslashes, plain and escaped.
		{"escaped slash", "/assets%2fsecret", false},
		{"escaped slash, uppercase", "/assets%2Fsecret", false},
		{"escaped slash inside", "/assets/a%2fb", false},
		{"escaped slash then dot dot", "/assets/..%2fsecret", false},
		{"escaped backslash", "/assets/a%5cb", false},
		{"escaped backslash, uppercase", "/assets/a%5Cb", false},
		{"escaped backslash then dot dot", "/assets/..%5csecret", false},
		{"backslash", `/assets\app.css`, false},
		{"backslash then dot dot", `/assets/..\secret`, false},
		{"double-escaped slash", "/assets/a%252fb", false},
		{"doubled slash first", "//assets/app.css", false},
		{"doubled slash inside", "/assets//app.css", false},
		{"doubled slash at the end", "/assets/x//", false},
		{"doubled slash under an exact prefix", "/static//x", false},

		// Parameters, queries and fragments.
		{"dot dot parameter", "/assets/..;/secret", false},
		{"parameter", "/assets/app.css;jsessionid=1", false},
		{"parameter on the prefix", "/assets;x/app.css", false},
		{"escaped semicolon", "/assets/a%3bb", false},
		{"query", "/assets/app.css?v=1", false},
		{"fragment", "/assets/app.css#x", false},

		// Needless, wrong or broken escapes.
		{"needless escape in the prefix", "/%61ssets/app.css", false},
		{"needless escape in the file", "/assets/%61pp.css", false},
		{"escaped dot in a name", "/assets/app%2ecss", false},
		{"escaped hyphen", "/assets/a%2Db", false},
		{"lowercase hex", "/assets/a%2cb", false},
		{"broken escape", "/assets/%zz", false},
		{"cut escape", "/assets/%2", false},
		{"lone percent", "/assets/%", false},
		{"escaped percent", "/assets/100%25.png", false},

		// Raw bytes a browser would have escaped, and control characters.
		{"raw space", "/assets/a b.png", false},
		{"raw tab", "/assets/a\tb", false},
		{"raw newline", "/assets/a\nb", false},
		{"raw NUL", "/assets/a\x00b", false},
		{"raw UTF-8", "/assets/café.png", false},
		{"raw quote", `/assets/a"b`, false},
		{"raw angle brackets", "/assets/<b>", false},
		{"escaped NUL", "/assets/app.css%00.html", false},
		{"escaped newline", "/assets/a%0Ab", false},
		{"escaped tab between dots", "/assets/.%09./secret", false},
		{"escaped DEL", "/assets/a%7Fb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testPublic.Match(tt.path); got != tt.want {
				t.Errorf("Match(%q) = %v; want %v", tt.path, got, tt.want)
			}
		})
	}
}

func TestPublicPathsMatchEmpty(t *testing.T) {
	for _, pp := range []PublicPaths{nil, {}} {
		for _, path := range []string{"/", "/assets/app.css", ""} {
			if pp.Match(path) {
				t.Errorf("PublicPaths(%#v).Match(%q) = true; want false", pp, path)
			}
		}
	}
}

func TestParsePublicPaths(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		redirect string // MC_REDIRECT_URI; testRedirect if empty
		want     PublicPaths
		problems int
	}{
		{"unset", "", "", nil, 0},
		{"one", "/assets/", "", PublicPaths{"/assets/"}, 0},
		{"commas and spaces", "/a/, /b\n/c\t,/d.txt", "", PublicPaths{"/a/", "/b", "/c", "/d.txt"}, 0},
		{"near the gate prefix", "/_gatex, /_", "", PublicPaths{"/_gatex", "/_"}, 0},
		{"beside the callback", "/auth/other", "https://cloud.example.com/auth/cb", PublicPaths{"/auth/other"}, 0},
		{"below the callback", "/auth/cb/x", "https://cloud.example.com/auth/cb", PublicPaths{"/auth/cb/x"}, 0},
		{"root", "/", "", nil, 1},
		{"relative", "assets/", "", nil, 1},
		{"absolute URL", "https://cloud.example.com/assets/", "", nil, 1},
		{"escape", "/a%20b/", "", nil, 1},
		{"escaped slash", "/a%2fb/", "", nil, 1},
		{"query", "/a?x", "", nil, 1},
		{"fragment", "/a#x", "", nil, 1},
		{"wildcard", "/assets/*", "", nil, 1},
		{"glob", "/*.css", "", nil, 1},
		{"dot dot", "/assets/../", "", nil, 1},
		{"dot", "/./assets/", "", nil, 1},
		{"doubled slash", "//assets/", "", nil, 1},
		{"doubled slash inside", "/a//b", "", nil, 1},
		{"backslash", `/a\b`, "", nil, 1},
		{"semicolon", "/a;b", "", nil, 1},
		{"gate prefix", "/_gate/", "", nil, 1},
		{"gate prefix without slash", "/_gate", "", nil, 1},
		{"below the gate prefix", "/_gate/static/", "", nil, 1},
		{"callback itself", "/_gate/callback", "", nil, 1},
		{"folder of the callback", "/auth/", "https://cloud.example.com/auth/cb", nil, 1},
		{"callback prefix", "/auth", "https://cloud.example.com/auth/cb", nil, 1},
		{"callback exact", "/auth/cb", "https://cloud.example.com/auth/cb", nil, 1},
		{"good and bad", "/assets/, /, /img/, *", "", PublicPaths{"/assets/", "/img/"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps problems
			var cb *url.URL
			redirect := tt.redirect
			if redirect == "" {
				redirect = testRedirect
			}
			_, cb = parseRedirectURI(&ps, redirect)
			if cb == nil {
				t.Fatalf("parseRedirectURI(%q) = nil", redirect)
			}

			got := parsePublicPaths(&ps, tt.raw, cb)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parsePublicPaths(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
			if len(ps) != tt.problems {
				t.Errorf("parsePublicPaths(%q) problems = %v; want %d", tt.raw, ps, tt.problems)
			}
			for _, p := range ps {
				if p.Var != VarPublicPaths {
					t.Errorf("parsePublicPaths(%q) problem %v; want only %s", tt.raw, p, VarPublicPaths)
				}
			}
		})
	}
}

// TestPublicPathsThroughParse checks that Parse checks PUBLIC_PATHS against
// the callback of MC_REDIRECT_URI.
func TestPublicPathsThroughParse(t *testing.T) {
	_, ps := parseWith(t, env{
		VarRedirectURI: "https://cloud.example.com/auth/callback",
		VarPublicPaths: "/assets/,/auth/",
	})
	want := []Problem{{VarPublicPaths, `"/auth/" covers the callback path of MC_REDIRECT_URI`}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("Parse() problems mismatch (-want +got):\n%s", diff)
	}
}

func FuzzPublicMatch(f *testing.F) {
	for _, s := range []string{
		"/assets/app.css", "/assets/a%20b.png", "/assets/x:y@z", "/static", "/favicon.ico",
		"/assets/../secret", "/assets/%2e%2e/secret", "/assets/.%2e/x", "/assets%2fx",
		"/assets/..;/x", "//assets/x", "/%61ssets/x", `/assets\x`, "/assets/%252e%252e/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if !testPublic.Match(path) {
			return
		}
		lower := strings.ToLower(path)
		for _, bad := range []string{"..", "//", `\`, "%2f", "%5c", "%2e", ";", "%25"} {
			if strings.Contains(lower, bad) {
				t.Fatalf("Match(%q) = true; a public path must not contain %q", path, bad)
			}
		}

		// A public path decodes to a path under a prefix, and escaping it
		// again gives back exactly what was matched.
		dec, err := url.PathUnescape(path)
		if err != nil {
			t.Fatalf("Match(%q) = true; but PathUnescape fails: %v", path, err)
		}
		covered := false
		for _, p := range testPublic {
			covered = covered || strings.HasPrefix(dec, p)
		}
		if !covered {
			t.Fatalf("Match(%q) = true; decoded %q is under no prefix", path, dec)
		}
		for _, c := range []byte(dec) {
			if c < ' ' || c == 0x7f {
				t.Fatalf("Match(%q) = true; decoded %q holds a control byte", path, dec)
			}
		}
	})
}
