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
//	[ TO "\n" { FROM "\n" } ] "\n"
//
// where the names are headers to remove from the request, the first
// header list is set on it (see gate.Forward), the second is added to the
// origin's answer, and the last lines, when present, are the link rewrite
// (gate.Rewrite): where links go, then the prefixes they replace.
package wire

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudpage-gate/gate/shared/gate"
)

// MaxRequest bounds an encoded request, in bytes. The Workers runtime caps
// request headers at 128 KB, and a URL at 16 KB.
const MaxRequest = 160 << 10

var errMalformed = errors.New("malformed request")

// ParseRequest decodes a request. The result's URL is absolute, as the
// runtime gave it; its body is empty, since bodies never cross to Go.
// Header names are canonicalized as net/http does, and only the headers
// the gate reads (gate.ReadHeader) are kept.
func ParseRequest(s string) (*http.Request, error) {
	if len(s) > MaxRequest {
		return nil, errors.New("request too large")
	}

	method, s, ok1 := strings.Cut(s, "\n")
	rawURL, s, ok2 := strings.Cut(s, "\n")
	if !ok1 || !ok2 || method == "" {
		return nil, errMalformed
	}
	p := new(request)
	if err := parseURL(rawURL, &p.u); err != nil || p.u.Host == "" {
		return nil, errMalformed
	}

	// The gate reads about ten headers and a browser sends fewer of them,
	// so the map starts at 8, the most a map holds without a table of
	// groups. The values share one backing array, each entry capped at its
	// one value, so a header costs no allocation of its own; a repeated
	// name appends and copies out.
	h := make(http.Header, 8)
	vals := p.vals[:0]
	for len(s) > 0 {
		var k, v string
		var ok bool
		if k, s, ok = strings.Cut(s, "\n"); !ok || k == "" {
			return nil, errMalformed
		}
		if v, s, ok = strings.Cut(s, "\n"); !ok {
			return nil, errMalformed
		}
		ck, read := gate.ReadHeader(k)
		if !read {
			continue
		}
		if old, ok := h[ck]; ok || len(vals) == cap(vals) {
			h[ck] = append(old, v)
			continue
		}
		vals = append(vals, v)
		h[ck] = vals[len(vals)-1 : len(vals) : len(vals)]
	}

	p.r = http.Request{Method: method, URL: &p.u, Header: h, Host: p.u.Host, Body: http.NoBody}
	return &p.r, nil
}

// request is a parsed request with its URL and the backing array of its
// header values, so that the three take one allocation.
type request struct {
	r    http.Request
	u    url.URL
	vals [12]string
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
		b = appendFields(b, f.Set)
		b = append(b, '\n')
		b = appendHeader(b, f.ResponseHeader)
		b = append(b, '\n')
		if rw := f.Rewrite; rw != nil {
			b = append(b, rw.To...)
			b = append(b, '\n')
			for _, from := range rw.From {
				b = append(b, from...)
				b = append(b, '\n')
			}
		}
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

// appendFields is appendHeader for a list of fields.
func appendFields(b []byte, fs []gate.Field) []byte {
	for _, f := range fs {
		if f.Name == "" || hasLineBreak(f.Name) || hasLineBreak(f.Value) {
			continue
		}
		b = append(b, f.Name...)
		b = append(b, '\n')
		b = append(b, f.Value...)
		b = append(b, '\n')
	}
	return b
}

func hasLineBreak(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}
