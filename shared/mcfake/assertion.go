package mcfake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AssertionMaxAge is how far from its own clock, in seconds either way,
// the fake CloudPage accepts an assertion's time, as the snippet in
// docs/cloudpage-check.html does: enough for clock skew between Cloudflare
// and Salesforce and for the request's way between them, and no more.
const AssertionMaxAge = 60

// verify checks the gate's assertion on r step by step as the CloudPage
// snippet of docs/cloudpage-check.md does, and returns why it fails, or ""
// when it holds. It is written from the documented construction, not from
// the gate's code, so that a test of one against the other means something.
//
// Unlike the snippet, it also remembers the nonces it accepted and
// refuses one it has seen, as a page that records them would.
func (c *CloudPage) verify(r *http.Request) string {
	sig := r.Header.Get("X-MC-Gate-Signature")
	ts := r.Header.Get("X-MC-Gate-Time")
	nonce := r.Header.Get("X-MC-Gate-Nonce")
	if sig == "" || ts == "" || nonce == "" {
		return "no assertion"
	}

	t, err := strconv.ParseInt(ts, 10, 64)
	now := c.now().Unix()
	if err != nil || t < now-AssertionMaxAge || t > now+AssertionMaxAge {
		return "assertion expired"
	}

	// The page takes the method, host, path and query from the request it
	// received, never from a header, so an assertion made for one request
	// cannot open another page, host or query, nor be posted.
	host := strings.ToLower(r.Host)
	host = strings.TrimSuffix(host, ":443")
	lines := []string{"cpg2", ts, nonce, r.Method, host, r.URL.EscapedPath(), r.URL.RawQuery,
		r.Header.Get("X-MC-User-Email"), r.Header.Get("X-MC-User-Name"),
		r.Header.Get("X-MC-User-Id"), r.Header.Get("X-MC-MID"), r.Header.Get("X-MC-EID"),
		r.Header.Get("X-MC-Access-Token")}
	secret := string(c.OriginSecret)
	sum := sha256.Sum256([]byte(secret + "\n" + strings.Join(lines, "\n") + "\n" + secret))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(sig)) != 1 {
		return "bad signature"
	}

	if !c.remember(nonce, now) {
		return "assertion replayed"
	}
	return ""
}

// remember records a nonce and reports whether it was new. A nonce is kept
// while an assertion carrying it could still be on time: its time is at
// most AssertionMaxAge ahead of the moment it was accepted, and it is on
// time until AssertionMaxAge after that.
func (c *CloudPage) remember(nonce string, now int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = make(map[string]int64)
	}
	for n, t := range c.seen {
		if t < now-2*AssertionMaxAge {
			delete(c.seen, n)
		}
	}
	if _, ok := c.seen[nonce]; ok {
		return false
	}
	c.seen[nonce] = now
	return true
}

func (c *CloudPage) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
