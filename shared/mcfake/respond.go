package mcfake

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// pageStyle keeps the pages readable on a phone without loading anything.
const pageStyle = `body{font-family:system-ui,sans-serif;line-height:1.5;max-width:42rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font:inherit;text-align:left;cursor:pointer}
.note{color:#555;font-size:.9rem}
code{overflow-wrap:anywhere}`

// writePage answers with a complete HTML page. body must already be HTML:
// escape anything that came from a request with [html.EscapeString].
//
// The pages deliberately set no form-action: the sign-in form leads through
// a redirect to another origin, which that directive would block.
func writePage(w http.ResponseWriter, status int, title, body string) {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title>\n<style>" + pageStyle + "</style></head>\n")
	b.WriteString("<body>\n<h1>" + html.EscapeString(title) + "</h1>\n" + body + "\n</body></html>\n")

	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// errorPage answers with a fixed message; it never echoes the request.
func errorPage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Cache-Control", "no-store")
	writePage(w, status, "Marketing Cloud (fake): error", "<p>"+html.EscapeString(message)+"</p>")
}

// writeJSON answers with v as compact JSON. Token answers must not be
// cached (RFC 6749 §5.1), and nothing else here should be either.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "mcfake: encoding answer failed", http.StatusInternalServerError)
		return
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))

	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(body)
}
