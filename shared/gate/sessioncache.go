package gate

import (
	"sync"

	"github.com/cloudpage-gate/gate/shared/session"
)

// sessionCacheSize bounds the sessions kept opened, per gate. A browser
// sends the same cookie with every request of a page (images, scripts),
// and opening it means base64, AES-GCM and decoding each time.
const sessionCacheSize = 1024

// sessionCache maps a session cookie's exact value to what it opened to.
// An entry is only ever added after the value opened under the key ring,
// so a hit is as authentic as a fresh open; lifetimes are still checked on
// every use. The cached sessions are shared and must not be modified.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]*session.Session
}

func (c *sessionCache) get(v string) *session.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[v]
}

func (c *sessionCache) put(v string, s *session.Session) {
	c.mu.Lock()
	defer c.mu.Unlock()

	// Starting over when full is cruder than LRU but cannot grow, and a
	// miss costs only one open.
	if c.m == nil || len(c.m) >= sessionCacheSize {
		c.m = make(map[string]*session.Session, 64)
	}
	c.m[v] = s
}
