package gate

import (
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"
)

func TestIsNavigation(t *testing.T) {
	t.Parallel()
	const html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		name   string
		method string
		header http.Header
		want   bool
	}{
		// What browsers send.
		{"page load", "GET", navigation(), true},
		{"page load, HEAD", "HEAD", navigation(), true},
		{"page load accepting anything", "GET", header("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Accept", "*/*"), true},
		{"iframe", "GET", header("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe", "Accept", html), false},
		{"frame", "GET", header("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "frame", "Accept", html), false},
		{"form post", "POST", header("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Accept", html), false},
		{"fetch", "GET", subRequest(), false},
		{"fetch asking for html", "GET", header("Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty", "Accept", "text/html"), false},
		{"same-origin fetch asking for html", "GET", header("Sec-Fetch-Mode", "same-origin", "Sec-Fetch-Dest", "empty", "Accept", html), false},
		{"image", "GET", header("Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image", "Accept", "image/*"), false},
		{"script", "GET", header("Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "script", "Accept", "*/*"), false},
		{"service worker", "GET", header("Sec-Fetch-Mode", "same-origin", "Sec-Fetch-Dest", "serviceworker", "Accept", html), false},
		{"websocket", "GET", header("Sec-Fetch-Mode", "websocket", "Sec-Fetch-Dest", "websocket"), false},

		// Clients without Fetch Metadata, or with half of it.
		{"node fetch asking for html", "GET", header("Sec-Fetch-Mode", "cors", "Accept", "text/html"), true},
		{"node fetch, HEAD", "HEAD", header("Sec-Fetch-Mode", "cors", "Accept", html), true},
		{"node fetch asking for json", "GET", header("Sec-Fetch-Mode", "cors", "Accept", "application/json"), false},
		{"node fetch asking for anything", "GET", header("Sec-Fetch-Mode", "cors", "Accept", "*/*"), false},
		{"node fetch posting html", "POST", header("Sec-Fetch-Mode", "cors", "Accept", "text/html"), false},
		{"old browser", "GET", header("Accept", html), true},
		{"navigate without a destination", "GET", header("Sec-Fetch-Mode", "navigate"), true},
		{"curl", "GET", header("Accept", "*/*"), false},
		{"no header at all", "GET", nil, false},
		{"empty destination", "GET", header("Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "", "Accept", "text/html"), true},

		// Odd and hostile spellings: none is a navigation by accident.
		{"destination without a mode", "GET", header("Sec-Fetch-Dest", "document", "Accept", html), false},
		{"mode in capitals", "GET", header("Sec-Fetch-Mode", "Navigate", "Sec-Fetch-Dest", "empty", "Accept", html), false},
		{"mode in capitals, no destination, json", "GET", header("Sec-Fetch-Mode", "NAVIGATE", "Accept", "application/json"), false},
		{"mode with a space", "GET", header("Sec-Fetch-Mode", "navigate ", "Sec-Fetch-Dest", "empty"), false},
		{"first of two modes decides", "GET", header("Sec-Fetch-Mode", "cors", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "empty"), false},
		{"xhtml only", "GET", header("Accept", "application/xhtml+xml"), false},
		{"html in a second Accept line", "GET", header("Accept", "application/json", "Accept", "text/html"), false},
		{"method in lowercase", "get", navigation(), false},
		{"options", "OPTIONS", navigation(), false},
		{"put", "PUT", header("Accept", html), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, gateOrigin+"/page", nil)
			r.Method = tt.method
			r.Header = tt.header
			if r.Header == nil {
				r.Header = http.Header{}
			}
			if got := isNavigation(r); got != tt.want {
				t.Errorf("isNavigation(%s %v) = %v; want %v", tt.method, tt.header, got, tt.want)
			}
		})
	}
}

// TestReadHeader holds ReadHeader to net/http's canonical form, in any
// case and spelling the runtime may hand over.
func TestReadHeader(t *testing.T) {
	read := []string{
		"accept", "cf-ray", "content-type", "cookie", "host", "origin", "referer",
		"sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
		"Cookie", "SEC-FETCH-MODE", "x-mc-user-email", "x_mc_mid", "X-MC-EID", "x-Mc_Other",
	}
	for _, k := range read {
		got, ok := ReadHeader(k)
		if want := textproto.CanonicalMIMEHeaderKey(k); !ok || got != want {
			t.Errorf("ReadHeader(%q) = %q, %v; want %q, true", k, got, ok, want)
		}
	}

	for _, k := range []string{
		"accept-encoding", "user-agent", "x-forwarded-for", "cf-connecting-ip", "cdn-loop",
		"sec-ch-ua", "x-mc", "x-mcfoo", "xmc-mid", "", "weird header",
	} {
		if got, ok := ReadHeader(k); ok {
			t.Errorf("ReadHeader(%q) = %q, true; want false", k, got)
		}
	}
}
