package wire

import "net/url"

// parseURL parses the absolute URL of a request into u. The Workers
// runtime hands over URLs it has already normalized (the WHATWG URL
// standard: scheme and host in lowercase, the path escaped), so nearly
// every one has the plain form http[s]://host[:port]/path[?query] with
// nothing to unescape. Those are split here, to the very url.URL that
// url.Parse would return, which spares its checks and an allocation on
// every request; any other URL goes to url.Parse. FuzzParseURL holds the
// two to the same answer.
func parseURL(raw string, u *url.URL) error {
	scheme, rest := "", ""
	switch {
	case len(raw) > 8 && raw[:8] == "https://":
		scheme, rest = "https", raw[8:]
	case len(raw) > 7 && raw[:7] == "http://":
		scheme, rest = "http", raw[7:]
	default:
		return netParse(raw, u)
	}

	slash := plainHost(rest)
	if slash <= 0 || slash == len(rest) || rest[slash] != '/' {
		return netParse(raw, u)
	}
	host, rest := rest[:slash], rest[slash:]

	q := plainPath(rest)
	path, query := rest[:q], ""
	if q < len(rest) {
		query = rest[q+1:]
		if rest[q] != '?' || query == "" || !plainQuery(query) {
			return netParse(raw, u)
		}
	}
	*u = url.URL{Scheme: scheme, Host: host, Path: path, RawQuery: query}
	return nil
}

// netParse is url.Parse, into u.
func netParse(raw string, u *url.URL) error {
	parsed, err := url.Parse(raw)
	if err != nil {
		return err
	}
	*u = *parsed
	return nil
}

// plainHost returns the length of the host at the start of s: a name of
// lowercase letters, digits, dots and hyphens, and an optional port. It
// returns -1 if what ends the host is not "/", "?" or the end of s.
func plainHost(s string) int {
	i := 0
	for i < len(s) && (isLowerAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == ':' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(s) && s[i] != '/' && s[i] != '?' {
		return -1
	}
	return i
}

// plainPath returns the length of the path at the start of s, up to the
// first byte that url.Parse would treat otherwise than as itself: "%" (an
// escape), a character that net/url escapes in a path, and "?" or "#".
func plainPath(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLowerAlnum(c) || c >= 'A' && c <= 'Z' {
			continue
		}
		switch c {
		case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
			continue
		}
		return i
	}
	return len(s)
}

// plainQuery reports whether a query holds no byte that url.Parse treats
// specially there: control characters, which it refuses, and "#".
func plainQuery(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f || c == '#' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
