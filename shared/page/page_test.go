package page

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"strings"
	"testing"
)

// attacks are hostile texts; none may reach the page unescaped.
var attacks = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	`</title><script>x</script>`,
	`</style><script>x</script>`,
	`</textarea><b>`,
	`&lt;already&gt; escaped &amp;`,
	"<!-- \x00 -->",
}

func TestRenderEscapes(t *testing.T) {
	fields := []struct {
		name string
		page func(s string) *Page
	}{
		{"title", func(s string) *Page { return &Page{Title: s} }},
		{"lead", func(s string) *Page { return &Page{Lead: s} }},
		{"body", func(s string) *Page { return &Page{Body: []string{"first", s}} }},
		{"admin", func(s string) *Page { return &Page{Admin: []string{s, "second"}} }},
		{"request id", func(s string) *Page { return &Page{RequestID: s} }},
		{"link label", func(s string) *Page { return &Page{Action: &Action{Label: s, Href: "/"}} }},
		{"link href", func(s string) *Page { return &Page{Action: &Action{Label: "Go", Href: s}} }},
		{"form label", func(s string) *Page { return &Page{Action: &Action{Label: s, Href: "/", Post: true}} }},
		{"form href", func(s string) *Page { return &Page{Action: &Action{Label: "Go", Href: s, Post: true}} }},
	}
	for _, f := range fields {
		for _, s := range attacks {
			t.Run(f.name+"/"+s, func(t *testing.T) {
				out := f.page(s).Render()
				if strings.Contains(out, s) {
					t.Errorf("Render() with %s %q holds it raw:\n%s", f.name, s, out)
				}
				if !strings.Contains(out, html.EscapeString(s)) {
					t.Errorf("Render() with %s %q lacks its escaped form %q", f.name, s, html.EscapeString(s))
				}
				if n := strings.Count(out, "<script"); n != 0 {
					t.Errorf("Render() with %s %q has %d <script elements", f.name, s, n)
				}
				checkMarkup(t, out)
			})
		}
	}
}

// checkMarkup checks that the page has exactly the elements Render writes:
// an attack that broke out would add a tag or an attribute.
func checkMarkup(t *testing.T, out string) {
	t.Helper()
	for _, tag := range []string{"<html", "<head", "<title", "<style", "<body", "<main", "<h1", "<footer"} {
		if n := strings.Count(out, tag); n != 1 {
			t.Errorf("Render() has %d %s; want 1", n, tag)
		}
	}
	for _, bad := range []string{"<img", "<svg", "<b>", "</textarea", "<!--"} {
		if strings.Contains(out, bad) {
			t.Errorf("Render() holds a raw %q", bad)
		}
	}
}

// TestRenderHrefStaysInAttribute checks that an Href cannot end the href
// attribute, whatever it holds. Href is a same-origin URL the gate chose;
// a "javascript:" one would be inert anyway under the CSP, which admits no
// script, but it must not become markup.
func TestRenderHrefStaysInAttribute(t *testing.T) {
	hrefs := []string{
		`javascript:alert(1)`,
		`/x" onclick="alert(1)`,
		`/x' onclick='alert(1)`,
		`/x"><script>alert(1)</script>`,
		"/x\"\n onfocus=alert(1) autofocus \"",
		`/path?a=1&b=2`,
	}
	for _, post := range []bool{false, true} {
		for _, href := range hrefs {
			p := &Page{Action: &Action{Label: "Go on", Href: href, Post: post}}
			out := p.Render()
			attr := `href="`
			if post {
				attr = `action="`
			}
			got, ok := attribute(out, attr)
			if !ok {
				t.Fatalf("Render(Href %q, Post %v) has no %s…\" attribute:\n%s", href, post, attr, out)
			}
			if html.UnescapeString(got) != href {
				t.Errorf("Render(Href %q, Post %v) attribute = %q; want it to hold the whole href", href, post, got)
			}
			if strings.ContainsAny(got, `"'<>`) {
				t.Errorf("Render(Href %q, Post %v) attribute = %q; holds a raw quote or bracket", href, post, got)
			}
		}
	}
}

// attribute returns the value of the first attribute that starts with
// prefix, such as `href="`, up to its closing quote.
func attribute(out, prefix string) (string, bool) {
	_, rest, ok := strings.Cut(out, prefix)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, `"`)
	return v, ok
}

