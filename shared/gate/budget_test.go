package gate

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestBudgetEndsAtDeadline(t *testing.T) {
	ctx, release := withBudget(context.Background(), time.Millisecond)
	defer release()

	<-ctx.Done()
	if err := ctx.Err(); err != context.DeadlineExceeded {
		t.Errorf("Err() = %v; want %v", err, context.DeadlineExceeded)
	}
	if _, ok := ctx.Deadline(); !ok {
		t.Errorf("Deadline() reports none; want one")
	}
}

func TestBudgetEndsWithParent(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	ctx, release := withBudget(parent, time.Hour)
	defer release()

	cancel()
	<-ctx.Done()
	if err := ctx.Err(); err != context.Canceled {
		t.Errorf("Err() = %v; want %v", err, context.Canceled)
	}
}

func TestBudgetKeepsEarlierParentDeadline(t *testing.T) {
	want := time.Now().Add(time.Minute)
	parent, cancel := context.WithDeadline(context.Background(), want)
	defer cancel()

	ctx, release := withBudget(parent, time.Hour)
	defer release()
	if got, _ := ctx.Deadline(); !got.Equal(want) {
		t.Errorf("Deadline() = %v; want the parent's %v", got, want)
	}
}

func TestBudgetRelease(t *testing.T) {
	ctx, release := withBudget(context.Background(), time.Hour)
	if ctx.Err() != nil {
		t.Fatalf("Err() = %v before release; want nil", ctx.Err())
	}

	release()
	release() // a second call is harmless
	<-ctx.Done()
	if err := ctx.Err(); err != context.Canceled {
		t.Errorf("Err() after release = %v; want %v", err, context.Canceled)
	}
}

// deadlines is a transport that notes the deadline of every request it
// carries, then hands the request to next, or, with next nil, holds it
// until its context ends, as a Marketing Cloud that never answers would.
type deadlines struct {
	next http.RoundTripper

	mu   sync.Mutex
	seen []time.Time // zero for a request without a deadline
}

func (d *deadlines) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	d.mu.Lock()
	d.seen = append(d.seen, dl)
	d.mu.Unlock()

	if d.next != nil {
		return d.next.RoundTrip(r)
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func (d *deadlines) noted() []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.seen...)
}

// gateVia returns a gate like e's whose calls to Marketing Cloud go
// through rt.
func gateVia(e *env, rt http.RoundTripper) *Gate {
	opt := e.options()
	opt.Transport = rt
	return New(e.gate.cfg, opt)
}

// The token and userinfo calls of one sign-in share one budget of ten
// seconds, which the gate sets whatever deadline its caller gave.
func TestSignInBudget(t *testing.T) {
	t.Parallel()
	if Budget != 10*time.Second {
		t.Errorf("Budget = %v; want 10s, as documented", Budget)
	}

	e := newEnv(t, nil)
	rt := &deadlines{next: e.srv.Client().Transport}
	b := e.browser(ada)
	b.g = gateVia(e, rt)
	cb := b.startSignIn(gateOrigin + "/page")

	start := time.Now()
	checkRedirect(t, b.navigate(cb), "/page")
	end := time.Now()

	seen := rt.noted()
	if len(seen) != 2 {
		t.Fatalf("calls to Marketing Cloud = %d; want 2 (token, userinfo)", len(seen))
	}
	for i, dl := range seen {
		if dl.Before(start.Add(Budget)) || dl.After(end.Add(Budget)) {
			t.Errorf("call %d: deadline %v; want %v after the callback arrived (between %v and %v)",
				i, dl, Budget, start.Add(Budget), end.Add(Budget))
		}
	}
	if !seen[0].Equal(seen[1]) {
		t.Errorf("deadlines %v and %v; want one budget for both calls", seen[0], seen[1])
	}
}

// A Marketing Cloud that never answers gets the "did not answer" page once
// the budget is spent, not a hang.
func TestSignInBudgetSpent(t *testing.T) {
	t.Parallel()
	for _, stall := range []string{"token", "userinfo"} {
		t.Run(stall, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			rt := &deadlines{next: e.srv.Client().Transport}
			if stall == "token" {
				rt.next = nil
			}
			g := gateVia(e, rt)
			g.budget = 50 * time.Millisecond
			b := e.browser(ada)
			b.g = g
			cb := b.startSignIn(gateOrigin + "/page")
			if stall == "userinfo" {
				rt.next = stallUserinfo{rt.next}
			}

			done := make(chan *Decision, 1)
			go func() { done <- b.navigate(cb) }()
			select {
			case d := <-done:
				checkPage(t, d, http.StatusBadGateway, "Marketing Cloud did not answer")
				checkNoSession(t, d)
			case <-time.After(5 * time.Second):
				t.Fatalf("callback still waiting on Marketing Cloud after 5s; want the page after %v", g.budget)
			}
			if ev := e.lastEvent(); ev.Reason != "timeout" {
				t.Errorf("last event = %s/%s; want reason timeout", ev.Name, ev.Reason)
			}
		})
	}
}

// stallUserinfo passes the token request on and holds userinfo until its
// context ends.
type stallUserinfo struct{ next http.RoundTripper }

func (s stallUserinfo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/v2/userinfo" {
		return s.next.RoundTrip(r)
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func TestResolveDots(t *testing.T) {
	// RFC 3986 §5.2.4 and §5.4's examples, on paths.
	tests := []struct{ in, want string }{
		{"/a/b/c/./../../g", "/a/g"},
		{"/a/b/c/.", "/a/b/c/"},
		{"/a/b/c/..", "/a/b/"},
		{"/../g", "/g"},
		{"/_gate//../login", "/_gate/login"},
		{"/a//b", "/a//b"},
		{"/", "/"},
		{"/..", "/"},
	}
	for _, tt := range tests {
		if got := resolveDots(tt.in); got != tt.want {
			t.Errorf("resolveDots(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
