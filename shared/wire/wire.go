// Package wire is the format in which the Worker's JavaScript entry module
// and the Go program exchange a request and the gate's decision on it.
//
// Both directions are one UTF-8 text of lines. Crossing between JavaScript
// and Go costs far more per call than per byte, so a request goes over as
// one string, not as an object whose properties Go reads one by one. Header
// names and values cannot hold a line break (RFC 9110 §5.5), which is what
// makes a line-based format safe.
//
// A request is
//
//	METHOD "\n" URL "\n" { NAME "\n" VALUE "\n" }
//
// and a decision is either an answer
//
//	"A" STATUS "\n" { NAME "\n" VALUE "\n" } "\n" BODY
//
// or a forward
//
//	"F" URL "\n" { NAME "\n" } "\n" { NAME "\n" VALUE "\n" } "\n" { NAME "\n" VALUE "\n" } "\n"
//
// where the names are headers to remove from the request, the first
// header list is set on it (see gate.Forward), and the second is added to
// the origin's answer.
package wire

import (
	"errors"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/cloudpage-gate/gate/shared/gate"
)

// MaxRequest bounds an encoded request, in bytes. The Workers runtime caps
// request headers at 128 KB, and a URL at 16 KB.
const MaxRequest = 160 << 10

var errMalformed = errors.New("malformed request")

// ParseRequest decodes a request. The result's URL is absolute, as the
// runtime gave it; its body is empty, since bodies never cross to Go.
// Header names are canonicalized as net/http does.
func ParseRequest(s string) (*http.Request, error) {
	if len(s) > MaxRequest {
		return nil, errors.New("request too large")
	}

	method, s, ok1 := strings.Cut(s, "\n")
	rawURL, s, ok2 := strings.Cut(s, "\n")
	if !ok1 || !ok2 || method == "" {
		return nil, errMalformed
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, errMalformed
	}

	n := strings.Count(s, "\n") / 2
	h := make(http.Header, n)
	// One backing array for every value, each entry capped at its one
	// value, so a header costs no allocation of its own; a repeated name
	// appends and so copies out.
	vals := make([]string, n)
	for i := 0; len(s) > 0; i++ {
		var k, v string
		var ok bool
		if k, s, ok = strings.Cut(s, "\n"); !ok || k == "" {
			return nil, errMalformed
		}
		if v, s, ok = strings.Cut(s, "\n"); !ok {
			return nil, errMalformed
		}
		ck := canonical(k)
		if old, ok := h[ck]; ok || i >= n {
			h[ck] = append(old, v)
			continue
		}
		vals[i] = v
		h[ck] = vals[i : i+1 : i+1]
	}
	return &http.Request{Method: method, URL: u, Header: h, Host: u.Host, Body: http.NoBody}, nil
}

// names caches canonical header names. The runtime hands names over in
// lowercase, and canonicalizing one allocates; a page's requests repeat the
// same few dozen names.
var names = struct {
	sync.Mutex
	m map[string]string
}{m: make(map[string]string, 64)}

const maxNames = 512

func canonical(k string) string {
	names.Lock()
	defer names.Unlock()
	if c, ok := names.m[k]; ok {
		return c
	}

	c := textproto.CanonicalMIMEHeaderKey(k)
	if len(names.m) < maxNames {
		// Keep a copy: k points into the whole request text, which would
		// otherwise stay alive as long as the cache does.
		names.m[strings.Clone(k)] = c
	}
	return c
}

// AppendDecision appends the encoding of d to b.
func AppendDecision(b []byte, d *gate.Decision) []byte {
	if f := d.Forward; f != nil {
		b = append(b, 'F')
		b = append(b, f.URL...)
		b = append(b, '\n')
		for _, name := range f.Remove {
			if name != "" && !hasLineBreak(name) {
				b = append(b, name...)
				b = append(b, '\n')
			}
		}
		b = append(b, '\n')
		b = appendHeader(b, f.Set)
		b = append(b, '\n')
		b = appendHeader(b, f.ResponseHeader)
		return append(b, '\n')
	}

	b = append(b, 'A')
	b = strconv.AppendInt(b, int64(d.Status), 10)
	b = append(b, '\n')
	b = appendHeader(b, d.Header)
	b = append(b, '\n')
	return append(b, d.Body...)
}

// appendHeader writes each name and value on a line of its own. A value
// with a line break cannot be sent and is dropped, which no header the
// gate builds ever needs.
func appendHeader(b []byte, h http.Header) []byte {
	for k, vs := range h {
		for _, v := range vs {
			if k == "" || hasLineBreak(k) || hasLineBreak(v) {
				continue
			}
			b = append(b, k...)
			b = append(b, '\n')
			b = append(b, v...)
			b = append(b, '\n')
		}
	}
	return b
}

func hasLineBreak(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}