func TestRenderAction(t *testing.T) {
	link := (&Page{Action: &Action{Label: "Sign in again", Href: "/_gate/start?rd=%2F"}}).Render()
	if want := `<a class="act" href="/_gate/start?rd=%2F">Sign in again</a>`; !strings.Contains(link, want) {
		t.Errorf("Render() link = %q; want it to hold %q", link, want)
	}
	if strings.Contains(link, "<form") {
		t.Errorf("Render() of a link action holds a form")
	}

	form := (&Page{Action: &Action{Label: "Sign out", Href: "/_gate/logout", Post: true}}).Render()
	want := `<form method="post" action="/_gate/logout"><button class="act" type="submit">Sign out</button></form>`
	if !strings.Contains(form, want) {
		t.Errorf("Render() form = %q; want it to hold %q", form, want)
	}
	if strings.Contains(form, "<a ") {
		t.Errorf("Render() of a form action holds a link")
	}
}

func TestRenderOptionalParts(t *testing.T) {
	bare := (&Page{Status: http.StatusForbidden, Title: "No access", Lead: "You may not see this page."}).Render()
	for _, part := range []string{"<a ", "<form", "<button", `<section class="admin"`, "<h2", "<ul", "<li", `class="rid"`,
		"Request id", "<code", "For administrators"} {
		if strings.Contains(bare, part) {
			t.Errorf("Render() of a page without Action, Admin or RequestID holds %q", part)
		}
	}

	empty := (&Page{Admin: []string{}, Body: []string{""}}).Render()
	if strings.Contains(empty, `class="admin"`) || strings.Contains(empty, "<p>") || strings.Contains(empty, `class="lead"`) {
		t.Errorf("Render() with empty Admin, Body and Lead = %q; want no admin section and no paragraphs", empty)
	}

	full := (&Page{
		Title: "T", Lead: "L", Body: []string{"B1", "B2"}, Admin: []string{"A1", "A2"}, RequestID: "req-123",
		Action: &Action{Label: "Go", Href: "/"},
	}).Render()
	for _, part := range []string{
		"<title>T</title>", "<h1>T</h1>", `<p class="lead">L</p>`, "<p>B1</p><p>B2</p>",
		`<section class="admin"><h2>For administrators</h2><ul><li>A1</li><li>A2</li></ul></section>`,
		`<p class="rid">Request id: <code>req-123</code>`,
	} {
		if !strings.Contains(full, part) {
			t.Errorf("Render() = %q; want it to hold %q", full, part)
		}
	}
}

func TestRenderDocument(t *testing.T) {
	out := (&Page{Title: "T"}).Render()
	if !strings.HasPrefix(out, "<!doctype html>") || !strings.HasSuffix(out, "</html>\n") {
		t.Errorf("Render() = %q; want a whole document", out)
	}
	for _, want := range []string{`<meta charset="utf-8">`, `<meta name="robots" content="noindex">`} {
		if !strings.Contains(out, want) {
			t.Errorf("Render() lacks %q", want)
		}
	}
	for _, ext := range []string{"<script", "<link", "<img", "src=", "http://", "https://"} {
		if strings.Contains(out, ext) {
			t.Errorf("Render() holds %q; a page loads nothing", ext)
		}
	}
}

// TestCSPMatchesStyle hashes the style block of a rendered page, as a
// browser does, and looks for the hash in the policy.
func TestCSPMatchesStyle(t *testing.T) {
	out := (&Page{Title: "</style>", Lead: "<style>"}).Render()
	_, rest, ok := strings.Cut(out, "<style>")
	if !ok {
		t.Fatalf("Render() has no <style>")
	}
	css, _, ok := strings.Cut(rest, "</style>")
	if !ok {
		t.Fatalf("Render() has no </style>")
	}
	sum := sha256.Sum256([]byte(css))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"

	if !strings.Contains(CSP, "style-src "+want) {
		t.Errorf("CSP = %q; want style-src %s", CSP, want)
	}
	if n := strings.Count(out, "<style"); n != 1 {
		t.Errorf("Render() has %d <style; want 1", n)
	}
	if strings.Contains(out, "style=") {
		t.Errorf("Render() has a style attribute, which the CSP refuses")
	}
}

