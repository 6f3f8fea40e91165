package mcfake

import (
	"slices"
	"time"
)

const (
	// codeTTL is the documented lifetime of an authorization code.
	codeTTL = 5 * time.Minute

	// refreshTTL is the documented default lifetime of a refresh token.
	refreshTTL = 30 * 24 * time.Hour
)

// A grant is what a code, an access token or a refresh token stands for.
type grant struct {
	clientID    string
	redirectURI string // codes only: redirect_uri as decoded at authorize
	sub         string
	mid         int64
	scopes      []string
	expires     time.Time
}

// offline reports whether the grant survives the user signing out of
// Marketing Cloud.
func (g grant) offline() bool {
	return slices.Contains(g.scopes, "offline")
}

// tokenPair is what a successful token request hands out.
type tokenPair struct {
	access, refresh string
	scopes          []string
}

// mintCode stores g under a new authorization code and returns the code.
func (s *Server) mintCode(g grant) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.now()
	s.pruneLocked(now)
	code, err := randomText(s.random(), 48)
	if err != nil {
		return "", err
	}
	g.expires = now.Add(codeTTL)
	s.codes[code] = g
	return code, nil
}

// redeemCode removes the code and returns its grant if it was still live.
//
// A code is spent by the first request that names it, even when that request
// fails later on, say for a wrong redirect_uri. RFC 6749 §4.1.2 forbids a
// second use; spending it at once also stops a client trying variants.
func (s *Server) redeemCode(code string) (grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	g, ok := s.codes[code]
	delete(s.codes, code)
	return g, ok && s.now().Before(g.expires)
}

// redeemRefresh removes the refresh token and returns its grant if it was
// still live: refresh tokens rotate, as the legacy documentation says.
func (s *Server) redeemRefresh(token string) (grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	g, ok := s.refresh[token]
	delete(s.refresh, token)
	return g, ok && s.now().Before(g.expires)
}

// accessGrant returns the grant behind a live access token.
func (s *Server) accessGrant(token string) (grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	g, ok := s.access[token]
	return g, ok && s.now().Before(g.expires)
}

// issue stores g under a new access token and a new refresh token.
func (s *Server) issue(g grant, eid int64) (tokenPair, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.now()
	s.pruneLocked(now)
	access, err := mintToken(s.random(), "access_token", g.clientID, eid)
	if err != nil {
		return tokenPair{}, err
	}
	refresh, err := mintToken(s.random(), "refresh_token", g.clientID, eid)
	if err != nil {
		return tokenPair{}, err
	}

	g.redirectURI = ""
	g.expires = now.Add(time.Duration(s.expiresIn()) * time.Second)
	s.access[access] = g
	g.expires = now.Add(refreshTTL)
	s.refresh[refresh] = g
	return tokenPair{access: access, refresh: refresh, scopes: g.scopes}, nil
}

// pruneLocked forgets expired codes and tokens. The caller holds s.mu.
func (s *Server) pruneLocked(now time.Time) {
	for _, m := range []map[string]grant{s.codes, s.access, s.refresh} {
		for k, g := range m {
			if !now.Before(g.expires) {
				delete(m, k)
			}
		}
	}
}
