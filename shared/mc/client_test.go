package mc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Distinctive values, so that a test can tell whether one of them leaked
// into an error. Each is valid where it travels: the token is b64token text.
const (
	testClientID = "vqwyswrlzzfk024ivr682esb"
	testSecret   = "shh-SECRETVALUE-4242"
	testCode     = "auth-CODEVALUE-9191"
	testToken    = "tok.TOKENVALUE.7373"
	testRedirect = "https://gate.example.com/_gate/callback"
)

// newClient returns a client for a server at base that sends through rt.
func newClient(base string, rt http.RoundTripper) *Client {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	return &Client{
		AuthBase:     u,
		ClientID:     testClientID,
		ClientSecret: testSecret,
		RedirectURI:  testRedirect,
		Transport:    rt,
	}
}

// fakeMC starts a server that answers every request with h and returns a
// client pointed at it.
func fakeMC(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return newClient(srv.URL, srv.Client().Transport)
}

// answer returns a handler that drains the request and answers with the
// given status, content type and body.
func answer(status int, ctype, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func jsonAnswer(status int, body string) http.HandlerFunc {
	return answer(status, "application/json", body)
}

// hang answers with the status line and the first bytes of body, if any,
// and then waits until the client gives up on the request. The body is
// drained first: until it is, net/http does not watch the connection and
// the request context would never end.
func hang(partial string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if partial != "" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "4096")
			io.WriteString(w, partial)
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}
}

// cutOff writes raw, which may be a partial HTTP answer or nothing, and
// closes the connection.
func cutOff(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString(raw)
		buf.Flush()
		conn.Close()
	}
}

// errSummary is what a caller of the client decides on, plus the text kept
// for the log.
type errSummary struct {
	Kind   Kind
	Status int
	Code   string
	Desc   string
	Err    string
}

func summarize(t *testing.T, err error) errSummary {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *mc.Error", err, err)
	}
	s := errSummary{Kind: e.Kind, Status: e.Status, Code: e.Code, Desc: e.Desc}
	if e.Err != nil {
		s.Err = e.Err.Error()
	}
	return s
}

// transportWording lets got pass for want when both are Unreachable and
// got's cause ends in want's: net/http words a broken connection
// differently from version to version, and the test holds it only to the
// cause at the end.
func transportWording(want, got errSummary) errSummary {
	if want.Kind == Unreachable && got.Kind == Unreachable && strings.HasSuffix(got.Err, want.Err) {
		got.Err = want.Err
	}
	return got
}

func TestAuthorizeURLDocumentedExample(t *testing.T) {
	c := newClient("https://YOUR_SUBDOMAIN.auth.marketingcloudapis.com", nil)
	c.RedirectURI = "https://127.0.0.1:80/"
	c.Scope = "email_read email_write email_send"

	// The example in "Authorization Code Reference", byte for byte.
	want := "https://YOUR_SUBDOMAIN.auth.marketingcloudapis.com/v2/authorize?response_type=code&client_id=vqwyswrlzzfk024ivr682esb&redirect_uri=https%3A%2F%2F127.0.0.1%3A80%2F&scope=email_read%20email_write%20email_send&state=mystate"
	if got := c.AuthorizeURL("mystate"); got != want {
		t.Errorf("AuthorizeURL(%q) =\n%s\nwant\n%s", "mystate", got, want)
	}
}

func TestAuthorizeURLShape(t *testing.T) {
	const base = "https://mc-yfyyj2sjhsjhkwc1s8w4zrxx4.auth.marketingcloudapis.com"
	tests := []struct {
		name  string
		scope string
		state string
		want  string
	}{
		{
			name:  "no scope",
			state: "s1",
			want:  base + "/v2/authorize?response_type=code&client_id=vqwyswrlzzfk024ivr682esb&redirect_uri=https%3A%2F%2Fgate.example.com%2F_gate%2Fcallback&state=s1",
		},
		{
			name:  "one scope",
			scope: "offline",
			state: "s2",
			want:  base + "/v2/authorize?response_type=code&client_id=vqwyswrlzzfk024ivr682esb&redirect_uri=https%3A%2F%2Fgate.example.com%2F_gate%2Fcallback&scope=offline&state=s2",
		},
		{
			name:  "empty state",
			scope: "openid offline",
			want:  base + "/v2/authorize?response_type=code&client_id=vqwyswrlzzfk024ivr682esb&redirect_uri=https%3A%2F%2Fgate.example.com%2F_gate%2Fcallback&scope=openid%20offline&state=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(base, nil)
			c.Scope = tt.scope
			if got := c.AuthorizeURL(tt.state); got != tt.want {
				t.Errorf("AuthorizeURL(%q) =\n%s\nwant\n%s", tt.state, got, tt.want)
			}
		})
	}
}

