package mcfake

import "net/http"

// errorURI is the error_uri of every token endpoint error.
const errorURI = "https://developer.salesforce.com/docs"

// tokenError is an error answer from the token endpoint, in the documented
// shape: error, error_description, error_uri.
type tokenError struct {
	status      int
	code        string
	description string
}

// The token endpoint's errors. invalid_client, unsupported_grant_type and
// unauthorized_client carry the exact text of real or documented answers.
// Salesforce documents no body for the others, so they follow RFC 6749 §5.2
// in the same shape, with descriptions of our own.
var (
	errInvalidClient = &tokenError{http.StatusUnauthorized, "invalid_client",
		"Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled."}
	errUnsupportedGrantType = &tokenError{http.StatusBadRequest, "unsupported_grant_type",
		`Use "authorization_code" or "refresh_token" or "client_credentials" or "urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant_type.`}
	errUnauthorizedClient = &tokenError{http.StatusUnauthorized, "unauthorized_client",
		"The client is not authorized to request an authorization code using this method."}

	errNotJSON = &tokenError{http.StatusBadRequest, "invalid_request",
		"The request body must be JSON, sent with Content-Type: application/json."}
	errMalformedJSON = &tokenError{http.StatusBadRequest, "invalid_request",
		"The request body isn't a well-formed JSON object."}
	errBadAccountID = &tokenError{http.StatusBadRequest, "invalid_request",
		"The account_id must be a business unit's MID, as a number or a string of digits."}
	errBadCode = &tokenError{http.StatusBadRequest, "invalid_grant",
		"The authorization code is invalid, expired or already used."}
	errRedirectMismatch = &tokenError{http.StatusBadRequest, "invalid_grant",
		"The redirect_uri doesn't match the one sent to the authorize endpoint."}
	errBadRefresh = &tokenError{http.StatusBadRequest, "invalid_grant",
		"The refresh token is invalid, expired, revoked or already used."}
	errScopeTooWide = &tokenError{http.StatusBadRequest, "invalid_scope",
		"The requested scope must equal or be a subset of the scope granted before."}
	errServer = &tokenError{http.StatusInternalServerError, "server_error",
		"The fake couldn't make a token."}
	errForeignBU = &tokenError{http.StatusForbidden, "access_denied",
		"The user has no access to the business unit in account_id."}
)

// needString is the invalid_request error for an absent or ill-typed key.
func needString(key string) *tokenError {
	return &tokenError{http.StatusBadRequest, "invalid_request",
		"The request needs " + key + " as a JSON string."}
}

// write answers with the error. The body matches the documented ones byte
// for byte: keys in order, no HTML escaping, no trailing newline.
func (e *tokenError) write(w http.ResponseWriter) {
	writeJSON(w, e.status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		URI         string `json:"error_uri"`
	}{e.code, e.description, errorURI})
}
