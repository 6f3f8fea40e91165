package mc

import (
	"strconv"
	"strings"

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
// Marketing Cloud said in its error fields, cleaned for logging.
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

// Unwrap returns the cause, so that callers can test for
// context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.Err }

// rejected reads an OAuth error answer (RFC 6749 §5.2), or Marketing
// Cloud's REST error shape, into an Error. Anything else is Malformed.
func rejected(op string, status int, body []byte) *Error {
	if !gjson.ValidBytes(body) {
		return &Error{Op: op, Kind: Malformed, Status: status, Desc: "answer is not JSON"}
	}

	code := gjson.GetBytes(body, "error")
	if code.Type != gjson.String || code.Str == "" {
		msg := gjson.GetBytes(body, "message")
		return &Error{Op: op, Kind: Malformed, Status: status, Desc: Clean(msg.Str, 200)}
	}
	desc := gjson.GetBytes(body, "error_description")
	return &Error{Op: op, Kind: Rejected, Status: status, Code: Clean(code.Str, 64), Desc: Clean(desc.Str, 200)}
}

// Clean makes text from an answer fit for a log line or a page: control
// characters become spaces and it is cut to at most max bytes on a rune
// boundary.
func Clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
