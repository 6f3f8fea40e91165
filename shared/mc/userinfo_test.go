package mc

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// documentedUserinfo is the example answer of "GET /v2/userinfo".
const documentedUserinfo = `{ "exp": 1527771992, "iss": "https://mc.exacttarget.com",
  "user": { "sub": "10654321", "name": "Auth_user_name", "preferred_username": "Auth_user_preferred_username",
            "email": "example@example.com", "locale": "en-GB", "zoneinfo": "Europe/London",
            "timezone": { "longName": "(GMT) Dublin, Edinburgh, Lisbon, London *", "shortName": "GMT+0", "offset": 0, "dst": true } },
  "organization": { "member_id": 10123456, "enterprise_id": 10123456, "enterprise_name": "Auth_enterprise_name",
            "account_type": "enterprise", "stack_key": "S1", "region": "NA1", "locale": "en-US", "zoneinfo": "America/Los_Angeles",
            "timezone": { "longName": "(GMT-08:00) Pacific Time (US & Canada) *", "shortName": "GMT-8", "offset": -8, "dst": true } },
  "rest": { "rest_instance_url": "https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com",
            "soap_instance_url": "https://mc563885gzs27c5t9-63k636ttgm.soap.marketingcloudapis.com" },
  "application": { "id": "1a23b4cd-5e66-789f-0g1h-2i3a6efb6d80", "name": "auth_application_name",
            "redirectUrl": ["https://example.example.com*", "https://example.com/oauth-authorize", "https://example.example.com/***********"],
            "appScopes": ["openid", "offline", "email_read", "email_send", "email_write"] },
  "permissions": [ { "objectTypeName": "Email", "operationName": "Update", "name": "Update", "id": 123 } ] }`

var documentedUser = User{ID: "10654321", Email: "example@example.com", Name: "Auth_user_name", MID: 10123456, EID: 10123456}

// userAnswer renders a userinfo answer in the documented nested shape from
// raw JSON values. An empty value leaves its member out.
func userAnswer(sub, email, name, mid, eid string) string {
	member := func(k, v string) string {
		if v == "" {
			return ""
		}
		return `"` + k + `":` + v + `,`
	}
	user := member("sub", sub) + member("email", email) + member("name", name) + `"locale":"en-GB"`
	org := member("member_id", mid) + member("enterprise_id", eid) + `"stack_key":"S1"`
	return `{"exp":1527771992,"user":{` + user + `},"organization":{` + org + `}}`
}

// okUser is userAnswer with documented values except where overridden.
func okUser(field, raw string) string {
	v := map[string]string{
		"sub": `"10654321"`, "email": `"example@example.com"`, "name": `"Auth_user_name"`,
		"mid": "10123456", "eid": "10123456",
	}
	v[field] = raw
	return userAnswer(v["sub"], v["email"], v["name"], v["mid"], v["eid"])
}

