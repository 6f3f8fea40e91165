//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"syscall/js"
	"unsafe"

	"github.com/cloudpage-gate/gate/shared/gate"
	"github.com/cloudpage-gate/gate/shared/wire"
)

// The entry module hands requests over in the format of package wire. Most
// requests take the direct path: the entry writes the request into this
// program's memory and calls the exported gate_decide, which answers in
// the same memory. A js.FuncOf call costs about 25 µs of scheduling in
// the Go runtime; an exported function, about one. A request that must
// wait on Marketing Cloud (the callback) is sent back to the entry, which
// then calls decideAsync and gets a Promise.

var in, out []byte

// gateInput returns where the entry may write a request of up to n bytes.
// The buffer stays valid until the next call.
//
//go:wasmexport gate_input
func gateInput(n int32) unsafe.Pointer {
	if int(n) > cap(in) {
		in = make([]byte, n)
	}
	return unsafe.Pointer(unsafe.SliceData(in[:cap(in)]))
}

// gateDecide decides the n-byte request in the input buffer and returns the
// length of the decision in the output buffer, or -1 when the request must
// wait on Marketing Cloud and goes through decideAsync instead.
//
//go:wasmexport gate_decide
func gateDecide(n int32) int32 {
	r, err := wire.ParseRequest(string(in[:n]))
	if err != nil {
		return encode(badRequest())
	}

	gt := theGate()
	if gt.Blocking(r) {
		return -1
	}
	return encode(handle(gt, r))
}

// gateOutput returns where the last decision was written.
//
//go:wasmexport gate_output
func gateOutput() unsafe.Pointer {
	return unsafe.Pointer(unsafe.SliceData(out))
}

func encode(d *gate.Decision) int32 {
	out = wire.AppendDecision(out[:0], d)
	return int32(len(out))
}

// decideAsync is called as decideAsync(request) and returns a Promise of the
// encoded decision, decided on a goroutine of its own so that it may wait on
// JavaScript (a js.Func must not block the event loop).
func decideAsync(_ js.Value, args []js.Value) any {
	input := args[0].String()
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, p []js.Value) any {
		executor.Release()
		resolve := p[0]
		go func() {
			d := badRequest()
			if r, err := wire.ParseRequest(input); err == nil {
				d = handle(theGate(), r)
			}
			resolve.Invoke(string(wire.AppendDecision(nil, d)))
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// originFailed is called as originFailed(request, cause) after a forward
// failed, and returns the encoded decision to answer with instead.
func originFailed(_ js.Value, args []js.Value) any {
	d := badRequest()
	if r, err := wire.ParseRequest(args[0].String()); err == nil {
		d = theGate().OriginFailed(r, args[1].String())
	}
	return string(wire.AppendDecision(nil, d))
}

// hook, when set, runs before the gate on every request and may answer in
// its place. Only the test build sets it (hooks.go), to make the program
// panic or exit on demand.
var hook func(r *http.Request) *gate.Decision

// handle runs the gate, turning a panic into a 500 for this request alone.
func handle(gt *gate.Gate, r *http.Request) (d *gate.Decision) {
	defer func() {
		if v := recover(); v != nil {
			d = panicked(gt, r, fmt.Sprint(v)+"\n"+string(debug.Stack()))
		}
	}()

	if hook != nil {
		if d := hook(r); d != nil {
			return d
		}
	}
	return gt.Handle(context.Background(), r)
}

// panicked is the gate's page for a request that panicked, with its
// request id, or plain text should the page itself fail.
func panicked(gt *gate.Gate, r *http.Request, detail string) (d *gate.Decision) {
	defer func() {
		if recover() != nil {
			logEvent(&gate.Event{Time: now(), Level: "error", Name: gate.EventPanic, Detail: detail})
			d = plain(http.StatusInternalServerError, "The sign-in gate failed while handling this request. Try again.\n")
		}
	}()
	return gt.Panicked(r, detail)
}

func badRequest() *gate.Decision {
	return plain(http.StatusBadRequest, "The sign-in gate could not read this request.\n")
}

func plain(status int, body string) *gate.Decision {
	return &gate.Decision{
		Status: status,
		Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "Cache-Control": {"no-store"}},
		Body:   body,
	}
}
