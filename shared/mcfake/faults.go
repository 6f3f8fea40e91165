package mcfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Faults are failures the fake can inject into its token and userinfo
// answers, to test how the gate copes. They are test aids: nothing here is
// Marketing Cloud behaviour, and the zero value injects nothing.
//
// Apart from UserinfoNoEmail, a fault answers in place of the endpoint and
// changes no state: a code sent to a failing token endpoint stays unspent.
type Faults struct {
	// Delay holds back every token and userinfo answer, faulty or not, for
	// this long. A cancelled request context ends the wait, and the request
	// then gets no answer.
	Delay time.Duration

	// Down makes token and userinfo answer 503 with an HTML page, like an
	// outage page in front of the service.
	Down bool

	// TokenHTML makes the token endpoint answer 200 with an HTML page.
	TokenHTML bool

	// TokenNoAccessToken makes the token endpoint answer 200 with JSON that
	// lacks access_token and refresh_token.
	TokenNoAccessToken bool

	// UserinfoNoEmail leaves user.email out of an otherwise normal userinfo
	// answer.
	UserinfoNoEmail bool

	// UserinfoHTML makes userinfo answer 200 with an HTML page.
	UserinfoHTML bool
}

// SetFaults replaces the faults in force. It is safe for concurrent use and
// takes effect from the next request.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// CurrentFaults returns the faults in force. It is safe for concurrent use.
func (s *Server) CurrentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// faultsJSON is the wire form of Faults at /_fake/faults.
type faultsJSON struct {
	Delay              string `json:"delay,omitempty"`
	Down               bool   `json:"down"`
	TokenHTML          bool   `json:"token_html"`
	TokenNoAccessToken bool   `json:"token_no_access_token"`
	UserinfoNoEmail    bool   `json:"userinfo_no_email"`
	UserinfoHTML       bool   `json:"userinfo_html"`
}

// MarshalJSON encodes f as /_fake/faults takes it: snake_case keys, and the
// delay as a Go duration string ("11s"), left out when zero.
func (f Faults) MarshalJSON() ([]byte, error) {
	w := faultsJSON{
		Down: f.Down, TokenHTML: f.TokenHTML, TokenNoAccessToken: f.TokenNoAccessToken,
		UserinfoNoEmail: f.UserinfoNoEmail, UserinfoHTML: f.UserinfoHTML,
	}
	if f.Delay != 0 {
		w.Delay = f.Delay.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the form MarshalJSON writes. Absent keys mean no
// fault; unknown keys, a negative delay and trailing data are errors, so a
// typo in a test can't silently inject nothing.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var w faultsJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("decoding faults: %v", err)
	}
	if dec.More() {
		return errors.New("decoding faults: trailing data after the object")
	}
	var delay time.Duration
	if w.Delay != "" {
		d, err := time.ParseDuration(w.Delay)
		if err != nil || d < 0 {
			return fmt.Errorf("decoding faults: delay %q is not a duration of zero or more", w.Delay)
		}
		delay = d
	}
	*f = Faults{
		Delay: delay, Down: w.Down, TokenHTML: w.TokenHTML, TokenNoAccessToken: w.TokenNoAccessToken,
		UserinfoNoEmail: w.UserinfoNoEmail, UserinfoHTML: w.UserinfoHTML,
	}
	return nil
}

// faultsControl serves /_fake/faults, a test aid that is not part of
// Marketing Cloud: GET reports the faults in force, POST replaces them with
// the JSON body (see [Faults.UnmarshalJSON]); both answer with the faults now
// in force. POST {} clears them.
func (s *Server) faultsControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBody))
		var f Faults
		if err == nil {
			err = json.Unmarshal(body, &f)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.SetFaults(f)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, s.CurrentFaults())
}

// tokenFault applies the faults to a token request. It reports whether it
// answered (or gave up on a cancelled request), in which case the endpoint
// does nothing more.
func (s *Server) tokenFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.CurrentFaults()
	if !wait(r.Context(), f.Delay) {
		return true
	}
	switch {
	case f.Down:
		writeDown(w)
	case f.TokenHTML:
		writePage(w, http.StatusOK, "Marketing Cloud",
			"<p>We're sorry, something went wrong. Please sign in again.</p>")
	case f.TokenNoAccessToken:
		writeJSON(w, http.StatusOK, map[string]any{
			"expires_in": s.expiresIn(), "token_type": "Bearer", "scope": "",
			"rest_instance_url": s.instanceURL("rest"),
			"soap_instance_url": s.instanceURL("soap"),
		})
	default:
		return false
	}
	return true
}

// userinfoFault is tokenFault for userinfo.
func (s *Server) userinfoFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.CurrentFaults()
	if !wait(r.Context(), f.Delay) {
		return true
	}
	switch {
	case f.Down:
		writeDown(w)
	case f.UserinfoHTML:
		writePage(w, http.StatusOK, "Marketing Cloud", "<p>Please sign in to continue.</p>")
	default:
		return false
	}
	return true
}

// editUserinfo applies the faults that alter a normal userinfo answer.
func (s *Server) editUserinfo(a *userinfoAnswer) {
	if s.CurrentFaults().UserinfoNoEmail {
		a.User.Email = ""
	}
}

// writeDown answers like an outage page in front of the service.
func writeDown(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "30")
	writePage(w, http.StatusServiceUnavailable, "Service Unavailable",
		"<p>The server is temporarily unable to service your request.</p>")
}

// wait sleeps for d and reports false if ctx ended first.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
