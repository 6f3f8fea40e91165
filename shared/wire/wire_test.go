package wire

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cloudpage-gate/gate/shared/gate"
	"github.com/google/go-cmp/cmp"
)

func TestParseRequest(t *testing.T) {
	r, err := ParseRequest("POST\nhttps://gate.example/a%20b?x=1\nx-mc-mid\n1\ncookie\na=1\ncookie\nb=2\naccept\n\n")
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}

	if r.Method != "POST" || r.URL.String() != "https://gate.example/a%20b?x=1" || r.Host != "gate.example" {
		t.Errorf("ParseRequest = %s %s host %s; want POST https://gate.example/a%%20b?x=1 host gate.example",
			r.Method, r.URL, r.Host)
	}
	want := http.Header{"X-Mc-Mid": {"1"}, "Cookie": {"a=1", "b=2"}, "Accept": {""}}
	if diff := cmp.Diff(want, r.Header); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRequestRefuses(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"method only", "GET"},
		{"no method", "\nhttps://gate.example/\n"},
		{"relative URL", "GET\n/path\n"},
		{"bad URL", "GET\nhttps://gate.example/%zz\n"},
		{"name without value", "GET\nhttps://gate.example/\naccept\n"},
		{"value without newline", "GET\nhttps://gate.example/\naccept\ntext/html"},
		{"empty name", "GET\nhttps://gate.example/\n\nvalue\n"},
		{"too large", "GET\nhttps://gate.example/\nx\n" + strings.Repeat("a", MaxRequest) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := ParseRequest(tt.in); err == nil {
				t.Errorf("ParseRequest(%.40q) = %v %v; want an error", tt.in, r.Method, r.URL)
			}
		})
	}
}

func TestAppendDecision(t *testing.T) {
	tests := []struct {
		name string
		d    *gate.Decision
		want string
	}{
		{
			name: "answer",
			d: &gate.Decision{Status: 302, Header: http.Header{"Location": {"/x"}},
				Body: "line one\nline two"},
			want: "A302\nLocation\n/x\n\nline one\nline two",
		},
		{
			name: "answer without headers or body",
			d:    &gate.Decision{Status: 204},
			want: "A204\n\n",
		},
		{
			name: "forward",
			d: &gate.Decision{Forward: &gate.Forward{
				URL:            "https://cloudpage.example/a?b=c",
				Remove:         []string{"x_mc_mid", "Host"},
				Set:            []gate.Field{{Name: "X-Mc-Mid", Value: "1"}},
				ResponseHeader: http.Header{"Set-Cookie": {"a=; Max-Age=0"}},
			}},
			want: "Fhttps://cloudpage.example/a?b=c\nx_mc_mid\nHost\n\nX-Mc-Mid\n1\n\nSet-Cookie\na=; Max-Age=0\n\n\n",
		},
		{
			name: "forward with a link rewrite",
			d: &gate.Decision{Forward: &gate.Forward{
				URL: "https://cloudpage.example/",
				Rewrite: &gate.Rewrite{To: "https://gate.example",
					From: []string{"https://cloudpage.example", "//cloudpage.example"}},
			}},
			want: "Fhttps://cloudpage.example/\n\n\n\nhttps://gate.example\nhttps://cloudpage.example\n//cloudpage.example\n\n",
		},
		{
			name: "line breaks in a header are dropped, not smuggled",
			d: &gate.Decision{Status: 200, Header: http.Header{
				"X-Ok": {"fine"}, "X-Bad": {"a\r\nSet-Cookie: x=1"}, "X-Bad\nName": {"v"},
			}},
			want: "A200\nX-Ok\nfine\n\n",
		},
		{
			name: "line breaks in a forwarded field are dropped, not smuggled",
			d: &gate.Decision{Forward: &gate.Forward{
				URL: "https://cloudpage.example/",
				Set: []gate.Field{
					{Name: "X-Mc-Mid", Value: "1"}, {Name: "X-Bad", Value: "a\nX-Mc-Eid\n2"},
					{Name: "X-Bad\rName", Value: "v"}, {Name: "", Value: "v"},
				},
			}},
			want: "Fhttps://cloudpage.example/\n\nX-Mc-Mid\n1\n\n\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendDecision(nil, tt.d)); got != tt.want {
				t.Errorf("AppendDecision = %q; want %q", got, tt.want)
			}
		})
	}
}

// FuzzParseRequest: never panics; whatever parses has an absolute URL and
// header names and values without line breaks, and encodes back to a
// request that parses to the same thing.
func FuzzParseRequest(f *testing.F) {
	f.Add("GET\nhttps://gate.example/\n")
	f.Add("POST\nhttps://gate.example/a?b=c\ncookie\na=1; __Host-cpg=x\nx_mc_mid\n1\n")
	f.Add("GET\nhttp://127.0.0.1:8787/%2e%2e/x\nhost\n127.0.0.1\n")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequest(s)
		if err != nil {
			return
		}
		if r.URL.Host == "" {
			t.Fatalf("ParseRequest(%q): URL %q has no host", s, r.URL)
		}

		var b strings.Builder
		b.WriteString(r.Method + "\n" + r.URL.String() + "\n")
		for k, vs := range r.Header {
			if strings.Contains(k, "\n") {
				t.Fatalf("header name %q holds a line break", k)
			}
			for _, v := range vs {
				if strings.Contains(v, "\n") {
					t.Fatalf("header value %q holds a line break", v)
				}
				b.WriteString(k + "\n" + v + "\n")
			}
		}
		again, err := ParseRequest(b.String())
		if err != nil {
			t.Fatalf("re-encoded request %q does not parse: %v", b.String(), err)
		}
		if again.Method != r.Method || again.URL.String() != r.URL.String() {
			t.Fatalf("round trip changed %s %s to %s %s", r.Method, r.URL, again.Method, again.URL)
		}
		if diff := cmp.Diff(r.Header, again.Header); diff != "" {
			t.Fatalf("round trip changed the header (-first +again):\n%s", diff)
		}
	})
}
