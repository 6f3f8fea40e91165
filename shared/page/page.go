// Package page renders the few pages the gate shows people: sign-in
// problems, refusals, sign-out. Every page has one design, no external
// assets and no script, and says what happened, what the reader can do and,
// for administrators, what to check.
//
// Pages are written with escaped string building rather than html/template,
// which would nearly double the Worker's size. Every piece of text passes
// through escape; nothing from a request is ever written raw.
package page

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// Page is one page. Text fields are plain text, escaped on output. In Body
// and Admin, text between backquotes is shown as code (a command, a
// variable's name, a path): "run `make key`". Title and Lead are never
// marked up, since they may hold what Marketing Cloud says about a user.
type Page struct {
	Status int    // HTTP status
	Title  string // the heading, also the document title
	Lead   string // what happened, in a sentence or two

	// Body holds further paragraphs: what the reader can do.
	Body []string

	// Action is the page's one button; nil shows none.
	Action *Action

	// Admin lists what an administrator should check; empty shows nothing.
	Admin []string

	// RequestID is shown for the reader to quote; empty shows nothing.
	RequestID string

	// Framed lets the page be shown inside a frame on any site. Only a page
	// whose one action opens in the whole window (Action.Top) should set
	// it: a site that frames the page can then make a click do nothing but
	// take the reader to the gate. See [Page.SetHeaders].
	Framed bool
}

// Action is a link, or with Post a form that submits to Href.
type Action struct {
	Label string
	Href  string // a same-origin path, already escaped as a URL
	Post  bool

	// Top makes a link open in the whole window rather than in the frame
	// the page is shown in.
	Top bool
}

// style is the only CSS; the Content-Security-Policy admits it by hash.
const style = `:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#f5f5f7;--card:#fff;--muted:#5f6368;--accent:#0b5cad;--line:#d9dce1}
@media (prefers-color-scheme:dark){:root{--fg:#f1f3f4;--bg:#151719;--card:#202326;--muted:#aab0b6;--accent:#8ab4f8;--line:#3c4043}}
*{box-sizing:border-box}
body{margin:0;padding:2rem 1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:34rem;margin:0 auto;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.5rem 1.5rem 1rem}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
p{margin:0 0 .9rem}
.lead{font-size:1.05rem}
.act{display:inline-block;margin:.25rem 0 1rem;padding:.6rem 1.1rem;border:0;border-radius:8px;background:var(--accent);color:var(--card);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.admin{border-top:1px solid var(--line);padding-top:.75rem;margin-top:.5rem;color:var(--muted);font-size:.95rem}
h2{font-size:1rem;margin:0;color:var(--fg)}
ul{padding-left:1.2rem;margin:.5rem 0}
li{margin:.3rem 0}
.rid{font-size:.85rem;color:var(--muted);border-top:1px solid var(--line);padding-top:.75rem;margin-top:.75rem;overflow-wrap:anywhere}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace}
footer{max-width:34rem;margin:.75rem auto 0;font-size:.8rem;color:var(--muted);text-align:center}`

// CSP is the Content-Security-Policy of every page: nothing loads from
// anywhere, the one style block is admitted by its hash, forms post only
// to the gate, and no site may frame the page (RFC 9700 §4.16) unless it
// sets Page.Framed.
var CSP = "default-src 'none'; style-src '" + styleHash() + "'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(style))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// SetHeaders sets the headers every page of the gate carries. hsts adds
// Strict-Transport-Security, which only means something over https.
func SetHeaders(h http.Header, hsts bool) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if hsts {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// FramedCSP is the Content-Security-Policy of a page with Framed set: CSP
// with any site allowed to frame it.
var FramedCSP = strings.Replace(CSP, "frame-ancestors 'none'", "frame-ancestors *", 1)

// SetHeaders sets the headers of this page: those of the package-level
// SetHeaders, with framing allowed when p.Framed is set.
func (p *Page) SetHeaders(h http.Header, hsts bool) {
	SetHeaders(h, hsts)
	if p.Framed {
		h.Set("Content-Security-Policy", FramedCSP)
		h.Del("X-Frame-Options")
	}
}

// Render returns the page's HTML.
func (p *Page) Render() string {
	var b strings.Builder
	b.Grow(len(style) + 1024)
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8">`)
	b.WriteString(`<meta name="viewport" content="width=device-width,initial-scale=1">`)
	b.WriteString(`<meta name="robots" content="noindex"><title>`)
	b.WriteString(escape(p.Title))
	b.WriteString(`</title><style>`)
	b.WriteString(style)
	b.WriteString("</style></head><body><main><h1>")
	b.WriteString(escape(p.Title))
	b.WriteString("</h1>")
	if p.Lead != "" {
		b.WriteString(`<p class="lead">`)
		b.WriteString(escape(p.Lead))
		b.WriteString("</p>")
	}
	for _, s := range p.Body {
		if s != "" {
			b.WriteString("<p>")
			inline(&b, s)
			b.WriteString("</p>")
		}
	}
	p.writeAction(&b)
	p.writeAdmin(&b)
	if p.RequestID != "" {
		b.WriteString(`<p class="rid">Request id: <code>`)
		b.WriteString(escape(p.RequestID))
		b.WriteString("</code>. Quote it when you ask for help.</p>")
	}
	b.WriteString("</main><footer>CloudPage Gate</footer></body></html>\n")
	return b.String()
}

// inline writes text escaped, with each span between a pair of backquotes
// as a <code> element. A backquote without a partner is written as it is.
func inline(b *strings.Builder, text string) {
	for {
		i := strings.IndexByte(text, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i+1:], '`')
		if j < 0 {
			break
		}
		b.WriteString(escape(text[:i]))
		b.WriteString("<code>")
		b.WriteString(escape(text[i+1 : i+1+j]))
		b.WriteString("</code>")
		text = text[i+2+j:]
	}
	b.WriteString(escape(text))
}

func (p *Page) writeAction(b *strings.Builder) {
	a := p.Action
	if a == nil {
		return
	}
	if a.Post {
		b.WriteString(`<form method="post" action="`)
		b.WriteString(escape(a.Href))
		b.WriteString(`"><button class="act" type="submit">`)
		b.WriteString(escape(a.Label))
		b.WriteString("</button></form>")
		return
	}
	b.WriteString(`<p><a class="act" href="`)
	b.WriteString(escape(a.Href))
	if a.Top {
		b.WriteString(`" target="_top`)
	}
	b.WriteString(`">`)
	b.WriteString(escape(a.Label))
	b.WriteString("</a></p>")
}

func (p *Page) writeAdmin(b *strings.Builder) {
	if len(p.Admin) == 0 {
		return
	}
	b.WriteString(`<section class="admin"><h2>For administrators</h2><ul>`)
	for _, s := range p.Admin {
		b.WriteString("<li>")
		inline(b, s)
		b.WriteString("</li>")
	}
	b.WriteString("</ul></section>")
}

// escape makes text safe inside an element or a quoted attribute. It
// escapes what html.EscapeString does; html's version is built on a
// strings.Replacer whose code the Worker would otherwise carry for this
// alone.
func escape(s string) string {
	var b strings.Builder
	start := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '"':
			rep = "&#34;"
		default:
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[start:i])
		b.WriteString(rep)
		start = i + 1
	}
	if start == 0 {
		return s
	}
	b.WriteString(s[start:])
	return b.String()
}
