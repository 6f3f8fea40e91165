package mcfake

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	defaultBigSize = 1 << 20
	maxBigSize     = 64 << 20
)

// echoAnswer is what /echo reports about the request it received.
type echoAnswer struct {
	Method     string      `json:"method"`
	Host       string      `json:"host"`
	Path       string      `json:"path"`
	Query      string      `json:"query"`
	RequestURI string      `json:"requestURI"`
	Headers    http.Header `json:"headers"`
	BodyLength int64       `json:"bodyLength"`
	BodySHA256 string      `json:"bodySHA256"`
}

// echo describes the request as received, so tests can check exactly what
// the gate forwarded. Go's server moves Host out of the headers; it is
// reported on its own.
func echo(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, echoAnswer{
		Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery,
		RequestURI: r.RequestURI, Headers: r.Header,
		BodyLength: n, BodySHA256: hex.EncodeToString(h.Sum(nil)),
	})
}

// big streams size bytes of a pattern a test can recompute: byte i is
// i mod 251. A prime length keeps the pattern out of step with buffers.
func big(w http.ResponseWriter, r *http.Request) {
	size := int64(defaultBigSize)
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "size must be a whole number of bytes", http.StatusBadRequest)
			return
		}
		size = min(n, maxBigSize)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	if r.Method == http.MethodHead {
		return
	}
	io.CopyN(w, &pattern{}, size)
}

// pattern reads as the endless sequence 0, 1, ..., 250, 0, 1, ...
type pattern struct{ next int }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.next)
		p.next = (p.next + 1) % 251
	}
	return len(b), nil
}

// redirectTo answers 302 with the to parameter as the Location, unchanged.
func redirectTo(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" {
		http.Error(w, "to is required", http.StatusBadRequest)
		return
	}
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusFound)
}

// asset answers with a small cacheable file, as a CloudPage's public
// resources would be.
func asset(w http.ResponseWriter, r *http.Request) {
	body, ctype := "asset "+r.URL.Path+"\n", "text/plain; charset=utf-8"
	if strings.HasSuffix(r.URL.Path, ".css") {
		body, ctype = "body{font-family:system-ui,sans-serif}\n", "text/css; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, body)
}

// links answers a page whose links point at the host it was asked for, in
// the ways CloudPages write them, and a few that must stay as they are, so
// that tests can check the gate's link rewriting.
func links(w http.ResponseWriter, r *http.Request) {
	host := html.EscapeString(r.Host)
	body := `<a id="abs" href="http://` + host + `/reports/q3?region=emea">report</a>
<a id="bare" href="http://` + host + `">home</a>
<a id="proto" href="//` + host + `/x#top">x</a>
<a id="upper" href="HTTP://` + strings.ToUpper(host) + `/up">up</a>
<form id="form" method="post" action="http://` + host + `/submit"><button>Send</button></form>
<img id="img" src="http://` + host + `/assets/logo.png" alt="">
<meta id="refresh" http-equiv="refresh" content="30; url=http://` + host + `/later">
<a id="other" href="https://elsewhere.example/page">elsewhere</a>
<a id="lookalike" href="http://` + host + `.evil.example/">lookalike</a>
<a id="relative" href="/relative">relative</a>`
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<!doctype html><html><body>\n"+body+"\n</body></html>\n")
}
