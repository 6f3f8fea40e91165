//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"runtime/debug"
	"strings"
	"syscall/js"

	"github.com/cloudpage-gate/gate/shared/gate"
)

// The entry module and this program exchange requests and decisions as a
// few strings rather than object graphs: every property read across the
// JS/Go boundary costs a call, and a header list becomes one string of
// "name\nvalue\n" pairs (neither may hold a line break).

// decide is called as decide(method, url, headers) and returns a decision
// object, or a Promise of one for requests that wait on Marketing Cloud.
func decide(_ js.Value, args []js.Value) any {
	r, err := toRequest(args)
	if err != nil {
		return toJS(&gate.Decision{Status: http.StatusBadRequest, Body: "bad request\n"})
	}

	gt := theGate()
	if !gt.Blocking(r) {
		return toJS(handle(gt, r))
	}
	return promise(func() js.Value { return toJS(handle(gt, r)) })
}

// originFailed is called as originFailed(method, url, headers, cause) after
// a forward failed, and returns the decision to answer with instead.
func originFailed(_ js.Value, args []js.Value) any {
	r, err := toRequest(args)
	if err != nil {
		return toJS(&gate.Decision{Status: http.StatusBadGateway, Body: "bad gateway\n"})
	}
	return toJS(theGate().OriginFailed(r, args[3].String()))
}

// hook, when set, runs before the gate on every request and may answer in
// its place. Only the test build sets it (hooks.go), to make the program
// panic or exit on demand.
var hook func(r *http.Request) *gate.Decision

// handle runs the gate, turning a panic into a 500 for this request alone.
func handle(gt *gate.Gate, r *http.Request) (d *gate.Decision) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Printf("{\"level\":\"error\",\"event\":\"panic\",\"detail\":%q}\n",
				fmt.Sprint(v)+"\n"+string(debug.Stack()))
			d = &gate.Decision{
				Status: http.StatusInternalServerError,
				Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
				Body:   "The sign-in gate failed while handling this request.\n",
			}
		}
	}()
	if hook != nil {
		if d := hook(r); d != nil {
			return d
		}
	}
	return gt.Handle(context.Background(), r)
}

func toRequest(args []js.Value) (*http.Request, error) {
	if len(args) < 3 {
		return nil, fmt.Errorf("decide: want 3 arguments, got %d", len(args))
	}

	u, err := url.Parse(args[1].String())
	if err != nil {
		return nil, err
	}

	blob := args[2].String()
	h := make(http.Header, strings.Count(blob, "\n")/2)
	for len(blob) > 0 {
		var k, v string
		k, blob, _ = strings.Cut(blob, "\n")
		v, blob, _ = strings.Cut(blob, "\n")
		ck := textproto.CanonicalMIMEHeaderKey(k)
		h[ck] = append(h[ck], v)
	}
	return &http.Request{Method: args[0].String(), URL: u, Header: h, Host: u.Host}, nil
}

// toJS encodes a decision as {s, h, b} for an answer, or {u, h, r} for a
// forward: the URL, the request header and the headers to add to the
// origin's answer.
func toJS(d *gate.Decision) js.Value {
	o := js.Global().Get("Object").New()
	if f := d.Forward; f != nil {
		o.Set("u", f.URL)
		o.Set("h", headerBlob(f.Header))
		if len(f.ResponseHeader) > 0 {
			o.Set("r", headerBlob(f.ResponseHeader))
		}
		return o
	}
	o.Set("s", d.Status)
	o.Set("h", headerBlob(d.Header))
	o.Set("b", d.Body)
	return o
}

func headerBlob(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k)
			b.WriteByte('\n')
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// promise runs fn on a goroutine of its own, so it may wait on JavaScript
// (a js.Func must not block the event loop), and settles a Promise with its
// result. A panic in fn was already turned into a decision by handle.
func promise(fn func() js.Value) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, p []js.Value) any {
		executor.Release()
		resolve := p[0]
		go func() { resolve.Invoke(fn()) }()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}
