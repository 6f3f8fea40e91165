package mcfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// An administrator licenses an installed package to users on its Access
// tab, and can withdraw a licence at any time. The fake starts from each
// User's Licensed field and lets a test change it while it runs.
//
// A withdrawn licence shows at the next /v2/authorize, which sends the user
// back with error=user_not_licensed, even while they stay signed in to the
// fake. Tokens already issued keep working: what Marketing Cloud does with
// them is undocumented, and it says changes to a package take up to five
// minutes to apply.

// SetLicensed grants (true) or withdraws (false) the package licence of the
// user with this sub, from the next authorize request on. It is safe for
// concurrent use.
func (s *Server) SetLicensed(sub string, licensed bool) error {
	s.setup()
	if _, ok := s.user(sub); !ok {
		return fmt.Errorf("setting licence: no user with sub %q", sub)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.licensed[sub] = licensed
	return nil
}

// Licences returns whether each user holds the package licence, by sub. It
// is safe for concurrent use.
func (s *Server) Licences() map[string]bool {
	s.setup()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.licensed))
	for sub, ok := range s.licensed {
		out[sub] = ok
	}
	return out
}

// licenceChange is the body of POST /_fake/licence.
type licenceChange struct {
	Sub      string `json:"sub"`
	Licensed *bool  `json:"licensed"`
}

// parseLicenceChange decodes a POST /_fake/licence body. Both keys are
// required; unknown keys and trailing data are errors, so that a typo in a
// test can't silently change nothing.
func parseLicenceChange(b []byte) (licenceChange, error) {
	var c licenceChange
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return licenceChange{}, fmt.Errorf("decoding licence change: %v", err)
	}
	if dec.More() {
		return licenceChange{}, errors.New("decoding licence change: trailing data after the object")
	}
	if c.Sub == "" || c.Licensed == nil {
		return licenceChange{}, errors.New(`decoding licence change: "sub" and "licensed" are required`)
	}
	return c, nil
}

// licenceControl serves /_fake/licence, a test aid that is not part of
// Marketing Cloud: GET reports every user's licence as {"sub": bool, …};
// POST {"sub": "71000001", "licensed": false} sets one user's, see
// [Server.SetLicensed]. Both answer with the licences now in force.
func (s *Server) licenceControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBody))
		var c licenceChange
		if err == nil {
			c, err = parseLicenceChange(body)
		}
		if err == nil {
			err = s.SetLicensed(c.Sub, *c.Licensed)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, s.Licences())
}
