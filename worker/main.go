//go:build js && wasm

// Command worker is the gate's Go program for the Workers runtime. It only
// wires: the Worker's variables into a config, a fetch-backed HTTP client
// into the gate, and the gate's decisions out to the JavaScript entry in
// wasm/, which forwards requests and streams bodies.
//
// It does not use workers.Serve. Serve runs one Go instance per request
// and stops after the first response; starting the Go runtime costs about
// 7 ms of CPU each time (docs/performance.md). This program instead starts
// once per isolate, registers its handlers with the entry module, and
// stays up to decide request after request.
package main

import (
	"net/http"
	"sync"
	"syscall/js"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/gate"
)

//go:wasmimport workers ready
func ready()

// nowMillis is the entry module's Date.now(). time.Now costs two calls out
// to JavaScript (wall clock and monotonic clock) and the gate wants only
// the wall clock, to the millisecond: the Workers runtime advances its
// clock only between I/O, so finer readings carry nothing more.
//
//go:wasmimport workers now
func nowMillis() float64

func now() time.Time {
	return time.UnixMilli(int64(nowMillis()))
}

var (
	once sync.Once
	g    *gate.Gate
)

// theGate builds the gate on first use, from the variables of the Worker's
// env, which the entry module has put in the runtime context by then.
func theGate() *gate.Gate {
	once.Do(func() {
		opt := gate.Options{Transport: mcTransport(), Now: now, Rand: newBlockRand(), Log: logEvent}
		cfg, err := config.Parse(cloudflare.Getenv)
		if err != nil {
			g = gate.Misconfigured(err, opt)
			return
		}
		g = gate.New(cfg, opt)
	})
	return g
}

// logLine hands one JSON line to the entry module, which passes it to
// console.log: Workers Logs keeps a line of JSON as a structured record.
// Writing to os.Stdout would do the same by way of wasm_exec's file
// system shim, whose every write is an asynchronous call that resumes the
// Go scheduler; it measured a third of the cost of a redirect to sign in.
//
//go:wasmimport workers log
func logLine(line string)

func logEvent(e *gate.Event) {
	logLine(string(e.JSON()))
}

func main() {
	binding := js.Global().Get("context").Get("binding")
	binding.Set("decideAsync", js.FuncOf(decideAsync))
	binding.Set("originFailed", js.FuncOf(originFailed))
	ready()
	select {}
}

// mcTransport returns the transport to Marketing Cloud: fetch through the
// entry module's mcFetch, which enforces each call's deadline with an
// AbortSignal, so the budget holds even while Go's own timers wait on the
// event loop.
func mcTransport() http.RoundTripper {
	ns := js.Global().Get("context").Get("binding").Get("mcFetch")
	hc := fetch.NewClient(fetch.WithBinding(ns)).HTTPClient(fetch.RedirectModeManual)
	return deadlineTransport{hc.Transport}
}
