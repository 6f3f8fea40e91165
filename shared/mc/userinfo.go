package mc

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// User is who Marketing Cloud says the token belongs to, read from
// /v2/userinfo ("GET /v2/userinfo" in the API reference).
type User struct {
	ID    string // user.sub: the employee id
	Email string // user.email
	Name  string // user.name: the username; empty if absent or unprintable
	MID   int64  // organization.member_id: the business unit of the token
	EID   int64  // organization.enterprise_id
}

// Limits on the user fields the client accepts, in bytes.
const (
	MaxEmailLen = 254
	MaxNameLen  = 256
	MaxIDLen    = 128
)

// UserInfo asks who owns the access token.
func (c *Client) UserInfo(ctx context.Context, accessToken string) (*User, error) {
	const op = "reading userinfo"

	req, err := http.NewRequest(http.MethodGet, c.endpoint("/v2/userinfo"), nil)
	if err != nil {
		return nil, &Error{Op: op, Kind: Unreachable, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")

	hide := []string{accessToken}
	status, body, err := c.do(ctx, op, req, maxUserinfoAnswer, hide)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, rejected(op, status, body, hide)
	}
	return parseUser(body)
}

// parseUser reads the documented nested shape. It requires an employee id,
// an email address, a MID and an EID: the gate forwards all four and
// allow-lists match on them, so an answer without one cannot sign anybody
// in.
func parseUser(body []byte) (*User, error) {
	const op = "reading userinfo answer"
	fail := func(msg string) (*User, error) {
		return nil, &Error{Op: op, Kind: Malformed, Status: http.StatusOK, Err: errors.New(msg)}
	}
	if !gjson.ValidBytes(body) {
		return fail("answer is not JSON")
	}

	res := gjson.GetManyBytes(body, "user.sub", "user.email", "user.name",
		"organization.member_id", "organization.enterprise_id")
	u := &User{}
	var ok bool
	if u.ID, ok = idString(res[0]); !ok {
		return fail("no user.sub")
	}
	if u.Email, ok = email(res[1]); !ok {
		return fail("no valid user.email")
	}
	// The name is optional, so one that could not go into a header or a
	// log line as it is is dropped rather than refused.
	if res[2].Type == gjson.String && len(res[2].Str) <= MaxNameLen && isPrintable(res[2].Str) {
		u.Name = res[2].Str
	}
	if u.MID, ok = number(res[3]); !ok {
		return fail("no organization.member_id")
	}
	if u.EID, ok = number(res[4]); !ok {
		return fail("no organization.enterprise_id")
	}
	return u, nil
}

// idString accepts the documented string, and a number, which a client
// should not refuse over a type change that loses nothing.
func idString(r gjson.Result) (string, bool) {
	switch {
	case r.Type == gjson.String && r.Str != "" && len(r.Str) <= MaxIDLen && isPrintable(r.Str):
		return r.Str, true
	case r.Type == gjson.Number:
		if n, ok := number(r); ok {
			return strconv.FormatInt(n, 10), true
		}
	}
	return "", false
}

func email(r gjson.Result) (string, bool) {
	s := r.Str
	if r.Type != gjson.String || len(s) > MaxEmailLen || !isPrintable(s) || strings.ContainsAny(s, " ,;<>\"") {
		return "", false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 {
		return "", false
	}
	return s, true
}

// number accepts a positive whole JSON number, or a string of digits, as
// some older answers quote ids.
func number(r gjson.Result) (int64, bool) {
	switch r.Type {
	case gjson.Number:
		if r.Num < 1 || r.Num > math.MaxInt64/2 || r.Num != math.Trunc(r.Num) {
			return 0, false
		}
		n, err := strconv.ParseInt(r.Raw, 10, 64)
		return n, err == nil && n > 0
	case gjson.String:
		n, err := strconv.ParseInt(r.Str, 10, 64)
		return n, err == nil && n > 0 && len(r.Str) < 20 && r.Str[0] != '+' && r.Str[0] != '0'
	}
	return 0, false
}

// isPrintable reports whether s is valid UTF-8 that Clean would leave as
// it is. JSON must be UTF-8 (RFC 8259 §8.1), but gjson passes invalid bytes
// through.
func isPrintable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unfit)
}
