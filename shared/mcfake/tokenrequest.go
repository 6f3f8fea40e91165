package mcfake

import (
	"bytes"
	"encoding/json"
	"mime"
	"strconv"
)

// maxTokenBody bounds a token request body; real ones are under 2 KiB.
const maxTokenBody = 64 << 10

// tokenRequest is a parsed POST /v2/token body.
type tokenRequest struct {
	grantType    string
	code         string
	clientID     string
	clientSecret string
	redirectURI  string
	refreshToken string
	scope        *string // nil when absent; an empty string asks for no scopes
	accountID    int64   // 0 when absent
}

// grantTypes are the grant types real Marketing Cloud names in its
// unsupported_grant_type answer. Only the first two serve a Web App.
var grantTypes = map[string]bool{
	"authorization_code":                          true,
	"refresh_token":                               true,
	"client_credentials":                          true,
	"urn:ietf:params:oauth:grant-type:jwt-bearer": true,
}

// legacyKeys are camelCase keys of the legacy v1/requestToken body. v2 takes
// snake_case only, and answers a v1-style body with unsupported_grant_type.
var legacyKeys = []string{"clientId", "clientSecret", "refreshToken", "accessType", "grantType", "redirectUri", "accountId"}

// parseTokenRequest reads a token request body the way v2/token does: JSON
// only, snake_case keys matched exactly (encoding/json alone would also
// match "Client_ID"), string values, and account_id as a number or a string
// of digits. The documentation's table says number, its example sends a
// string.
func parseTokenRequest(contentType string, body []byte) (tokenRequest, *tokenError) {
	var req tokenRequest
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		return req, errNotJSON
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return req, errMalformedJSON
	}

	for _, k := range legacyKeys {
		if _, ok := raw[k]; ok {
			return req, errUnsupportedGrantType
		}
	}
	if !stringKey(raw, "grant_type", &req.grantType) || !grantTypes[req.grantType] {
		return req, errUnsupportedGrantType
	}

	if terr := req.readStrings(raw); terr != nil {
		return req, terr
	}
	var ok bool
	if req.accountID, ok = accountID(raw["account_id"]); !ok {
		return req, errBadAccountID
	}
	return req, nil
}

// readStrings fills in the string-valued keys.
func (req *tokenRequest) readStrings(raw map[string]json.RawMessage) *tokenError {
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"client_id", &req.clientID},
		{"client_secret", &req.clientSecret},
		{"code", &req.code},
		{"redirect_uri", &req.redirectURI},
		{"refresh_token", &req.refreshToken},
	} {
		if !stringKey(raw, f.key, f.dst) {
			return needString(f.key)
		}
	}
	if v, ok := raw["scope"]; ok && !isNull(v) {
		req.scope = new(string)
		if !stringKey(raw, "scope", req.scope) {
			return needString("scope")
		}
	}
	return nil
}

// stringKey copies raw[key] into dst and reports whether it was a string.
// An absent key or null leaves dst empty and counts as a string.
func stringKey(raw map[string]json.RawMessage, key string, dst *string) bool {
	v, ok := raw[key]
	if !ok || isNull(v) {
		return true
	}
	return json.Unmarshal(v, dst) == nil
}

// accountID parses account_id. Absent or null gives 0.
func accountID(v json.RawMessage) (int64, bool) {
	if v == nil || isNull(v) {
		return 0, true
	}
	digits := string(v)
	if v[0] == '"' {
		if json.Unmarshal(v, &digits) != nil {
			return 0, false
		}
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	mid, err := strconv.ParseInt(digits, 10, 64)
	return mid, err == nil && mid > 0
}

func isNull(v json.RawMessage) bool {
	return bytes.Equal(v, []byte("null"))
}
