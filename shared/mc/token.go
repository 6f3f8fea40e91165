package mc

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cloudpage-gate/gate/shared/jsonw"
	"github.com/tidwall/gjson"
)

// Token is what the client keeps of a token answer.
type Token struct {
	AccessToken string
	// ExpiresIn is the token's lifetime as Marketing Cloud stated it;
	// real answers say 1079 seconds, the documentation 1200.
	ExpiresIn time.Duration
}

// MaxTokenLen bounds the access tokens the client accepts, in bytes.
// Marketing Cloud documents at most 512; the slack absorbs format changes.
const MaxTokenLen = 2048

// defaultExpiresIn stands in when an answer omits expires_in: the lifetime
// real tenants report.
const defaultExpiresIn = 1079 * time.Second

// Exchange trades an authorization code for an access token with a JSON
// POST to /v2/token ("Access Token for Web and Public App Integrations").
// The redirect URI goes as plain text, as registered; it was
// percent-encoded only in the authorize URL.
func (c *Client) Exchange(ctx context.Context, code string) (*Token, error) {
	const op = "exchanging code"

	var o jsonw.Object
	o.String("grant_type", "authorization_code").
		String("code", code).
		String("client_id", c.ClientID).
		String("client_secret", c.ClientSecret).
		String("redirect_uri", c.RedirectURI)
	req, err := http.NewRequest(http.MethodPost, c.endpoint("/v2/token"), bytes.NewReader(o.Bytes()))
	if err != nil {
		return nil, &Error{Op: op, Kind: Unreachable, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	hide := []string{code, c.ClientSecret}
	status, body, err := c.do(ctx, op, req, maxTokenAnswer, hide)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, rejected(op, status, body, hide)
	}
	return parseToken(body)
}

// parseToken reads a successful token answer.
func parseToken(body []byte) (*Token, error) {
	const op = "reading token answer"
	if !gjson.ValidBytes(body) {
		return nil, &Error{Op: op, Kind: Malformed, Status: http.StatusOK, Desc: "answer is not JSON"}
	}

	at := gjson.GetBytes(body, "access_token")
	if at.Type != gjson.String || at.Str == "" {
		return nil, &Error{Op: op, Kind: Malformed, Status: http.StatusOK, Err: errors.New("no access_token")}
	}
	if len(at.Str) > MaxTokenLen || !isTokenText(at.Str) {
		return nil, &Error{Op: op, Kind: Malformed, Status: http.StatusOK, Err: errors.New("access_token is not a token")}
	}

	tok := &Token{AccessToken: at.Str, ExpiresIn: defaultExpiresIn}
	if exp := gjson.GetBytes(body, "expires_in"); exp.Type == gjson.Number && exp.Num >= 1 && exp.Num <= 86400 {
		tok.ExpiresIn = time.Duration(exp.Num) * time.Second
	}
	return tok, nil
}

// isTokenText reports whether s can travel in an Authorization header as a
// bearer token (RFC 6750 §2.1, b64token), which every real token is.
func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}
