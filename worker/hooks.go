//go:build js && wasm && gatehooks

package main

import (
	"crypto/rand"
	"net/http"
	"os"

	"github.com/cloudpage-gate/gate/shared/gate"
)

// Hooks for the end-to-end tests of the runtime, compiled only with
// -tags gatehooks (make's wasm/build/hooks/gate.wasm). The Worker that is
// deployed has none of them.
func init() {
	instanceID := rand.Text()
	hook = func(r *http.Request) *gate.Decision {
		switch r.URL.Path {
		case "/_hook/panic":
			panic("test hook: panic in a request")
		case "/_hook/exit":
			os.Exit(3)
		case "/_hook/instance":
			// Tells the tests which Go instance answered.
			return &gate.Decision{Status: http.StatusOK, Body: instanceID}
		}
		return nil
	}
}
