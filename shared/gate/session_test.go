package gate

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/mcfake"
	"github.com/cloudpage-gate/gate/shared/session"
	"github.com/google/go-cmp/cmp"
)

// seal seals plain under key for the cookie called name.
func seal(t testing.TB, key []byte, name string, plain []byte) string {
	t.Helper()
	kr, err := session.NewKeyring([][]byte{key}, nil)
	if err != nil {
		t.Fatalf("NewKeyring() = %v", err)
	}
	v, err := kr.Seal(name, plain)
	if err != nil {
		t.Fatalf("Seal() = %v", err)
	}
	return v
}

// adaSession is a session for ada signed in at auth and ending at expires.
func adaSession(t testing.TB, auth, expires time.Time) []byte {
	t.Helper()
	s := session.Session{
		UserID: ada, Email: "ada@example.com", Name: "ada.lovelace",
		MID: 100000001, EID: 100000000, AuthTime: auth, Expires: expires,
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary() = %v", err)
	}
	return b
}

func TestSessionRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		value      func(t *testing.T, e *env, b *browser, good string) string
		wantReason string
	}{
		{"tampered", func(_ *testing.T, _ *env, _ *browser, good string) string { return flip(good) }, reasonUnreadable},
		{"last byte changed", func(_ *testing.T, _ *env, _ *browser, good string) string {
			return good[:len(good)-1] + map[bool]string{true: "A", false: "B"}[good[len(good)-1] != 'A']
		}, reasonUnreadable},
		{"truncated", func(_ *testing.T, _ *env, _ *browser, good string) string { return good[:len(good)-4] }, reasonUnreadable},
		{"truncated to the header", func(_ *testing.T, _ *env, _ *browser, good string) string { return good[:23] }, reasonUnreadable},
		{"extended", func(_ *testing.T, _ *env, _ *browser, good string) string { return good + "AAAA" }, reasonUnreadable},
		{"padded", func(_ *testing.T, _ *env, _ *browser, good string) string { return good + "==" }, reasonUnreadable},
		{"empty", func(_ *testing.T, _ *env, _ *browser, _ string) string { return "" }, reasonUnreadable},
		{"not base64", func(_ *testing.T, _ *env, _ *browser, _ string) string { return "not a cookie!" }, reasonUnreadable},
		{"oversized", func(_ *testing.T, _ *env, _ *browser, _ string) string { return strings.Repeat("A", 5000) }, reasonUnreadable},
		{"sealed under another key", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			return seal(t, keyB, sessionCookie, adaSession(t, now, now.Add(time.Hour)))
		}, reasonUnreadable},
		{"sealed for another cookie name", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			return seal(t, keyA, attemptsCookie, adaSession(t, now, now.Add(time.Hour)))
		}, reasonUnreadable},
		{"a login cookie's value", func(t *testing.T, e *env, _ *browser, _ string) string {
			other := e.browser(ada)
			other.navigate(gateOrigin + "/")
			return other.jar[0].value
		}, reasonUnreadable},
		{"trailing bytes in the plaintext", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			return seal(t, keyA, sessionCookie, append(adaSession(t, now, now.Add(time.Hour)), 0))
		}, reasonUnreadable},
		{"another version", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			p := adaSession(t, now, now.Add(time.Hour))
			p[0] = 2
			return seal(t, keyA, sessionCookie, p)
		}, reasonUnreadable},
		{"expired after SESSION_TTL", func(_ *testing.T, e *env, _ *browser, good string) string {
			e.clock.Advance(config.DefaultSessionTTL)
			return good
		}, reasonExpired},
		{"expiry sealed in has passed", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			return seal(t, keyA, sessionCookie, adaSession(t, now.Add(-time.Hour), now))
		}, reasonExpired},
		{"no expiry sealed in", func(t *testing.T, e *env, _ *browser, _ string) string {
			return seal(t, keyA, sessionCookie, adaSession(t, e.clock.Now(), time.Time{}))
		}, reasonExpired},
		{"older than SESSION_TTL whatever it says", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			return seal(t, keyA, sessionCookie, adaSession(t, now.Add(-config.DefaultSessionTTL), now.Add(time.Hour)))
		}, reasonExpired},
		{"SESSION_TTL shortened after issue", func(_ *testing.T, e *env, b *browser, good string) string {
			b.g = e.newGate(map[string]string{config.VarSessionTTL: "1h"})
			e.clock.Advance(time.Hour)
			return good
		}, reasonExpired},
		{"issued in the future", func(_ *testing.T, e *env, _ *browser, good string) string {
			e.clock.Advance(-clockSkew - time.Second)
			return good
		}, reasonFuture},
		{"issued far in the future", func(t *testing.T, e *env, _ *browser, _ string) string {
			now := e.clock.Now()
			return seal(t, keyA, sessionCookie, adaSession(t, now.Add(24*time.Hour), now.Add(48*time.Hour)))
		}, reasonFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := signedIn(t, e, ada)
			good, _ := b.cookie(sessionCookie)
			b.setCookie(sessionCookie, tt.value(t, e, b, good))

			d := b.fetch(gateOrigin + "/api?x=1")
			checkLoginRequired(t, d, "/_gate/login?rd=%2Fapi%3Fx%3D1")
			if diff := cmp.Diff([]string{clearShape(sessionCookie)}, cookieShapes(d.Header)); diff != "" {
				t.Errorf("Set-Cookie mismatch (-want +got):\n%s", diff)
			}
			ev := e.eventsNamed(EventSessionRefused)
			if len(ev) != 1 || ev[0].Reason != tt.wantReason || ev[0].Path != "/api" {
				t.Fatalf("session_refused events = %+v; want one with reason %q, path /api", ev, tt.wantReason)
			}

			// A navigation with the same cookie starts a new sign-in.
			b.setCookie(sessionCookie, tt.value(t, e, b, good))
			d = b.navigate(gateOrigin + "/page")
			e.checkSignInStarted(t, d)
			if shapes := cookieShapes(d.Header); !slices.Contains(shapes, clearShape(sessionCookie)) {
				t.Errorf("Set-Cookie = %q; want the session cleared", shapes)
			}
		})
	}
}

func TestSessionAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value func(t *testing.T, e *env) string
	}{
		{"issued within the clock skew", func(t *testing.T, e *env) string {
			now := e.clock.Now()
			return seal(t, keyA, sessionCookie, adaSession(t, now.Add(clockSkew), now.Add(time.Hour)))
		}},
		{"about to expire", func(t *testing.T, e *env) string {
			now := e.clock.Now()
			return seal(t, keyA, sessionCookie, adaSession(t, now.Add(-time.Hour), now.Add(time.Second)))
		}},
		{"quoted", func(t *testing.T, e *env) string {
			now := e.clock.Now()
			return `"` + seal(t, keyA, sessionCookie, adaSession(t, now, now.Add(time.Hour))) + `"`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			b := e.browser(ada)
			b.setCookie(sessionCookie, tt.value(t, e))
			d := b.fetch(gateOrigin + "/")
			if d.Forward == nil {
				t.Fatalf("status %d; want a forward", d.Status)
			}
			if got := e.sentHeader(d).Get(HeaderEmail); got != "ada@example.com" {
				t.Errorf("%s = %q; want ada@example.com", HeaderEmail, got)
			}
			if ev := e.eventsNamed(EventSessionRefused); ev != nil {
				t.Errorf("session_refused events = %+v; want none", ev)
			}
		})
	}
}

func TestSessionExpiresExactlyAtTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := signedIn(t, e, ada)
	e.clock.Advance(config.DefaultSessionTTL - time.Second)
	if d := b.fetch(gateOrigin + "/"); d.Forward == nil {
		t.Fatalf("one second before SESSION_TTL: status %d; want a forward", d.Status)
	}
	e.clock.Advance(time.Second)
	if d := b.fetch(gateOrigin + "/"); d.Forward != nil {
		t.Fatalf("at SESSION_TTL: forwarded; want 401")
	}
}

func TestSessionKeyRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // SESSION_KEYS = A
	b := signedIn(t, e, ada)
	underA, _ := b.cookie(sessionCookie)

	onlyA := e.gate
	rotated := e.newGate(map[string]string{config.VarSessionKeys: encodeKey(keyB) + "," + encodeKey(keyA)})
	onlyB := e.newGate(map[string]string{config.VarSessionKeys: encodeKey(keyB)})

	if _, reason := rotated.openSession(underA, rotated.now()); reason != "" {
		t.Fatalf("SESSION_KEYS B,A refuses a session sealed under A: %s", reason)
	}
	b.g = rotated
	d := b.fetch(gateOrigin + "/")
	if d.Forward == nil || e.sentHeader(d).Get(HeaderEmail) != "ada@example.com" {
		t.Fatalf("after rotation: %+v; want a forward as ada", d)
	}

	// New sessions are sealed under B, which A alone cannot open.
	b.deleteCookie(sessionCookie)
	b.mustSignIn(gateOrigin+"/", "/")
	underB, _ := b.cookie(sessionCookie)
	if _, reason := onlyB.openSession(underB, onlyB.now()); reason != "" {
		t.Errorf("SESSION_KEYS B refuses a session sealed by B,A: %s", reason)
	}
	if _, reason := onlyA.openSession(underB, onlyA.now()); reason != reasonUnreadable {
		t.Errorf("SESSION_KEYS A opens a session sealed under B: reason %q; want %q", reason, reasonUnreadable)
	}

	// Once A is retired, its sessions end.
	if _, reason := onlyB.openSession(underA, onlyB.now()); reason != reasonUnreadable {
		t.Errorf("SESSION_KEYS B opens a session sealed under A: reason %q; want %q", reason, reasonUnreadable)
	}
}

func TestSessionRefusedClearsOnlyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser(ada)
	b.setCookie(sessionCookie, "garbage")
	b.fetch(gateOrigin + "/")
	if _, ok := b.cookie(sessionCookie); ok {
		t.Fatalf("refused session cookie kept after the gate cleared it")
	}
	d := b.fetch(gateOrigin + "/")
	if got := d.Header.Values("Set-Cookie"); got != nil {
		t.Errorf("Set-Cookie = %q; want none once the cookie is gone", got)
	}
	if n := len(e.eventsNamed(EventSessionRefused)); n != 1 {
		t.Errorf("session_refused events = %d; want 1", n)
	}
	if d.Status != http.StatusUnauthorized {
		t.Errorf("status = %d; want 401", d.Status)
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var reqs []*http.Request
	for _, sub := range []string{ada, alan, edsger} {
		b := signedIn(t, e, sub)
		reqs = append(reqs, b.request(http.MethodGet, gateOrigin+"/page", subRequest()))
	}
	anon := e.browser(ada).request(http.MethodGet, gateOrigin+"/page", navigation())

	// The gate and its session cache are shared by every request; run
	// with -race to check.
	const rounds = 50
	errs := make(chan string, 4*rounds*len(reqs))
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				for j, r := range reqs {
					if d := e.gate.Handle(t.Context(), r); d.Forward == nil {
						errs <- fmt.Sprintf("worker %d, user %d: status %d; want a forward", i, j, d.Status)
					}
				}
				if d := e.gate.Handle(t.Context(), anon); d.Status != http.StatusFound {
					errs <- fmt.Sprintf("worker %d, anonymous: status %d; want 302", i, d.Status)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// The session cookie holds who the user is and when, and no Marketing Cloud
// token unless FORWARD_ACCESS_TOKEN asks for the access token; never the
// refresh token.
func TestSessionHoldsNoTokenByDefault(t *testing.T) {
	t.Parallel()
	for _, forward := range []bool{false, true} {
		t.Run(fmt.Sprintf("FORWARD_ACCESS_TOKEN=%v", forward), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, map[string]string{config.VarForwardAccessToken: fmt.Sprint(forward)})
			b := e.browser(ada)
			b.mustSignIn(gateOrigin+"/", "/")

			v, _ := b.cookie(sessionCookie)
			plain, err := b.g.keys.Open(sessionCookie, v)
			if err != nil {
				t.Fatalf("opening the session cookie: %v", err)
			}
			var s session.Session
			if err := s.UnmarshalBinary(plain); err != nil {
				t.Fatalf("decoding the session: %v", err)
			}
			tokens := e.issued()
			if len(tokens) != 2 {
				t.Fatalf("tokens issued = %d; want an access and a refresh token", len(tokens))
			}
			access, refresh := tokens[0], tokens[1]

			want := session.Session{
				UserID: ada, Email: "ada@example.com", Name: "ada.lovelace",
				MID: 100000001, EID: 100000000, AuthTime: epoch, Expires: epoch.Add(config.DefaultSessionTTL),
			}
			if forward {
				want.AccessToken = access
				want.TokenExpires = epoch.Add(mcfake.DefaultExpiresIn * time.Second)
			}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("sealed session mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(string(plain), refresh) {
				t.Errorf("the session holds the refresh token")
			}
			if !forward && strings.Contains(string(plain), access) {
				t.Errorf("the session holds the access token")
			}
		})
	}
}
