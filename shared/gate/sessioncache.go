package gate

import (
	"strings"
	"sync"

	"github.com/cloudpage-gate/gate/shared/session"
)

// sessionCacheSize bounds the sessions kept opened, per gate. A browser
// sends the same cookie with every request of a page (images, scripts),
// and opening it means base64, AES-GCM and decoding each time.
const sessionCacheSize = 1024

// sessionCache maps a session cookie's exact value to what it opened to,
// and to the identity fields it forwards. An entry is only ever added
// after the value opened under the key ring, so a hit is as authentic as a
// fresh open; lifetimes are still checked on every use. The cached
// sessions and fields are shared and must not be modified.
//
// Entries are found by the value's last characters, its GCM tag, and then
// compared whole: hashing the whole value on every request cost more than
// the lookup saved, in Wasm, where Go hashes strings without AES help.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	value string
	*opened
}

// opened is a session that opened, with what it forwards (identityFields)
// and whether the allow-lists let its user in. Both are worked out once per
// cookie value, since the configuration is fixed for the gate's lifetime.
type opened struct {
	s       *session.Session
	ident   []Field
	allowed bool
}

// cacheKeyLen is the length of the key taken from the end of a sealed
// value: 22 base64 characters are 16 bytes of authentication tag.
const cacheKeyLen = 22

func cacheKey(v string) string {
	if len(v) < cacheKeyLen {
		return v
	}
	return v[len(v)-cacheKeyLen:]
}

func (c *sessionCache) get(v string) *opened {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[cacheKey(v)]; ok && e.value == v {
		return e.opened
	}
	return nil
}

func (c *sessionCache) put(v string, o *opened) {
	c.mu.Lock()
	defer c.mu.Unlock()

	// Starting over when full is cruder than LRU but cannot grow, and a
	// miss costs only one open.
	if c.m == nil || len(c.m) >= sessionCacheSize {
		c.m = make(map[string]cachedSession, 64)
	}

	// v is cut from the request's Cookie header, and so from the whole
	// request text: kept as it is, it would keep up to 160 KiB alive per
	// entry, and a thousand padded requests would fill the isolate.
	v = strings.Clone(v)
	c.m[cacheKey(v)] = cachedSession{value: v, opened: o}
}
