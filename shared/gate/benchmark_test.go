package gate

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// quietGate returns a gate like e's that logs nothing, so that a benchmark
// measures the decision and not the test's log.
func quietGate(b *testing.B, e *env) *Gate {
	b.Helper()
	opt := e.options()
	opt.Log = nil
	return New(e.gate.cfg, opt)
}

func BenchmarkSignedIn(b *testing.B) {
	e := newEnv(b, nil)
	br := signedIn(b, e, ada)
	g := quietGate(b, e)
	r := br.request(http.MethodGet, gateOrigin+"/page?a=1&b=2", navigation())
	r.Header.Add("Cookie", "theme=dark; lang=en")
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if d := g.Handle(ctx, r); d.Forward == nil {
			b.Fatalf("status %d; want a forward", d.Status)
		}
	}
}

func BenchmarkRedirectToLogin(b *testing.B) {
	e := newEnv(b, nil)
	g := quietGate(b, e)
	r := e.browser(ada).request(http.MethodGet, gateOrigin+"/page?a=1&b=2", navigation())
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if d := g.Handle(ctx, r); d.Status != http.StatusFound {
			b.Fatalf("status %d; want 302", d.Status)
		}
	}
}

func BenchmarkOpenSession(b *testing.B) {
	e := newEnv(b, nil)
	v, _ := signedIn(b, e, ada).cookie(sessionCookie)
	g := e.gate

	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, reason := g.openSession(v, g.now()); reason != "" {
				b.Fatalf("openSession: %s", reason)
			}
		}
	})

	// Twice as many distinct cookies as the cache holds, taken in turn:
	// each has been dropped from the cache by the time it comes round.
	now := e.clock.Now()
	values := make([]string, 2*sessionCacheSize)
	for i := range values {
		v, err := g.cfg.Keys.Seal(sessionCookie, adaSession(b, now, now.Add(time.Hour)))
		if err != nil {
			b.Fatalf("Seal() = %v", err)
		}
		values[i] = v
	}
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, reason := g.openSession(values[i%len(values)], g.now()); reason != "" {
				b.Fatalf("openSession: %s", reason)
			}
			i++
		}
	})
}

func BenchmarkCleanReturn(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		cleanReturn("/reports/2026/q1?region=emea&sort=desc")
	}
}
