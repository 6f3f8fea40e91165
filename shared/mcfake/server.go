package mcfake

import (
	"cmp"
	"crypto/rand"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

const (
	// DefaultExpiresIn is the access token lifetime, in seconds, that real
	// token answers show. The documentation says 1200.
	DefaultExpiresIn = 1079

	// DefaultSubdomain is the tenant subdomain used when Server.Subdomain is
	// empty. Like a real one it has 28 characters and starts with "mc".
	DefaultSubdomain = "mcfake-cloudpage-gate-demo00"
)

// DefaultScopes are the integration's scopes when Server.Scopes is nil: the
// ones in the documented userinfo example.
var DefaultScopes = []string{"openid", "offline", "email_read", "email_send", "email_write"}

// Server is a fake Marketing Cloud auth host for one Web App integration.
// It serves GET /v2/authorize, POST /v2/token and GET /v2/userinfo, and
// its own pages: GET / (who is signed in), POST /_fake/signin (the sign-in
// form), GET or POST /_fake/logout (see [Server.SignOut]), GET or POST
// /_fake/faults (see [Faults]) and GET or POST /_fake/licence (see
// [Server.SetLicensed]). Every other path is 404.
//
// Set the fields before the first request and leave them alone afterwards.
// The methods are safe for concurrent use. The zero value is not usable:
// ClientID, ClientSecret and RedirectURIs are required (see [Server.Validate]).
type Server struct {
	// ClientID and ClientSecret identify the integration.
	ClientID, ClientSecret string

	// RedirectURIs are the registered redirect URIs, 1 to 10 of them, in
	// plain text as Installed Packages holds them. The redirect_uri of an
	// authorize request must equal one of them exactly once URL-decoded.
	RedirectURIs []string

	// Scopes are the scopes selected on the integration. Nil means
	// DefaultScopes; an empty, non-nil slice means none.
	Scopes []string

	// Users are the people who can sign in. Nil means DemoUsers().
	Users []User

	// Subdomain is the tenant subdomain in instance URLs. Empty means
	// DefaultSubdomain.
	Subdomain string

	// Now tells the time for code and token lifetimes. Nil means time.Now.
	Now func() time.Time

	// Rand supplies codes, tokens and session ids. Nil means crypto/rand.
	// It is read with the server's lock held, so it need not be safe for
	// concurrent use.
	Rand io.Reader

	// ExpiresIn is the access token lifetime in seconds. Zero means
	// DefaultExpiresIn.
	ExpiresIn int

	once   sync.Once
	mux    *http.ServeMux
	err    error // from Validate, reported on every request
	roster []User
	scopes []string

	mu       sync.Mutex
	codes    map[string]grant
	access   map[string]grant
	refresh  map[string]grant
	sessions map[string]string // session id to User.Sub
	licensed map[string]bool   // User.Sub to whether it holds the licence
	faults   Faults
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.setup()
	if s.err != nil {
		http.Error(w, "mcfake: "+s.err.Error(), http.StatusInternalServerError)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// setup fills in defaults and routes, once.
func (s *Server) setup() {
	s.once.Do(func() {
		s.err = s.Validate()
		s.roster = s.Users
		if s.roster == nil {
			s.roster = DemoUsers()
		}
		s.scopes = slices.Clone(s.Scopes)
		if s.scopes == nil {
			s.scopes = slices.Clone(DefaultScopes)
		}

		s.mu.Lock()
		s.codes = map[string]grant{}
		s.access = map[string]grant{}
		s.refresh = map[string]grant{}
		s.sessions = map[string]string{}
		s.licensed = make(map[string]bool, len(s.roster))
		for _, u := range s.roster {
			s.licensed[u.Sub] = u.Licensed
		}
		s.mu.Unlock()

		mux := http.NewServeMux()
		mux.HandleFunc("GET /v2/authorize", s.authorize)
		mux.HandleFunc("POST /v2/token", s.token)
		mux.HandleFunc("GET /v2/userinfo", s.userinfo)
		mux.HandleFunc("GET /{$}", s.index)
		mux.HandleFunc("POST /_fake/signin", s.signIn)
		mux.HandleFunc("/_fake/logout", s.logout)
		mux.HandleFunc("/_fake/faults", s.faultsControl)
		mux.HandleFunc("/_fake/licence", s.licenceControl)
		s.mux = mux
	})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) random() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// expiresIn is the access token lifetime in seconds.
func (s *Server) expiresIn() int {
	return cmp.Or(s.ExpiresIn, DefaultExpiresIn)
}

// instanceURL is the tenant's base URL for api, "rest" or "soap", with the
// trailing slash of real token answers.
func (s *Server) instanceURL(api string) string {
	return "https://" + cmp.Or(s.Subdomain, DefaultSubdomain) + "." + api + ".marketingcloudapis.com/"
}

// user returns the user with this sub, with the licence in force now.
func (s *Server) user(sub string) (User, bool) {
	for _, u := range s.roster {
		if u.Sub == sub {
			s.mu.Lock()
			u.Licensed = s.licensed[sub]
			s.mu.Unlock()
			return u, true
		}
	}
	return User{}, false
}
