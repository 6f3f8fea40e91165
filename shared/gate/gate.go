// Package gate decides, for each request to a protected CloudPage, whether
// it goes through to the page, and with whose identity, or whether the
// visitor must sign in at Marketing Cloud first.
//
// The gate defends the page against visitors who are not signed in, forged
// or replayed sign-ins (one-time state bound to the browser by a sealed
// cookie, RFC 9700 §4.7.1), forged identities (client-sent X-MC-* headers are
// dropped, the session is an authenticated cipher text) and open redirects
// (return paths are same-origin paths only, RFC 9700 §4.11.1).
//
// It never talks to the origin itself: [Gate.Handle] returns a [Decision],
// either a complete answer or where and with which headers to forward the
// request. The Worker's JavaScript performs the forward, so page bodies
// stream without passing through Go.
package gate

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mc"
	"github.com/cloudpage-gate/gate/shared/session"
)

// Budget is how long the gate waits for Marketing Cloud to sign a user in:
// the token exchange and the userinfo call together.
const Budget = 10 * time.Second

// Options are what the gate takes from its host. The zero value uses the
// real clock and crypto/rand, and logs nothing; Transport must be set for any
// sign-in to complete. Rand must be a cryptographically secure source: it
// makes the state values and the nonces of every sealed cookie.
type Options struct {
	Transport http.RoundTripper // calls Marketing Cloud
	Now       func() time.Time  // the clock
	Rand      io.Reader         // state values, request ids, cookie nonces
	Log       func(*Event)      // receives one event per notable outcome
}

// Gate holds one checked configuration. It is safe for concurrent use.
type Gate struct {
	cfg    *config.Config
	cfgErr error
	keys   *session.Keyring // cfg.Keys, drawing on rand
	mc     *mc.Client
	now    func() time.Time
	rand   io.Reader
	log    func(*Event)
	cbPath string
	cbOrig string // scheme://host of the redirect URI

	// budget bounds each sign-in's calls to Marketing Cloud: Budget, or
	// less in tests, which cannot wait ten seconds per case.
	budget time.Duration

	sessions sessionCache
	flights  flights                 // sign-ins waiting on Marketing Cloud
	rewrites atomic.Pointer[Rewrite] // the last one made; see Gate.rewrite
}

// New returns a gate for a configuration from config.Parse.
func New(cfg *config.Config, opt Options) *Gate {
	g := newGate(opt)
	g.cfg = cfg
	g.keys = cfg.Keys.WithRand(g.rand)
	g.mc = &mc.Client{
		AuthBase:     cfg.AuthBase,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURI:  cfg.RedirectURI,
		Scope:        cfg.Scope,
		Transport:    opt.Transport,
	}
	g.cbPath = cfg.Callback.EscapedPath()
	g.cbOrig = origin(cfg.Callback.Scheme, cfg.Callback.Host)
	return g
}

// Misconfigured returns a gate that answers every request with a page
// saying the gate is misconfigured, and lists the problems in err at
// /_gate/healthz. Each request it answers logs err once, under the
// request's id, so that the id a person quotes from the page finds the
// problems in the log.
func Misconfigured(err error, opt Options) *Gate {
	g := newGate(opt)
	g.cfgErr = err
	return g
}

func newGate(opt Options) *Gate {
	g := &Gate{now: opt.Now, rand: opt.Rand, log: opt.Log, budget: Budget}
	if g.now == nil {
		g.now = time.Now
	}
	if g.rand == nil {
		g.rand = rand.Reader
	}
	return g
}

// Blocking reports whether Handle may wait on Marketing Cloud for r: only
// the callback does. A host that must not block its event loop runs these
// requests on a goroutine of their own.
func (g *Gate) Blocking(r *http.Request) bool {
	return g.cfg != nil && r.URL.EscapedPath() == g.cbPath
}

// Handle decides what to do with r. r.URL must be absolute, as the Workers
// runtime gives it. Handle reads r's method, URL and header, never its
// body.
func (g *Gate) Handle(ctx context.Context, r *http.Request) *Decision {
	x := &exchange{g: g, r: r, path: r.URL.EscapedPath()}
	if g.cfgErr != nil {
		return x.misconfigured()
	}

	switch {
	case x.path == g.cbPath:
		return x.callback(ctx)
	case strings.HasPrefix(x.path, config.GatePrefix):
		return x.endpoint()
	case g.cfg.Public.Match(x.path):
		return x.forward(nil)
	}
	return x.protected()
}

// exchange is one request on its way through the gate.
type exchange struct {
	g    *Gate
	r    *http.Request
	rid  string // see requestID
	path string // escaped request path

	// set holds Set-Cookie values to send with whatever answer is given.
	set []string

	cookies jar       // see exchange.jar
	t       time.Time // see exchange.now
}

// now is the time of the request, read once: each reading of the clock is
// a call out to JavaScript in the Worker.
func (x *exchange) now() time.Time {
	if x.t.IsZero() {
		x.t = x.g.now()
	}
	return x.t
}

// protected handles a request for a page that needs a session.
func (x *exchange) protected() *Decision {
	o := x.opened()
	if o == nil {
		return x.signInRequired()
	}

	if x.g.staleAuth(o.s, x.now()) && isNavigation(x.r) {
		return x.startSignIn(x.requestReturn())
	}
	return x.forward(o.ident)
}

// OriginFailed answers a forwarded request whose origin could not be
// reached at all, and logs why. The host calls it when its forward fails
// before any answer arrived.
func (g *Gate) OriginFailed(r *http.Request, cause string) *Decision {
	x := &exchange{g: g, r: r, path: r.URL.EscapedPath()}
	x.emit(&Event{Level: "error", Name: EventOriginFailed, Detail: cause})
	return x.page(originFailedPage())
}

// Panicked answers a request whose handling panicked, and logs detail (the
// panic's value and stack) under the request's id. The host calls it after
// recovering; other requests are not affected.
func (g *Gate) Panicked(r *http.Request, detail string) *Decision {
	x := &exchange{g: g, r: r, path: r.URL.EscapedPath()}
	x.emit(&Event{Level: "error", Name: EventPanic, Detail: detail})
	return x.page(internalPage(EventPanic))
}