// TestAuthorizeURLHostile feeds values that would break out of their
// parameter if they were not escaped: a new parameter, a fragment that
// cuts the query short, "+" that a server reads as a space.
func TestAuthorizeURLHostile(t *testing.T) {
	tests := []struct {
		name                             string
		clientID, redirect, scope, state string
	}{
		{"ampersand", "id&state=evil", "https://gate.example/cb?a=1&b=2", "a&b", "s&state=forged"},
		{"fragment", "id#x", "https://gate.example/cb#top", "read#write", "s#frag"},
		{"equals", "id=x", "https://gate.example/cb?next==", "a=b", "=s="},
		{"spaces", " id ", "https://gate.example/c b", "email_read  email_send ", " s t "},
		{"plus", "id+1", "https://gate.example/cb?q=a+b", "a+b", "s+t"},
		{"percent", "%41", "https://gate.example/c%20b", "%20", "%2Fs%"},
		{"unicode", "ïd", "https://gäte.example/コールバック", "ëmail", "état✓"},
		{"line breaks and NUL", "id\r\nX-Evil: 1", "https://gate.example/cb\n", "a\tb", "s\x00t"},
		{"invalid UTF-8", "id\xff", "https://gate.example/\xfe", "\xc3", "s\x80"},
		{"quote and angle brackets", `id"<>`, `https://gate.example/"><script>`, `'`, `"/><x`},
		{"question mark and slash", "id?x/y", "https://gate.example/cb?", "?", "/?/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient("https://auth.example.com", nil)
			c.ClientID, c.RedirectURI, c.Scope = tt.clientID, tt.redirect, tt.scope
			got := c.AuthorizeURL(tt.state)

			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("AuthorizeURL(%q) = %q, which does not parse: %v", tt.state, got, err)
			}
			if u.Fragment != "" || strings.Contains(got, "#") {
				t.Errorf("AuthorizeURL(%q) = %q; has a fragment", tt.state, got)
			}
			if strings.Contains(u.RawQuery, "+") {
				t.Errorf("AuthorizeURL(%q) query = %q; want spaces as %%20 and no +", tt.state, u.RawQuery)
			}
			if u.Path != "/v2/authorize" {
				t.Errorf("AuthorizeURL(%q) path = %q; want /v2/authorize", tt.state, u.Path)
			}

			want := [][2]string{
				{"response_type", "code"},
				{"client_id", tt.clientID},
				{"redirect_uri", tt.redirect},
				{"scope", tt.scope},
				{"state", tt.state},
			}
			if diff := cmp.Diff(want, splitQuery(t, u.RawQuery)); diff != "" {
				t.Errorf("AuthorizeURL(%q) parameters (-want +got):\n%s", tt.state, diff)
			}
		})
	}
}

// splitQuery returns the parameters of q in order, each value unescaped
// the strict way: "+" stays "+".
func splitQuery(t *testing.T, q string) [][2]string {
	t.Helper()
	var ps [][2]string
	for _, kv := range strings.Split(q, "&") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Errorf("parameter %q has no =", kv)
		}
		uv, err := url.PathUnescape(v)
		if err != nil {
			t.Errorf("parameter %s=%s does not unescape: %v", k, v, err)
		}
		ps = append(ps, [2]string{k, uv})
	}
	return ps
}

func TestNilTransport(t *testing.T) {
	c := newClient("https://auth.example.com", nil)
	ctx := context.Background()

	_, err := c.Exchange(ctx, testCode)
	want := errSummary{Kind: Unreachable, Err: "no transport configured"}
	if diff := cmp.Diff(want, summarize(t, err)); diff != "" {
		t.Errorf("Exchange with nil Transport (-want +got):\n%s", diff)
	}

	_, err = c.UserInfo(ctx, testToken)
	if diff := cmp.Diff(want, summarize(t, err)); diff != "" {
		t.Errorf("UserInfo with nil Transport (-want +got):\n%s", diff)
	}
}

