package gate

import (
	"context"
	"sync"
)

// flights are the sign-ins under way in one gate, by state. A browser that
// reloads the callback while the first request still waits on Marketing
// Cloud sends the same state, code and login cookie again, since the answer
// that clears the cookie has not arrived. The second request then waits for
// the first one's answer rather than send the code to the token endpoint a
// second time, which Marketing Cloud would refuse and which RFC 6749
// §4.1.2 lets a server punish by revoking the tokens already issued for
// it. Requests that reach another isolate are not seen here.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done chan struct{}
	d    *Decision // set before done is closed; nil if sign panicked
}

// do returns sign's decision, running sign unless a sign-in for key is
// under way, in which case it waits for that one's decision. It returns
// nil if ctx ends first, or if the sign-in it waited on panicked.
func (fs *flights) do(ctx context.Context, key string, sign func() *Decision) *Decision {
	fs.mu.Lock()
	if f, ok := fs.m[key]; ok {
		fs.mu.Unlock()
		select {
		case <-f.done:
			return f.d
		case <-ctx.Done():
			return nil
		}
	}
	f := &flight{done: make(chan struct{})}
	if fs.m == nil {
		fs.m = make(map[string]*flight)
	}
	fs.m[key] = f
	fs.mu.Unlock()

	defer func() {
		fs.mu.Lock()
		delete(fs.m, key)
		fs.mu.Unlock()
		close(f.done)
	}()
	f.d = sign()
	return f.d
}
