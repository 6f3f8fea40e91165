package mcfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// tokenHeader is the first segment of every real token, decoded.
const tokenHeader = `{"alg":"HS256","kid":"1","ver":"1","typ":"JWT"}`

// tokenClaims is the second segment of a real token, decoded. The first key
// is "access_token" or "refresh_token" depending on the kind of token.
type tokenClaims struct {
	ClientID        string `json:"client_id"`
	EID             int64  `json:"eid"`
	StackKey        string `json:"stack_key"`
	PlatformVersion int    `json:"platform_version"`
	ClientType      string `json:"client_type"`
}

// mintToken returns a token shaped like Marketing Cloud's: four base64url
// segments joined by dots, a JWT-like header, claims, and two random
// segments in place of the signature. Clients must treat tokens as opaque;
// the shape is only there so that length limits and logging are tested
// against something realistic. With a 100-character client id the token
// stays under the documented 512 characters.
func mintToken(rand io.Reader, kind, clientID string, eid int64) (string, error) {
	id, err := randomAlnum(rand, 24)
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(tokenClaims{
		ClientID: clientID, EID: eid, StackKey: "S1",
		PlatformVersion: 2, ClientType: "Confidential",
	})
	if err != nil {
		return "", fmt.Errorf("encoding token claims: %v", err)
	}
	// Put the kind first, as real tokens do.
	claims = fmt.Appendf(nil, `{%q:%q,%s`, kind, id, claims[1:])

	sig, err := randomText(rand, 32)
	if err != nil {
		return "", err
	}
	tail, err := randomText(rand, 12)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return strings.Join([]string{
		enc.EncodeToString([]byte(tokenHeader)),
		enc.EncodeToString(claims),
		sig, tail,
	}, "."), nil
}

// randomText returns n random bytes from rand in base64url without padding.
func randomText(rand io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// randomAlnum returns n random lowercase letters and digits, like the ids
// inside real tokens and client ids.
func randomAlnum(rand io.Reader, n int) (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b), nil
}
