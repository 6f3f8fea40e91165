// Package jsonw writes JSON by hand for the few fixed shapes the gate
// emits: log lines, the token request and small answers. It exists because
// encoding/json's reflection costs the Worker bundle size and each request
// time, while these shapes never change.
package jsonw

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s to b as a JSON string, quotes included. Invalid
// UTF-8 becomes U+FFFD, and "<", ">" and "&" are escaped so the output is
// also safe inside HTML. Every control character, DEL and the C1 range
// included, is escaped too, so a log line read in a terminal cannot carry
// an escape sequence; JSON itself requires only those below U+0020.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscape(b, c)
			i++
			start = i
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r < 0xa0 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch {
			case size == 1:
				b = append(b, `\ufffd`...)
			case r < 0xa0:
				b = appendEscape(b, byte(r))
			default:
				b = append(b, `\u202`...)
				b = append(b, hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}

// Object builds one JSON object. The zero value is ready to use; Bytes
// returns the finished object.
type Object struct {
	b []byte
}

// String adds a string member.
func (o *Object) String(key, value string) *Object {
	o.key(key)
	o.b = AppendString(o.b, value)
	return o
}

// Int adds an integer member.
func (o *Object) Int(key string, v int64) *Object {
	o.key(key)
	o.b = strconv.AppendInt(o.b, v, 10)
	return o
}

// Bool adds a boolean member.
func (o *Object) Bool(key string, v bool) *Object {
	o.key(key)
	if v {
		o.b = append(o.b, "true"...)
	} else {
		o.b = append(o.b, "false"...)
	}
	return o
}

// Raw adds a member whose value is already JSON. The caller vouches for it.
func (o *Object) Raw(key string, json []byte) *Object {
	o.key(key)
	o.b = append(o.b, json...)
	return o
}

// Bytes closes the object and returns it. The Object must not be used
// afterwards.
func (o *Object) Bytes() []byte {
	if len(o.b) == 0 {
		return []byte("{}")
	}
	return append(o.b, '}')
}

func (o *Object) key(k string) {
	if len(o.b) == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.b = AppendString(o.b, k)
	o.b = append(o.b, ':')
}
