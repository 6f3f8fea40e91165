package config

import (
	"net/url"
	"strconv"
	"strings"
)

// GatePrefix is the path under which the gate serves its own endpoints. It
// can never be public.
const GatePrefix = "/_gate/"

// PublicPaths lists path prefixes served without a session. A prefix that
// ends in "/" covers everything below it; one that does not covers that
// exact path and everything below it, so "/assets" covers "/assets" and
// "/assets/app.css" but not "/assets-private". The zero value makes nothing
// public.
type PublicPaths []string

// Match reports whether the escaped request path rawPath is public. Only a
// path in canonical form can match: one with dot segments, doubled,
// encoded or back slashes, or needless percent-escapes is never public,
// because an origin might read it as a different, protected path. For the
// same reason a segment holding "..", an escaped "%" or a control character
// never matches, and matching is case-sensitive.
func (pp PublicPaths) Match(rawPath string) bool {
	if len(pp) == 0 || !pp.mayCover(rawPath) || !isCleanPath(rawPath) {
		return false
	}

	path, err := url.PathUnescape(rawPath)
	if err != nil {
		return false
	}
	for _, p := range pp {
		if covers(p, path) {
			return true
		}
	}
	return false
}

// mayCover is a cheap first look, for the requests of every protected
// page: a path without escapes is its own decoded form, so unless some
// prefix covers it as it stands, no prefix covers it at all.
func (pp PublicPaths) mayCover(rawPath string) bool {
	if strings.IndexByte(rawPath, '%') >= 0 {
		return true
	}
	for _, p := range pp {
		if covers(p, rawPath) {
			return true
		}
	}
	return false
}

func covers(prefix, path string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return strings.HasSuffix(prefix, "/") || len(path) == len(prefix) || path[len(prefix)] == '/'
}

// isCleanPath reports whether an escaped path is in canonical form: it
// starts with "/", has no empty segment but the last, no backslash, no ";"
// parameters, every segment is plain (see plainSegment), and escapes
// exactly what url.PathEscape would escape in each segment.
func isCleanPath(raw string) bool {
	if raw == "" || raw[0] != '/' || strings.ContainsAny(raw, "\\;") {
		return false
	}

	segs := strings.Split(raw[1:], "/")
	for i, seg := range segs {
		if seg == "" && i != len(segs)-1 {
			return false
		}

		dec, err := url.PathUnescape(seg)
		if err != nil || !plainSegment(dec) {
			return false
		}
		if url.PathEscape(dec) != seg && !sameEscaping(dec, seg) {
			return false
		}
	}
	return true
}

// plainSegment reports whether a decoded segment means the same to every
// server a request may pass through. Windows and IIS trim trailing dots and
// spaces, so a segment of "..." or ".. " can climb like ".."; any ".." is
// refused, which costs only file names nobody serves as assets. A "%" would
// become an escape for a server that decodes twice, and control characters
// are dropped or end the path in some servers.
func plainSegment(dec string) bool {
	if dec == "." || strings.Contains(dec, "..") || strings.ContainsAny(dec, "/\\%") {
		return false
	}
	for i := 0; i < len(dec); i++ {
		if dec[i] < ' ' || dec[i] == 0x7f {
			return false
		}
	}
	return true
}

// sameEscaping accepts the characters that url.PathEscape escapes but a
// browser leaves alone (such as "," and "|"), so ordinary paths stay clean.
func sameEscaping(dec, seg string) bool {
	var b strings.Builder
	for i := 0; i < len(dec); i++ {
		c := dec[i]
		if c > ' ' && c < 0x7f && c != '%' && c != '?' && c != '#' && c != '"' &&
			c != '<' && c != '>' && c != '`' && c != '{' && c != '}' {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String() == seg
}

func parsePublicPaths(ps *problems, raw string, callback *url.URL) PublicPaths {
	var pp PublicPaths
	for _, p := range splitList(raw) {
		switch {
		case !strings.HasPrefix(p, "/"):
			ps.add(VarPublicPaths, strconv.Quote(p)+" must start with /")
		case p == "/":
			ps.add(VarPublicPaths, `"/" would make every page public; remove PUBLIC_PATHS or name the asset folders`)
		case strings.ContainsAny(p, "%?#*"):
			ps.add(VarPublicPaths, strconv.Quote(p)+" must be a plain path prefix, without %-escapes, queries or wildcards")
		case !isCleanPath(p):
			ps.add(VarPublicPaths, strconv.Quote(p)+" must be a plain path without dot segments or doubled slashes")
		case covers(p, strings.TrimSuffix(GatePrefix, "/")) || strings.HasPrefix(p, GatePrefix):
			ps.add(VarPublicPaths, strconv.Quote(p)+" covers the gate's own "+GatePrefix+" endpoints")
		case callback != nil && covers(p, callback.Path):
			ps.add(VarPublicPaths, strconv.Quote(p)+" covers the callback path of MC_REDIRECT_URI")
		default:
			pp = append(pp, p)
		}
	}
	return pp
}

// splitList splits a variable on commas and white space.
func splitList(raw string) []string {
	return strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || isSpaceOrControl(r) })
}
