package mcfake

import (
	"fmt"
	"net/http"
)

// sessionCookie holds the fake's own browser session, the stand-in for being
// signed in to Marketing Cloud. Its name says whose it is, because on
// 127.0.0.1 every port shares cookies with every other.
const sessionCookie = "mcfake_session"

// SignIn starts a Marketing Cloud session for the user with the given sub, as
// the sign-in page does, and returns the cookie that carries it. Put the
// cookie in a client's jar and /v2/authorize answers at once, without the
// sign-in page. It is safe for concurrent use.
func (s *Server) SignIn(sub string) (*http.Cookie, error) {
	s.setup()
	if _, ok := s.user(sub); !ok {
		return nil, fmt.Errorf("signing in: no user with sub %q", sub)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := randomText(s.random(), 32)
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	s.sessions[id] = sub
	return &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}, nil
}

// SignOut simulates the user with the given sub signing out of Marketing
// Cloud: their sessions end, and their tokens without the offline scope are
// revoked, so userinfo answers 401 and a refresh fails. That follows the
// documentation ("tokens are revoked when the user logs out"); what real
// Marketing Cloud does with an access token at that moment is unconfirmed.
// It is safe for concurrent use.
func (s *Server) SignOut(sub string) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for id, who := range s.sessions {
		if who == sub {
			delete(s.sessions, id)
		}
	}
	for _, m := range []map[string]grant{s.access, s.refresh} {
		for k, g := range m {
			if g.sub == sub && !g.offline() {
				delete(m, k)
			}
		}
	}
}

// sessionUser returns the user signed in on the browser that sent r.
func (s *Server) sessionUser(r *http.Request) (User, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return User{}, false
	}
	s.mu.Lock()
	sub, ok := s.sessions[c.Value]
	s.mu.Unlock()
	if !ok {
		return User{}, false
	}
	return s.user(sub)
}

// clearSession tells the browser to drop its session cookie.
func clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}
