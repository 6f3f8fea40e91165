package mcfake

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Validate reports every problem with the server's fields, or nil. A server
// that fails it answers every request with 500 and the reason.
//
// Registered redirect URIs follow Installed Packages: https with a host name,
// no wildcards, no fragment, and never "localhost". Plain http is allowed
// only for a loopback IP, so tests can run without TLS.
func (s *Server) Validate() error {
	var errs []error
	if s.ClientID == "" {
		errs = append(errs, errors.New("client id is empty"))
	}
	if len(s.ClientID) > 100 {
		// The client id is inside every token, which must stay within 512 characters.
		errs = append(errs, errors.New("client id is longer than 100 characters"))
	}
	if s.ClientSecret == "" {
		errs = append(errs, errors.New("client secret is empty"))
	}
	if n := len(s.RedirectURIs); n < 1 || n > 10 {
		errs = append(errs, fmt.Errorf("checking redirect uris: %d registered; want 1 to 10", n))
	}
	for _, u := range s.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			errs = append(errs, fmt.Errorf("checking redirect uri %q: %v", u, err))
		}
	}
	if s.Subdomain != "" && !validSubdomain(s.Subdomain) {
		errs = append(errs, fmt.Errorf("checking subdomain %q: want 28 characters of [a-z0-9-] starting with \"mc\"", s.Subdomain))
	}
	if s.ExpiresIn < 0 {
		errs = append(errs, fmt.Errorf("checking expires in: %d is negative", s.ExpiresIn))
	}
	if err := checkUsers(s.Users); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Host == "" || u.Opaque != "":
		return errors.New("not an absolute URL with a host")
	case strings.Contains(raw, "*"):
		return errors.New("has a wildcard")
	case u.Fragment != "" || u.RawFragment != "":
		return errors.New("has a fragment")
	case u.Hostname() == "localhost":
		return errors.New("Marketing Cloud rejects localhost; use 127.0.0.1")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackIP(u.Hostname()):
		return nil
	}
	return errors.New("want https, or http on a loopback IP")
}

func isLoopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validSubdomain(s string) bool {
	if len(s) != 28 || s[:2] != "mc" {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func checkUsers(users []User) error {
	seen := map[string]bool{}
	for _, u := range users {
		if u.Sub == "" {
			return fmt.Errorf("checking users: %q has an empty Sub", u.Name)
		}
		if seen[u.Sub] {
			return fmt.Errorf("checking users: Sub %q appears twice", u.Sub)
		}
		seen[u.Sub] = true
	}
	return nil
}
