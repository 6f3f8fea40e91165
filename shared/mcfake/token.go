package mcfake

import (
	"crypto/subtle"
	"io"
	"net/http"
	"slices"
	"strings"
)

// tokenAnswer is a successful token answer, keys in the documented order.
type tokenAnswer struct {
	AccessToken     string `json:"access_token"`
	RefreshToken    string `json:"refresh_token"`
	ExpiresIn       int    `json:"expires_in"`
	TokenType       string `json:"token_type"`
	RestInstanceURL string `json:"rest_instance_url"`
	SoapInstanceURL string `json:"soap_instance_url"`
	Scope           string `json:"scope"`
}

// token serves POST /v2/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	// The body is read before any fault is applied: net/http notices that
	// a client went away only once the body is consumed, so a delayed
	// answer to a cancelled request would otherwise hold on for the whole
	// delay.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	if s.tokenFault(w, r) {
		return
	}
	if err != nil {
		errMalformedJSON.write(w)
		return
	}
	req, terr := parseTokenRequest(r.Header.Get("Content-Type"), body)
	if terr != nil {
		terr.write(w)
		return
	}
	if !s.clientMatches(req) {
		errInvalidClient.write(w)
		return
	}

	var g grant
	switch req.grantType {
	case "authorization_code":
		g, terr = s.codeGrant(req)
	case "refresh_token":
		g, terr = s.refreshGrant(req)
	default:
		// A Web App integration can't use the server-to-server grants.
		terr = errUnauthorizedClient
	}
	if terr == nil {
		terr = s.narrow(&g, req)
	}
	if terr != nil {
		terr.write(w)
		return
	}
	s.answerTokens(w, g)
}

// clientMatches checks the client credentials in constant time.
func (s *Server) clientMatches(req tokenRequest) bool {
	id := subtle.ConstantTimeCompare([]byte(req.clientID), []byte(s.ClientID))
	secret := subtle.ConstantTimeCompare([]byte(req.clientSecret), []byte(s.ClientSecret))
	return id&secret == 1
}

// codeGrant redeems an authorization code.
func (s *Server) codeGrant(req tokenRequest) (grant, *tokenError) {
	if req.code == "" {
		return grant{}, needString("code")
	}
	if req.redirectURI == "" {
		return grant{}, needString("redirect_uri")
	}
	g, ok := s.redeemCode(req.code)
	if !ok || g.clientID != req.clientID {
		return grant{}, errBadCode
	}
	// Plain text here against the decoded authorize value: a URI sent
	// still URL-encoded doesn't match, as the documentation warns.
	if req.redirectURI != g.redirectURI {
		return grant{}, errRedirectMismatch
	}
	return g, nil
}

// refreshGrant redeems a refresh token. A redirect_uri in the request is
// ignored: some clients send one, and the documented example has none.
func (s *Server) refreshGrant(req tokenRequest) (grant, *tokenError) {
	if req.refreshToken == "" {
		return grant{}, needString("refresh_token")
	}
	g, ok := s.redeemRefresh(req.refreshToken)
	if !ok || g.clientID != req.clientID {
		return grant{}, errBadRefresh
	}
	return g, nil
}

// narrow applies the request's scope and account_id to the grant: scope
// may only shrink what was granted before, and account_id may only name a
// business unit the user can reach.
func (s *Server) narrow(g *grant, req tokenRequest) *tokenError {
	if req.scope != nil {
		asked := strings.Fields(*req.scope)
		for _, sc := range asked {
			if !slices.Contains(g.scopes, sc) {
				return errScopeTooWide
			}
		}
		g.scopes = asked
	}
	if req.accountID != 0 {
		// The documentation asks apps to handle 401 and 403 here; which
		// one, with what body, is unconfirmed.
		if u, ok := s.user(g.sub); !ok || !u.canReach(req.accountID) {
			return errForeignBU
		}
		g.mid = req.accountID
	}
	return nil
}

// answerTokens issues a token pair for g and writes the answer.
func (s *Server) answerTokens(w http.ResponseWriter, g grant) {
	u, _ := s.user(g.sub)
	pair, err := s.issue(g, u.EID)
	if err != nil {
		errServer.write(w)
		return
	}
	writeJSON(w, http.StatusOK, tokenAnswer{
		AccessToken:     pair.access,
		RefreshToken:    pair.refresh,
		ExpiresIn:       s.expiresIn(),
		TokenType:       "Bearer",
		RestInstanceURL: s.instanceURL("rest"),
		SoapInstanceURL: s.instanceURL("soap"),
		Scope:           strings.Join(pair.scopes, " "),
	})
}
