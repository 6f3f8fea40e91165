// Package mc is a client for the three endpoints of a Marketing Cloud
// tenant's auth host that a Web App integration uses to sign a user in:
// /v2/authorize, /v2/token and /v2/userinfo.
//
// It speaks the protocol as Salesforce documents it rather than as generic
// OAuth libraries do: the token request is a JSON body, not a form; the
// redirect URI is percent-encoded at authorize time and sent as plain text
// at token time; userinfo nests the user and the organization, with MID and
// EID as numbers.
package mc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to one tenant for one installed package. Its fields must not
// change once it is in use; it is then safe for concurrent use.
type Client struct {
	// AuthBase is the auth host, https://{subdomain}.auth.marketingcloudapis.com,
	// with no trailing slash.
	AuthBase *url.URL

	ClientID     string
	ClientSecret string

	// RedirectURI is sent byte for byte as registered in the package.
	RedirectURI string

	// Scope is space-separated; empty sends no scope parameter, and the
	// token carries the package's own scopes.
	Scope string

	// Transport sends the requests and must be set; redirects are not
	// followed. Deadlines come from the context of each call. It is a
	// RoundTripper rather than an *http.Client on purpose: calling
	// Client.Do links net/http's TLS transport into the Worker, 1.2 MiB
	// after gzip, though the Worker fetches through the runtime.
	Transport http.RoundTripper
}

// Limits on the answers the client reads, in bytes. Real answers are a few
// hundred bytes (token) and a few kilobytes (userinfo, which lists the
// user's permissions).
const (
	maxTokenAnswer    = 64 << 10
	maxUserinfoAnswer = 1 << 20
)

// AuthorizeURL returns the address that starts a sign-in with the given
// state. RFC 9700 §4.7.1: state must be a one-time value bound to the
// browser; the caller keeps it in a sealed cookie and compares it on return.
func (c *Client) AuthorizeURL(state string) string {
	var b strings.Builder
	b.WriteString(c.AuthBase.String())
	b.WriteString("/v2/authorize?response_type=code&client_id=")
	b.WriteString(queryEscape(c.ClientID))
	b.WriteString("&redirect_uri=")
	b.WriteString(queryEscape(c.RedirectURI))
	if c.Scope != "" {
		b.WriteString("&scope=")
		b.WriteString(queryEscape(c.Scope))
	}
	b.WriteString("&state=")
	b.WriteString(queryEscape(state))
	return b.String()
}

// queryEscape escapes a query value with %20 for spaces, as Salesforce's
// examples do, rather than "+".
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (c *Client) endpoint(path string) string {
	return c.AuthBase.String() + path
}

// do sends req under ctx and reads at most limit bytes of the answer.
// hide lists what req carries that must not be logged; errors are
// redacted of it.
func (c *Client) do(ctx context.Context, op string, req *http.Request, limit int64, hide []string) (int, []byte, error) {
	if c.Transport == nil {
		return 0, nil, &Error{Op: op, Kind: Unreachable, Err: errors.New("no transport configured")}
	}

	res, err := c.Transport.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return 0, nil, &Error{Op: op, Kind: Unreachable, Err: scrub(unreachable(ctx, err), hide)}
	}
	defer res.Body.Close()

	body, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		// %w, so that a deadline passing while the answer is read is still
		// context.DeadlineExceeded to errors.Is, as Error.Unwrap promises.
		return res.StatusCode, nil, &Error{Op: op, Kind: Unreachable, Status: res.StatusCode,
			Err: scrub(fmt.Errorf("reading answer: %w", unreachable(ctx, err)), hide)}
	}
	if int64(len(body)) > limit {
		return res.StatusCode, nil, &Error{Op: op, Kind: Malformed, Status: res.StatusCode,
			Err: fmt.Errorf("answer longer than %d bytes", limit)}
	}
	return res.StatusCode, body, nil
}

// unreachable prefers the context's verdict, which names a timeout plainly,
// over the transport's wording of the same event.
func unreachable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
