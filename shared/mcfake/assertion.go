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

// AssertionMaxAge is how old an assertion the fake CloudPage accepts, in
// seconds either way, as the snippet in docs/cloudpage-check.md does: it
// absorbs clock skew between Cloudflare and Salesforce and nothing more.
const AssertionMaxAge = 120

// verify checks the gate's assertion on r step by step as the CloudPage
// snippet of docs/cloudpage-check.md does, and returns why it fails, or ""
// when it holds. It is written from the documented construction, not from
// the gate's code, so that a test of one against the other means something.
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

	// The page takes host and path from the request it received, never from
	// a header, so an assertion made for one page cannot open another.
	host := strings.ToLower(r.Host)
	host = strings.TrimSuffix(host, ":443")
	lines := []string{"cpg1", ts, nonce, host, r.URL.EscapedPath(),
		r.Header.Get("X-MC-User-Email"), r.Header.Get("X-MC-User-Id"),
		r.Header.Get("X-MC-MID"), r.Header.Get("X-MC-EID")}
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

// remember records a nonce and reports whether it was new. Nonces older
// than the window are forgotten: their assertions are refused as expired.
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
