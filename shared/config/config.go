package config

import (
	"net/url"
	"time"

	"github.com/cloudpage-gate/gate/shared/session"
)

// The names of the variables and secrets the gate reads. They are the
// public interface of a deployment: wrangler.toml, `wrangler secret put`
// and the documentation use exactly these.
const (
	VarSubdomain          = "MC_SUBDOMAIN"
	VarAuthBaseURL        = "MC_AUTH_BASE_URL"
	VarClientID           = "MC_CLIENT_ID"
	VarClientSecret       = "MC_CLIENT_SECRET"
	VarRedirectURI        = "MC_REDIRECT_URI"
	VarScope              = "MC_SCOPE"
	VarSessionKeys        = "SESSION_KEYS"
	VarSessionTTL         = "SESSION_TTL"
	VarReauthAfter        = "REAUTH_AFTER"
	VarOriginURL          = "ORIGIN_URL"
	VarOriginSecret       = "ORIGIN_SECRET"
	VarPublicPaths        = "PUBLIC_PATHS"
	VarAllowedMIDs        = "ALLOWED_MIDS"
	VarAllowedEIDs        = "ALLOWED_EIDS"
	VarAllowedEmails      = "ALLOWED_EMAILS"
	VarAllowedDomains     = "ALLOWED_EMAIL_DOMAINS"
	VarForwardAccessToken = "FORWARD_ACCESS_TOKEN"
)

// Names lists every variable Parse reads, in the order the documentation
// gives them.
var Names = []string{
	VarSubdomain, VarAuthBaseURL, VarClientID, VarClientSecret, VarRedirectURI,
	VarScope, VarSessionKeys, VarSessionTTL, VarReauthAfter, VarOriginURL,
	VarOriginSecret, VarPublicPaths, VarAllowedMIDs, VarAllowedEIDs,
	VarAllowedEmails, VarAllowedDomains, VarForwardAccessToken,
}

// Secrets lists the variables whose values must never be shown.
var Secrets = []string{VarClientSecret, VarSessionKeys, VarOriginSecret}

// Defaults for the optional durations.
const (
	DefaultSessionTTL  = 8 * time.Hour
	DefaultReauthAfter = time.Hour
)

// Config is a checked deployment. Parse is the only way to get one that
// the gate accepts; every field is set and valid unless its doc says what
// its zero value means.
type Config struct {
	// AuthBase is the tenant's auth host, such as
	// https://mc….auth.marketingcloudapis.com, without a trailing slash.
	AuthBase *url.URL

	ClientID     string
	ClientSecret string

	// RedirectURI is MC_REDIRECT_URI exactly as configured: Marketing Cloud
	// compares it byte for byte at authorize and token time. Its path is
	// where the gate serves the callback.
	RedirectURI string
	Callback    *url.URL

	// Scope is sent at authorize time; empty sends none, and the token then
	// carries the package's own scopes.
	Scope string

	// Keys seal and open the gate's cookies.
	Keys *session.Keyring

	// SessionTTL is the absolute lifetime of a session. ReauthAfter is how
	// long a sign-in is trusted before a top-level navigation re-runs the
	// authorization silently; it never exceeds SessionTTL.
	SessionTTL  time.Duration
	ReauthAfter time.Duration

	// Origin is where signed-in requests go: scheme, host and an optional
	// base path without a trailing slash. Nil sends each request to its own
	// URL, for a Worker route in front of the CloudPage's hostname.
	Origin *url.URL

	// OriginSecret keys the identity assertion added to forwarded requests;
	// nil adds none.
	OriginSecret []byte

	// Public lists the path prefixes served without a session.
	Public PublicPaths

	// Allow holds the allow-lists a user must pass.
	Allow Allow

	// ForwardAccessToken keeps the user's Marketing Cloud access token in
	// the session and forwards it to the origin.
	ForwardAccessToken bool
}
