//go:build js && wasm

package main

import (
	"net/http"
	"strconv"
	"time"
)

// deadlineHeader carries a call's remaining budget, in milliseconds, to the
// entry module's fetch wrapper, which removes it and aborts the fetch when
// the budget runs out.
const deadlineHeader = "X-Gate-Deadline-Ms"

// deadlineTransport makes the fetch client honour the request context: it
// hands the deadline to JavaScript, and stops waiting when the context
// ends even if the fetch has not.
type deadlineTransport struct {
	base http.RoundTripper
}

func (t deadlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if dl, ok := ctx.Deadline(); ok {
		req = req.Clone(ctx)
		ms := time.Until(dl).Milliseconds()
		req.Header.Set(deadlineHeader, strconv.FormatInt(max(ms, 1), 10))
	}

	type result struct {
		res *http.Response
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := t.base.RoundTrip(req)
		done <- result{res, err}
	}()

	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