// TestDeadline uses a server that never answers, or stops halfway. The
// caller's deadline must end the call, and the error must say so through
// errors.Is, which is how the gate tells a timeout from other failures.
func TestDeadline(t *testing.T) {
	calls := []struct {
		name string
		call func(context.Context, *Client) error
	}{
		{"Exchange", func(ctx context.Context, c *Client) error { _, err := c.Exchange(ctx, testCode); return err }},
		{"UserInfo", func(ctx context.Context, c *Client) error { _, err := c.UserInfo(ctx, testToken); return err }},
	}
	for _, call := range calls {
		t.Run("no answer/"+call.name, func(t *testing.T) {
			c := fakeMC(t, hang(""))
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()

			err := call.call(ctx, c)
			checkDeadline(t, call.name, err, 0)
		})

		// The deadline passes once the headers are in, while the body is
		// read, whatever the speed of the machine.
		t.Run("half an answer/"+call.name, func(t *testing.T) {
			c := fakeMC(t, hang(`{"access_token":"`))
			ctx := newExpiring()
			c.Transport = afterHeaders{c.Transport, ctx.expire}

			err := call.call(ctx, c)
			checkDeadline(t, call.name, err, http.StatusOK)
		})
	}
}

func checkDeadline(t *testing.T, call string, err error, wantStatus int) {
	t.Helper()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%s = %v; want an error that is context.DeadlineExceeded", call, err)
	}
	s := summarize(t, err)
	if s.Kind != Unreachable || s.Status != wantStatus {
		t.Errorf("%s = kind %v, status %d; want %v, %d", call, s.Kind, s.Status, Unreachable, wantStatus)
	}
}

// expiring is a context whose deadline passes when the test says so rather
// than when a clock does.
type expiring struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) expire()               { e.once.Do(func() { close(e.done) }) }
func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// afterHeaders calls f when an answer's headers are in, before its body is
// read.
type afterHeaders struct {
	rt http.RoundTripper
	f  func()
}

func (a afterHeaders) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := a.rt.RoundTrip(req)
	a.f()
	return res, err
}

func TestCanceled(t *testing.T) {
	c := fakeMC(t, hang(""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := c.Exchange(ctx, testCode)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Exchange = %v; want an error that is context.Canceled", err)
	}
	if s := summarize(t, err); s.Kind != Unreachable {
		t.Errorf("Exchange kind = %v; want %v", s.Kind, Unreachable)
	}
}

// TestRedirectNotFollowed checks that a 3xx answer is an error and that
// the client never asks the place it points to: a token request followed
// elsewhere would carry the code and the secret along.
func TestRedirectNotFollowed(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		jsonAnswer(http.StatusOK, `{"access_token":"abc","expires_in":1079}`)(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := newClient(srv.URL, srv.Client().Transport)

	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   errSummary
	}{
		{"302 without body", http.StatusFound, "", "",
			errSummary{Kind: Malformed, Status: 302, Desc: "answer is not JSON"}},
		{"307 keeps the method and body", http.StatusTemporaryRedirect, "text/html", `<a href="/elsewhere">Temporary Redirect</a>.`,
			errSummary{Kind: Malformed, Status: 307, Desc: "answer is not JSON"}},
		{"308 with a token in the body", http.StatusPermanentRedirect, "application/json", `{"access_token":"abc"}`,
			errSummary{Kind: Malformed, Status: 308}},
		// An OAuth error on a status the endpoint does not use is not a
		// verdict on the code: the gate must not tell the person their
		// code was refused.
		{"303 with an OAuth error", http.StatusSeeOther, "application/json", `{"error":"invalid_grant","error_description":"see other"}`,
			errSummary{Kind: Malformed, Status: 303, Code: "invalid_grant", Desc: "see other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux.HandleFunc("/"+strconv.Itoa(tt.status)+"/v2/", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", srv.URL+"/elsewhere")
				answer(tt.status, tt.ctype, tt.body)(w, r)
			})
			c.AuthBase, _ = url.Parse(srv.URL + "/" + strconv.Itoa(tt.status))

			_, err := c.Exchange(context.Background(), testCode)
			if diff := cmp.Diff(tt.want, summarize(t, err)); diff != "" {
				t.Errorf("Exchange answered %d (-want +got):\n%s", tt.status, diff)
			}
			_, err = c.UserInfo(context.Background(), testToken)
			if s := summarize(t, err); s.Kind != Malformed || s.Status != tt.status {
				t.Errorf("UserInfo answered %d = kind %v, status %d; want %v, %d", tt.status, s.Kind, s.Status, Malformed, tt.status)
			}
		})
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("redirect target asked %d times; want 0", n)
	}
}