func TestCSP(t *testing.T) {
	for _, want := range []string{
		"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
	} {
		if !strings.Contains(CSP, want) {
			t.Errorf("CSP = %q; want it to hold %q", CSP, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "script-src", "*", "data:"} {
		if strings.Contains(CSP, bad) {
			t.Errorf("CSP = %q; holds %q", CSP, bad)
		}
	}
}

func TestSetHeaders(t *testing.T) {
	want := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
		"Content-Security-Policy": CSP,
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	}
	for _, hsts := range []bool{false, true} {
		h := http.Header{}
		h.Set("Cache-Control", "public, max-age=3600")
		h.Add("X-Frame-Options", "ALLOWALL")
		SetHeaders(h, hsts)

		for k, v := range want {
			if got := h.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("SetHeaders(hsts=%v) %s = %q; want [%q]", hsts, k, got, v)
			}
		}
		got := h.Get("Strict-Transport-Security")
		switch {
		case hsts && got != "max-age=31536000":
			t.Errorf("SetHeaders(hsts=true) Strict-Transport-Security = %q; want max-age=31536000", got)
		case !hsts && got != "":
			t.Errorf("SetHeaders(hsts=false) Strict-Transport-Security = %q; want none", got)
		}
	}
}

func TestRenderCode(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"command", "Run `make check-config ENV=<environment>` first.",
			"Run <code>make check-config ENV=&lt;environment&gt;</code> first."},
		{"two spans", "`MC_CLIENT_ID` and `MC_CLIENT_SECRET`",
			"<code>MC_CLIENT_ID</code> and <code>MC_CLIENT_SECRET</code>"},
		{"unpaired", "a ` alone", "a ` alone"},
		{"third unpaired", "`a` and ` b", "<code>a</code> and ` b"},
		{"empty span", "x `` y", "x <code></code> y"},
		{"markup in code", "`</code><script>x</script>`",
			"<code>&lt;/code&gt;&lt;script&gt;x&lt;/script&gt;</code>"},
		{"none", "plain <b>", "plain &lt;b&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := (&Page{Body: []string{tt.text}}).Render()
			if want := "<p>" + tt.want + "</p>"; !strings.Contains(body, want) {
				t.Errorf("Render(Body %q) = %q; want it to hold %q", tt.text, body, want)
			}
			admin := (&Page{Admin: []string{tt.text}}).Render()
			if want := "<li>" + tt.want + "</li>"; !strings.Contains(admin, want) {
				t.Errorf("Render(Admin %q) = %q; want it to hold %q", tt.text, admin, want)
			}
		})
	}
}

// TestRenderLeadIsPlain checks that Title and Lead, which may hold an
// address from Marketing Cloud, show backquotes as they are.
func TestRenderLeadIsPlain(t *testing.T) {
	out := (&Page{Title: "a `b` c", Lead: "you are `x`@example.com"}).Render()
	for _, want := range []string{"<h1>a `b` c</h1>", "<p class=\"lead\">you are `x`@example.com</p>"} {
		if !strings.Contains(out, want) {
			t.Errorf("Render() = %q; want it to hold %q", out, want)
		}
	}
}

func TestPageSetHeaders(t *testing.T) {
	h := http.Header{}
	(&Page{}).SetHeaders(h, true)
	if h.Get("Content-Security-Policy") != CSP || h.Get("X-Frame-Options") != "DENY" ||
		h.Get("Strict-Transport-Security") == "" {
		t.Errorf("Page{}.SetHeaders() = %v; want the package's headers", h)
	}

	h = http.Header{}
	(&Page{Framed: true}).SetHeaders(h, false)
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Page{Framed}.SetHeaders() Content-Security-Policy = %q; want frame-ancestors *", csp)
	}
	for _, want := range []string{"default-src 'none'", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Page{Framed}.SetHeaders() Content-Security-Policy = %q; want it to keep %q", csp, want)
		}
	}
	if v := h.Values("X-Frame-Options"); len(v) != 0 {
		t.Errorf("Page{Framed}.SetHeaders() X-Frame-Options = %q; want none", v)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("Page{Framed}.SetHeaders() = %v; want the other headers kept", h)
	}
}