func TestUserInfoRequest(t *testing.T) {
	type request struct {
		Method, Path, RawQuery, Auth, Accept string
		BodyLen                              int
	}
	var got request
	c := fakeMC(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Accept"), len(body)}
		jsonAnswer(http.StatusOK, documentedUserinfo)(w, r)
	})

	u, err := c.UserInfo(context.Background(), realToken)
	if err != nil {
		t.Fatalf("UserInfo = %v", err)
	}
	want := request{Method: "GET", Path: "/v2/userinfo", Auth: "Bearer " + realToken, Accept: "application/json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("userinfo request (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(documentedUser, *u); diff != "" {
		t.Errorf("UserInfo user (-want +got):\n%s", diff)
	}
}

func TestUserInfoSuccess(t *testing.T) {
	maxEmail := strings.Repeat("a", MaxEmailLen-len("@example.com")) + "@example.com"
	maxID := strings.Repeat("7", MaxIDLen)
	maxName := strings.Repeat("n", MaxNameLen)
	tests := []struct {
		name string
		body string
		want User
	}{
		{"documented example", documentedUserinfo, documentedUser},
		{"numeric sub", okUser("sub", "10654321"), documentedUser},
		{"no name", okUser("name", ""), User{ID: "10654321", Email: "example@example.com", MID: 10123456, EID: 10123456}},
		{"name null", okUser("name", "null"), User{ID: "10654321", Email: "example@example.com", MID: 10123456, EID: 10123456}},
		{"name a number", okUser("name", "42"), User{ID: "10654321", Email: "example@example.com", MID: 10123456, EID: 10123456}},
		{"name too long is dropped", okUser("name", `"`+maxName+`n"`), User{ID: "10654321", Email: "example@example.com", MID: 10123456, EID: 10123456}},
		{"name with a line break is dropped", okUser("name", `"Ada\r\nX-Mc-User-Email: root@example.com"`), User{ID: "10654321", Email: "example@example.com", MID: 10123456, EID: 10123456}},
		{"name with NEL is dropped", okUser("name", `"Ada\u0085Lovelace"`), User{ID: "10654321", Email: "example@example.com", MID: 10123456, EID: 10123456}},
		{"name of MaxNameLen bytes", okUser("name", `"`+maxName+`"`), User{ID: "10654321", Email: "example@example.com", Name: maxName, MID: 10123456, EID: 10123456}},
		{"unicode name", okUser("name", `"Zoë 日本"`), User{ID: "10654321", Email: "example@example.com", Name: "Zoë 日本", MID: 10123456, EID: 10123456}},
		{"unicode email", okUser("email", `"zoë@bücher.example"`), User{ID: "10654321", Email: "zoë@bücher.example", Name: "Auth_user_name", MID: 10123456, EID: 10123456}},
		{"email of MaxEmailLen bytes", okUser("email", `"`+maxEmail+`"`), User{ID: "10654321", Email: maxEmail, Name: "Auth_user_name", MID: 10123456, EID: 10123456}},
		{"sub of MaxIDLen bytes", okUser("sub", `"`+maxID+`"`), User{ID: maxID, Email: "example@example.com", Name: "Auth_user_name", MID: 10123456, EID: 10123456}},
		{"MID as a numeric string", okUser("mid", `"7281698"`), User{ID: "10654321", Email: "example@example.com", Name: "Auth_user_name", MID: 7281698, EID: 10123456}},
		{"EID as a numeric string", okUser("eid", `"7281698"`), User{ID: "10654321", Email: "example@example.com", Name: "Auth_user_name", MID: 10123456, EID: 7281698}},
		{"MID one", okUser("mid", "1"), User{ID: "10654321", Email: "example@example.com", Name: "Auth_user_name", MID: 1, EID: 10123456}},
		{"MID past float precision", okUser("mid", "9007199254740993"), User{ID: "10654321", Email: "example@example.com", Name: "Auth_user_name", MID: 9007199254740993, EID: 10123456}},
		{"extra members ignored", okUser("sub", `"1", "sub_extra": {"member_id": -1}`), User{ID: "1", Email: "example@example.com", Name: "Auth_user_name", MID: 10123456, EID: 10123456}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeMC(t, jsonAnswer(http.StatusOK, tt.body))
			got, err := c.UserInfo(context.Background(), testToken)
			if err != nil {
				t.Fatalf("UserInfo = %v; want a user", err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("UserInfo user (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserInfoRefused(t *testing.T) {
	const (
		noSub   = "no user.sub"
		noEmail = "no valid user.email"
		noMID   = "no organization.member_id"
		noEID   = "no organization.enterprise_id"
	)
	tests := []struct {
		name string
		body string
		err  string
	}{
		// Some public mocks flatten the answer; real tenants nest it.
		{"flattened", `{"sub":"10654321","email":"example@example.com","name":"n","member_id":10123456,"enterprise_id":10123456}`, noSub},
		{"flattened with dotted keys", `{"user.sub":"10654321","user.email":"example@example.com","organization.member_id":1,"organization.enterprise_id":1}`, noSub},
		{"user as a string", `{"user":"10654321","organization":{"member_id":1,"enterprise_id":1}}`, noSub},
		{"user as an array", `{"user":[{"sub":"1","email":"a@b.c"}],"organization":{"member_id":1,"enterprise_id":1}}`, noSub},
		{"organization flattened", `{"user":{"sub":"1","email":"a@b.c"},"member_id":1,"enterprise_id":1}`, noMID},
		{"not JSON", `<html>Sign in</html>`, "answer is not JSON"},
		{"empty", ``, "answer is not JSON"},
		{"top-level array", `[` + documentedUserinfo + `]`, noSub},

		{"sub missing", okUser("sub", ""), noSub},
		{"sub empty", okUser("sub", `""`), noSub},
		{"sub null", okUser("sub", "null"), noSub},
		{"sub zero", okUser("sub", "0"), noSub},
		{"sub fractional", okUser("sub", "1.5"), noSub},
		{"sub an object", okUser("sub", `{"id":"1"}`), noSub},
		{"sub too long", okUser("sub", `"`+strings.Repeat("7", MaxIDLen+1)+`"`), noSub},
		{"sub with a line break", okUser("sub", `"1\n2"`), noSub},

		{"email missing", okUser("email", ""), noEmail},
		{"email null", okUser("email", "null"), noEmail},
		{"email empty", okUser("email", `""`), noEmail},
		{"email a number", okUser("email", "1"), noEmail},
		{"email an array", okUser("email", `["a@b.c"]`), noEmail},
		{"email without @", okUser("email", `"example.example.com"`), noEmail},
		{"email with two @", okUser("email", `"a@b@example.com"`), noEmail},
		{"email with @@", okUser("email", `"a@@example.com"`), noEmail},
		{"email starting with @", okUser("email", `"@example.com"`), noEmail},
		{"email ending with @", okUser("email", `"example@"`), noEmail},
		{"email with NUL", okUser("email", `"a\u0000@example.com"`), noEmail},
		{"email with a line break", okUser("email", `"a@example.com\r\nBcc: x@evil.example"`), noEmail},
		{"email with a tab", okUser("email", `"a\t@example.com"`), noEmail},
		{"email with DEL", okUser("email", `"a\u007f@example.com"`), noEmail},
		{"email with NEL", okUser("email", `"a\u0085@example.com"`), noEmail},
		{"email with CSI", okUser("email", `"a\u009b31m@example.com"`), noEmail},
		{"email with a line separator", okUser("email", `"a\u2028@example.com"`), noEmail},
		{"email with invalid UTF-8", okUser("email", "\"a\xff@example.com\""), noEmail},
		{"email with a space", okUser("email", `"a b@example.com"`), noEmail},
		{"email with a comma", okUser("email", `"a@example.com,b@example.com"`), noEmail},
		{"email with angle brackets", okUser("email", `"<a@example.com>"`), noEmail},
		{"email over 254 bytes", okUser("email", `"`+strings.Repeat("a", MaxEmailLen+1-len("@example.com"))+`@example.com"`), noEmail},

		{"MID missing", okUser("mid", ""), noMID},
		{"MID fractional", okUser("mid", "1.5"), noMID},
		{"MID whole with a fraction part", okUser("mid", "10123456.0"), noMID},
		{"MID in exponent form", okUser("mid", "1e7"), noMID},
		{"MID negative", okUser("mid", "-10123456"), noMID},
		{"MID zero", okUser("mid", "0"), noMID},
		{"MID negative zero", okUser("mid", "-0"), noMID},
		{"MID huge", okUser("mid", "1e300"), noMID},
		{"MID past int64", okUser("mid", "9223372036854775808"), noMID},
		{"MID at int64 max", okUser("mid", "9223372036854775807"), noMID},
		{"MID true", okUser("mid", "true"), noMID},
		{"MID null", okUser("mid", "null"), noMID},
		{"MID an object", okUser("mid", `{"id":1}`), noMID},
		{"MID string with +", okUser("mid", `"+1"`), noMID},
		{"MID string with a leading zero", okUser("mid", `"01"`), noMID},
		{"MID string zero", okUser("mid", `"0"`), noMID},
		{"MID string negative", okUser("mid", `"-1"`), noMID},
		{"MID string empty", okUser("mid", `""`), noMID},
		{"MID string fractional", okUser("mid", `"1.5"`), noMID},
		{"MID string hex", okUser("mid", `"0x10"`), noMID},
		{"MID string with spaces", okUser("mid", `" 1"`), noMID},
		{"MID string with underscores", okUser("mid", `"1_000"`), noMID},
		{"MID string with Arabic-Indic digits", okUser("mid", `"١٢٣"`), noMID},
		{"MID string too long", okUser("mid", `"99999999999999999999"`), noMID},

		{"EID missing", okUser("eid", ""), noEID},
		{"EID negative", okUser("eid", "-1"), noEID},
		{"EID fractional", okUser("eid", "1.5"), noEID},
		{"EID string with +", okUser("eid", `"+1"`), noEID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeMC(t, jsonAnswer(http.StatusOK, tt.body))
			u, err := c.UserInfo(context.Background(), testToken)
			if err == nil {
				t.Fatalf("UserInfo = %+v; want an error", *u)
			}
			want := errSummary{Kind: Malformed, Status: http.StatusOK, Err: tt.err}
			if diff := cmp.Diff(want, summarize(t, err)); diff != "" {
				t.Errorf("UserInfo error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserInfoFailure(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
		want errSummary
	}{
		// What userinfo answers for an expired token is unconfirmed; REST
		// endpoints send this body. It has no OAuth error code, so it is not
		// a verdict the gate can act on, and the client keeps only its text.
		{"401 Not Authorized", jsonAnswer(401, notAuthorizedBody), errSummary{
			Kind: Malformed, Status: 401, Desc: "Not Authorized",
		}},
		{"401 invalid_token", answer(401, "application/json", `{"error":"invalid_token","error_description":"The access token expired"}`), errSummary{
			Kind: Rejected, Status: 401, Code: "invalid_token", Desc: "The access token expired",
		}},
		{"403 insufficient_scope", jsonAnswer(403, `{"error":"insufficient_scope"}`), errSummary{
			Kind: Rejected, Status: 403, Code: "insufficient_scope",
		}},
		{"401 empty", answer(401, "", ""), errSummary{
			Kind: Malformed, Status: 401, Desc: "answer is not JSON",
		}},
		{"500 HTML", answer(500, "text/html", "<h1>Internal Server Error</h1>"), errSummary{
			Kind: Malformed, Status: 500, Desc: "answer is not JSON",
		}},
		{"over the size limit", jsonAnswer(200, okUser("name", `"`+strings.Repeat("x", maxUserinfoAnswer)+`"`)), errSummary{
			Kind: Malformed, Status: 200, Err: "answer longer than 1048576 bytes",
		}},
		{"connection closed mid-answer", cutOff("HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n{\"user\":"), errSummary{
			Kind: Unreachable, Status: 200, Err: "reading answer: unexpected EOF",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeMC(t, tt.h)
			u, err := c.UserInfo(context.Background(), testToken)
			if err == nil {
				t.Fatalf("UserInfo = %+v; want an error", *u)
			}
			if diff := cmp.Diff(tt.want, transportWording(tt.want, summarize(t, err))); diff != "" {
				t.Errorf("UserInfo error (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseUser checks that no answer makes parseUser panic, and that a
// user it accepts has what the gate relies on: an id, one address with
// one @, positive MID and EID, and text within the limits and fit for a
// header or a log line.
func FuzzParseUser(f *testing.F) {
	f.Add([]byte(documentedUserinfo))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := parseUser(body)
		if err != nil {
			if s := summarize(t, err); s.Kind != Malformed || s.Status != http.StatusOK {
				t.Errorf("parseUser(%q) = kind %v, status %d; want %v, 200", body, s.Kind, s.Status, Malformed)
			}
			return
		}

		if !json.Valid(body) {
			t.Errorf("parseUser(%q) accepted an answer encoding/json calls invalid", body)
		}
		if u.ID == "" || len(u.ID) > MaxIDLen || !fitText(u.ID) {
			t.Errorf("parseUser(%q) ID = %q; want 1 to %d bytes of printable text", body, u.ID, MaxIDLen)
		}
		local, domain, _ := strings.Cut(u.Email, "@")
		if strings.Count(u.Email, "@") != 1 || local == "" || domain == "" || len(u.Email) > MaxEmailLen || !fitText(u.Email) {
			t.Errorf("parseUser(%q) Email = %q; want one @ between text, at most %d bytes", body, u.Email, MaxEmailLen)
		}
		if len(u.Name) > MaxNameLen || !fitText(u.Name) {
			t.Errorf("parseUser(%q) Name = %q; want at most %d bytes of printable text", body, u.Name, MaxNameLen)
		}
		if u.MID <= 0 || u.EID <= 0 {
			t.Errorf("parseUser(%q) MID, EID = %d, %d; want both > 0", body, u.MID, u.EID)
		}
	})
}

// fitText reports whether s is valid UTF-8 that Clean would leave alone.
func fitText(s string) bool {
	return utf8.ValidString(s) && Clean(s, len(s)) == s
}
