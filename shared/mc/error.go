package mc

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
)

// Kind says what went wrong in a call to Marketing Cloud, which is what a
// caller decides on.
type Kind int

const (
	// Unreachable: no answer, a broken connection, or the deadline passed.
	Unreachable Kind = iota + 1

	// Rejected: Marketing Cloud answered with an OAuth error, such as
	// invalid_grant for a used or expired code or invalid_client for a wrong
	// client id or secret. Error.Code holds it.
	Rejected

	// Malformed: an answer that is not what the protocol promises: HTML, a
	// status the endpoint does not use, JSON without the fields required.
	Malformed
)

func (k Kind) String() string {
	switch k {
	case Unreachable:
		return "unreachable"
	case Rejected:
		return "rejected"
	case Malformed:
		return "malformed"
	}
	return "unknown"
}

// Error is a failed call. It never holds a secret, code or token: only what
// Marketing Cloud said in its error fields, cleaned for logging, with
// anything the request carried cut out in case the server repeated it.
type Error struct {
	Op     string // what the client was doing, such as "exchanging code"
	Kind   Kind
	Status int    // HTTP status of the answer; 0 when there was none
	Code   string // the OAuth "error" field, when Marketing Cloud sent one
	Desc   string // its "error_description" or "message"
	Err    error  // the cause, when the client found it
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Kind.String())
	if e.Status != 0 {
		b.WriteString(", status ")
		b.WriteString(strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		b.WriteString(", error ")
		b.WriteString(e.Code)
	}
	if e.Desc != "" {
		b.WriteString(": ")
		b.WriteString(e.Desc)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Timeout reports whether the call ended because its context's deadline
// passed: Marketing Cloud was too slow, rather than unreachable.
func (e *Error) Timeout() bool {
	for err := e.Err; err != nil; err = errors.Unwrap(err) {
		if err == context.DeadlineExceeded {
			return true
		}
	}
	return false
}

// Unwrap returns the cause, so that callers can test for
// context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.Err }

// rejected reads an answer other than 200 into an Error. An OAuth error
// (RFC 6749 §5.2, RFC 6750 §3.1) on a 4xx or 5xx status is Rejected, with
// its code. Marketing Cloud's REST error shape, {"errorcode":0,"message":
// "Not Authorized"}, carries no code a caller could act on, so it is
// Malformed, and its message is kept for the log. Anything else is
// Malformed too, and so is an OAuth error on a status below 400: a redirect
// is not a verdict on the code, whatever its body says.
//
// hide lists what the request carried that must not be logged; it is cut
// out of the text before that is shortened, so no part of it is left.
func rejected(op string, status int, body []byte, hide []string) *Error {
	e := &Error{Op: op, Kind: Malformed, Status: status}
	if !gjson.ValidBytes(body) {
		e.Desc = "answer is not JSON"
		return e
	}

	res := gjson.GetManyBytes(body, "error", "error_description", "message")
	if res[0].Type != gjson.String || res[0].Str == "" {
		e.Desc = Clean(redact(res[2].Str, hide), 200)
		return e
	}
	if status >= 400 {
		e.Kind = Rejected
	}
	e.Code = Clean(redact(res[0].Str, hide), 64)
	e.Desc = Clean(redact(res[1].Str, hide), 200)
	return e
}

// redact replaces each value of hide in s, as it is and as Go's %q would
// write it: the transport quotes a broken status line in its error.
func redact(s string, hide []string) string {
	for _, h := range hide {
		if h == "" {
			continue
		}
		s = strings.ReplaceAll(s, h, "[redacted]")
		if q := strconv.Quote(h); q[1:len(q)-1] != h {
			s = strings.ReplaceAll(s, q[1:len(q)-1], "[redacted]")
		}
	}
	return s
}

// scrub returns err, or if its text holds a value of hide, an error with
// that text redacted and the same chain below it, so that errors.Is still
// finds a deadline.
func scrub(err error, hide []string) error {
	msg := err.Error()
	if clean := redact(msg, hide); clean != msg {
		return &scrubbed{msg: clean, err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// Clean makes text from an answer fit for a log line or a page: control
// characters (C0, DEL and C1) and the Unicode line and paragraph separators
// become spaces, invalid UTF-8 becomes U+FFFD, and text longer than limit
// bytes is cut on a rune boundary and marked with "…", all within limit
// bytes. A limit below 3 leaves no room for the mark; below 1, nothing is
// kept.
func Clean(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if unfit(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= limit {
		return s
	}

	const mark = "…"
	cut, tail := limit-len(mark), mark
	if cut < 0 {
		cut, tail = max(limit, 0), ""
	}
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + tail
}

// unfit reports whether r must not reach a log line or a header: a control
// character, or U+2028 or U+2029, which JavaScript and some log viewers
// read as line breaks.
func unfit(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
