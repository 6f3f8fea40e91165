package mcfake

import (
	"fmt"
	"html"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// NewCloudPage returns the origin the gate forwards to, standing in for a
// CloudPage. It shows what reached it and answers every path:
//
//   - /echo and /echo/...: the request as JSON (see echo below).
//   - /big?size=N: N bytes (default 1 MiB, at most 64 MiB) of a fixed
//     pattern, byte i being i mod 251, as application/octet-stream.
//   - /redirect?to=X: 302 to X, for checking that redirects pass through.
//   - /assets/...: a small public file, CSS for names ending in .css.
//   - anything else: an HTML page that greets the user named in
//     X-MC-User-Email and lists the X-MC-* headers (named as the README
//     spells them), the method, path and query, and the names of the
//     cookies it received.
//
// The /echo answer is {"method", "host", "path", "query", "requestURI",
// "headers": {canonical name: [values]}, "bodyLength", "bodySHA256"}, with
// query the raw query string and bodySHA256 in hex. The handler keeps no
// state and is safe for concurrent use.
func NewCloudPage() http.Handler {
	return &CloudPage{}
}

// CloudPage is the fake CloudPage of [NewCloudPage]. With OriginSecret set
// it also does what docs/cloudpage-check.md asks of a real CloudPage: it
// refuses every request, but those for /assets/, that does not carry a
// valid, fresh assertion from the gate, with 403; /echo then also reports
// "assertion": "valid". It is safe for concurrent use.
type CloudPage struct {
	OriginSecret []byte
	Now          func() time.Time // nil: time.Now

	mu   sync.Mutex
	seen map[string]int64 // nonces of accepted assertions, by Unix time
}

func (c *CloudPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.OriginSecret != nil && !strings.HasPrefix(r.URL.Path, "/assets/") {
		if why := c.verify(r); why != "" {
			w.Header().Set("Cache-Control", "no-store")
			writePage(w, http.StatusForbidden, "Forbidden",
				"<p>This page opens only through the sign-in gate ("+html.EscapeString(why)+").</p>")
			return
		}
		r.Header.Set("X-Fake-Assertion", "valid")
	}

	switch p := r.URL.Path; {
	case p == "/echo" || strings.HasPrefix(p, "/echo/"):
		echo(w, r)
	case p == "/big":
		big(w, r)
	case p == "/redirect":
		redirectTo(w, r)
	case p == "/links":
		links(w, r)
	case strings.HasPrefix(p, "/assets/"):
		asset(w, r)
	default:
		demoPage(w, r)
	}
}

// demoPage writes the HTML page a signed-in person sees through the gate.
func demoPage(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	if email := r.Header.Get("X-MC-User-Email"); email != "" {
		b.WriteString("<p><strong>Hello, " + html.EscapeString(email) + "</strong></p>\n")
	} else {
		b.WriteString("<p><strong>Nobody is signed in.</strong> No X-MC-User-Email header arrived, " +
			"which is what a direct, ungated visit looks like.</p>\n")
	}

	writeTable(&b, "Request", [][2]string{
		{"Method", r.Method}, {"Path", r.URL.Path}, {"Query", r.URL.RawQuery},
	})
	writeTable(&b, "X-MC-* headers", mcHeaders(r.Header))
	writeTable(&b, "Cookies received (names only)", cookieNames(r))
	b.WriteString("<p>The gate removes its own cookies before forwarding; any other cookie " +
		"the browser holds for this host reaches the CloudPage.</p>\n")
	if r.Method == http.MethodPost {
		writeTable(&b, "Form fields", formFields(w, r))
	}

	// Real CloudPages write links to their own host, as this one does; the
	// gate rewrites them to its own when it reaches the page by ORIGIN_URL.
	self := "http://" + html.EscapeString(r.Host)
	b.WriteString(`<h2>Try</h2>
<p><a href="` + self + `/reports/q3?region=emea">A deep page: /reports/q3?region=emea</a></p>
<p><a href="` + self + `/team/directory">Another page: /team/directory</a></p>
<form method="post" action="` + self + `/submit">
<label>Note <input name="note" value="hello"></label>
<button type="submit">Submit to /submit</button>
</form>
<form method="post" action="/_gate/logout">
<button type="submit">Sign out (POST /_gate/logout)</button>
</form>`)

	w.Header().Set("Cache-Control", "private, no-store")
	writePage(w, http.StatusOK, "Demo CloudPage", b.String())
}

// writeTable writes a titled two-column table, escaping every cell.
func writeTable(b *strings.Builder, title string, rows [][2]string) {
	b.WriteString("<h2>" + html.EscapeString(title) + "</h2>\n")
	if len(rows) == 0 {
		b.WriteString("<p>None.</p>\n")
		return
	}
	b.WriteString("<table>\n")
	for _, row := range rows {
		fmt.Fprintf(b, "<tr><th>%s</th><td>%s</td></tr>\n",
			html.EscapeString(row[0]), html.EscapeString(row[1]))
	}
	b.WriteString("</table>\n")
}

// mcHeaders lists the X-MC-* headers, sorted by name, one row per value,
// each named as the README spells it.
func mcHeaders(h http.Header) [][2]string {
	var rows [][2]string
	for name, values := range h {
		if !strings.HasPrefix(name, "X-Mc-") {
			continue
		}
		for _, v := range values {
			rows = append(rows, [2]string{mcName(name), v})
		}
	}
	slices.SortStableFunc(rows, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return rows
}

// mcName spells a canonical header name ("X-Mc-Mid") as the README does
// ("X-MC-MID"): Go's canonical form lowers every letter but the first of
// each word.
func mcName(canonical string) string {
	words := strings.Split(canonical, "-")
	for i, w := range words {
		switch w {
		case "Mc", "Mid", "Eid":
			words[i] = strings.ToUpper(w)
		}
	}
	return strings.Join(words, "-")
}

// cookieNames lists the names of the cookies received. The values are
// never shown: one of them may be the gate's session.
func cookieNames(r *http.Request) [][2]string {
	var rows [][2]string
	for i, c := range r.Cookies() {
		rows = append(rows, [2]string{fmt.Sprint(i + 1), c.Name})
	}
	return rows
}

// formFields lists a posted form's fields in name order.
func formFields(w http.ResponseWriter, r *http.Request) [][2]string {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return [][2]string{{"(unreadable)", err.Error()}}
	}
	var rows [][2]string
	for _, name := range slices.Sorted(maps.Keys(r.PostForm)) {
		for _, v := range r.PostForm[name] {
			rows = append(rows, [2]string{name, v})
		}
	}
	return rows
}
