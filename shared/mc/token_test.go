package mc

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// realToken has the shape of real access tokens: four dot-separated
// base64url segments, the first two a JWT-like header and payload.
const realToken = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjEiLCJ2ZXIiOiIxIiwidHlwIjoiSldUIn0" +
	".eyJhY2Nlc3NfdG9rZW4iOiJmM2txOXgwbTJiN2M4ZDFlNGc1aDZqN2siLCJjbGllbnRfaWQiOiJ2cXd5c3dybHp6ZmswMjRpdnI2ODJlc2IiLCJlaWQiOjEwODU1ODQsInN0YWNrX2tleSI6IlFBM1MxIiwicGxhdGZvcm1fdmVyc2lvbiI6MiwiY2xpZW50X3R5cGUiOiJDb25maWRlbnRpYWwifQ" +
	".Zm9vYmFyYmF6cXV4" +
	".c2lnbmF0dXJlLXR3bw"

// Answers of the token endpoint as the protocol notes give them: the
// documented success (1200 s), the shape real tenants send (1079 s, https
// instance URLs with a trailing slash) and the exact error bodies.
const (
	documentedTokenAnswer = `{"access_token":"` + realToken + `","refresh_token":"` + realToken + `","expires_in":1200,"token_type":"Bearer","rest_instance_url":"mc563885gzs27c5t9-63k636tzgm.rest.marketingcloudapis.com","soap_instance_url":"mc563885gzs27c5t9-63k636tzgm.soap.marketingcloudapis.com","scope":"email_read email_write email_send offline"}`
	realTokenAnswer       = `{"access_token":"` + realToken + `","refresh_token":"` + realToken + `","expires_in":1079,"token_type":"Bearer","rest_instance_url":"https://mc-yfyyj2sjhsjhkwc1s8w4zrxx4.rest.marketingcloudapis.com/","soap_instance_url":"https://mc-yfyyj2sjhsjhkwc1s8w4zrxx4.soap.marketingcloudapis.com/","scope":"offline"}`

	invalidClientBody    = `{"error":"invalid_client","error_description":"Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.","error_uri":"https://developer.salesforce.com/docs"}`
	unsupportedGrantBody = `{"error":"unsupported_grant_type","error_description":"Use \"authorization_code\" or \"refresh_token\" or \"client_credentials\" or \"urn:ietf:params:oauth:grant-type:jwt-bearer\" as the grant_type.","error_uri":"https://developer.salesforce.com/docs"}`
	notAuthorizedBody    = `{"documentation":"https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm","errorcode":0,"message":"Not Authorized"}`
)

// tokenRequest is what the fake token endpoint saw.
type tokenRequest struct {
	Method      string
	Path        string
	RawQuery    string
	ContentType string
	Accept      string
	Auth        string
	Body        map[string]string
}

// TestExchangeRequest checks the request against "Access Token for Web and
// Public App Integrations": a JSON POST with snake_case keys, and the
// redirect URI in plain text, byte for byte as configured, however much
// escaping it would need in a URL.
func TestExchangeRequest(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		secret   string
		redirect string
	}{
		{"plain", testCode, testSecret, testRedirect},
		{"documented local redirect", "aWekysIEeqM9PiThEfm0Cnr0MoLIfwWyRJcqOqHdF8f9INokharAS09ia7UNP6RiVScerfhc4w", testSecret, "https://127.0.0.1:80/"},
		{"redirect needing escapes", testCode, testSecret, "https://gate.example.com/call back?next=/a&b=c%20d#top"},
		{"redirect with unicode", testCode, testSecret, "https://gäte.example/コールバック/✓"},
		{"redirect with HTML and JSON specials", testCode, testSecret, `https://gate.example/<cb>?q="a"&r=\x`},
		{"redirect with line separators", testCode, testSecret, "https://gate.example/a\u2028b\u2029c"},
		{"secret with quotes and backslashes", testCode, `s"e\c\"r,e}t`, testRedirect},
		{"secret with control characters", testCode, "s\x00e\nc\tr\x1fe\x7ft", testRedirect},
		{"code trying to add a key", `x","grant_type":"password`, testSecret, testRedirect},
		{"empty code", "", testSecret, testRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got tokenRequest
			c := fakeMC(t, func(w http.ResponseWriter, r *http.Request) {
				got = tokenRequest{
					Method:      r.Method,
					Path:        r.URL.Path,
					RawQuery:    r.URL.RawQuery,
					ContentType: r.Header.Get("Content-Type"),
					Accept:      r.Header.Get("Accept"),
					Auth:        r.Header.Get("Authorization"),
				}
				raw, _ := io.ReadAll(r.Body)
				if err := json.Unmarshal(raw, &got.Body); err != nil {
					t.Errorf("token request body %q: %v", raw, err)
				}
				jsonAnswer(http.StatusOK, realTokenAnswer)(w, r)
			})
			c.ClientSecret, c.RedirectURI = tt.secret, tt.redirect

			if _, err := c.Exchange(context.Background(), tt.code); err != nil {
				t.Fatalf("Exchange(%q) = %v", tt.code, err)
			}
			want := tokenRequest{
				Method:      http.MethodPost,
				Path:        "/v2/token",
				ContentType: "application/json",
				Accept:      "application/json",
				Body: map[string]string{
					"grant_type":    "authorization_code",
					"code":          tt.code,
					"client_id":     testClientID,
					"client_secret": tt.secret,
					"redirect_uri":  tt.redirect,
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("token request (-want +got):\n%s", diff)
			}
			if mt, _, err := mime.ParseMediaType(got.ContentType); err != nil || mt != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", got.ContentType)
			}
		})
	}
}

func TestExchangeSuccess(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Token
	}{
		{"real answer", realTokenAnswer, Token{realToken, 1079 * time.Second}},
		{"documented answer", documentedTokenAnswer, Token{realToken, 1200 * time.Second}},
		{"no expires_in", `{"access_token":"abc"}`, Token{"abc", 1079 * time.Second}},
		{"expires_in null", `{"access_token":"abc","expires_in":null}`, Token{"abc", 1079 * time.Second}},
		{"expires_in as a string", `{"access_token":"abc","expires_in":"1200"}`, Token{"abc", 1079 * time.Second}},
		{"expires_in zero", `{"access_token":"abc","expires_in":0}`, Token{"abc", 1079 * time.Second}},
		{"expires_in negative", `{"access_token":"abc","expires_in":-1200}`, Token{"abc", 1079 * time.Second}},
		{"expires_in a day", `{"access_token":"abc","expires_in":86400}`, Token{"abc", 24 * time.Hour}},
		{"expires_in over a day", `{"access_token":"abc","expires_in":86401}`, Token{"abc", 1079 * time.Second}},
		{"expires_in absurd", `{"access_token":"abc","expires_in":1e300}`, Token{"abc", 1079 * time.Second}},
		{"expires_in past int64 seconds", `{"access_token":"abc","expires_in":9223372036854775807}`, Token{"abc", 1079 * time.Second}},
		{"expires_in in exponent form", `{"access_token":"abc","expires_in":1.2e3}`, Token{"abc", 1200 * time.Second}},
		{"one second", `{"access_token":"abc","expires_in":1}`, Token{"abc", time.Second}},
		{"token of every b64token character", `{"access_token":"azAZ09-._~+/="}`, Token{"azAZ09-._~+/=", 1079 * time.Second}},
		{"token of MaxTokenLen bytes", `{"access_token":"` + strings.Repeat("a", MaxTokenLen) + `"}`, Token{strings.Repeat("a", MaxTokenLen), 1079 * time.Second}},
		{"escaped slash in token", `{"access_token":"a\/b"}`, Token{"a/b", 1079 * time.Second}},
		{"whitespace around the answer", " \r\n\t" + realTokenAnswer + "\n", Token{realToken, 1079 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeMC(t, jsonAnswer(http.StatusOK, tt.body))
			got, err := c.Exchange(context.Background(), testCode)
			if err != nil {
				t.Fatalf("Exchange = %v; want a token", err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("Exchange token (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExchangeFailure(t *testing.T) {
	const notToken = "access_token is not a token"
	bigJSON := `{"access_token":"abc","padding":"` + strings.Repeat("x", maxTokenAnswer) + `"}`
	tests := []struct {
		name string
		h    http.HandlerFunc
		want errSummary
	}{
		{"invalid_client", jsonAnswer(401, invalidClientBody), errSummary{
			Kind: Rejected, Status: 401, Code: "invalid_client",
			Desc: "Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.",
		}},
		{"invalid_grant", jsonAnswer(400, `{"error":"invalid_grant","error_description":"The authorization code is invalid or expired."}`), errSummary{
			Kind: Rejected, Status: 400, Code: "invalid_grant", Desc: "The authorization code is invalid or expired.",
		}},
		{"unsupported_grant_type", jsonAnswer(400, unsupportedGrantBody), errSummary{
			Kind: Rejected, Status: 400, Code: "unsupported_grant_type",
			Desc: `Use "authorization_code" or "refresh_token" or "client_credentials" or "urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant_type.`,
		}},
		{"server_error", jsonAnswer(500, `{"error":"server_error"}`), errSummary{
			Kind: Rejected, Status: 500, Code: "server_error",
		}},
		{"error code with a line break", jsonAnswer(400, `{"error":"invalid_grant\r\nforged: yes","error_description":"a\u2028b"}`), errSummary{
			Kind: Rejected, Status: 400, Code: "invalid_grant  forged: yes", Desc: "a b",
		}},
		{"error code not a string", jsonAnswer(400, `{"error":400,"error_description":"bad"}`), errSummary{
			Kind: Malformed, Status: 400,
		}},
		{"error code empty", jsonAnswer(400, `{"error":"","error_description":"bad"}`), errSummary{
			Kind: Malformed, Status: 400,
		}},
		{"REST Not Authorized", jsonAnswer(401, notAuthorizedBody), errSummary{
			Kind: Malformed, Status: 401, Desc: "Not Authorized",
		}},
		{"legacy v1 error", jsonAnswer(401, `{"message":"Unauthorized","errorcode":1,"documentation":""}`), errSummary{
			Kind: Malformed, Status: 401, Desc: "Unauthorized",
		}},
		{"200 with HTML", answer(200, "text/html", "<!DOCTYPE html><html><body>Sign in</body></html>"), errSummary{
			Kind: Malformed, Status: 200, Desc: "answer is not JSON",
		}},
		{"200 empty", answer(200, "application/json", ""), errSummary{
			Kind: Malformed, Status: 200, Desc: "answer is not JSON",
		}},
		{"200 truncated JSON", jsonAnswer(200, `{"access_token":"abc"`), errSummary{
			Kind: Malformed, Status: 200, Desc: "answer is not JSON",
		}},
		{"200 JSON with trailing garbage", jsonAnswer(200, `{"access_token":"abc"}{"access_token":"def"}`), errSummary{
			Kind: Malformed, Status: 200, Desc: "answer is not JSON",
		}},
		{"200 without access_token", jsonAnswer(200, `{"token_type":"Bearer","expires_in":1079}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"200 legacy camelCase", jsonAnswer(200, `{"accessToken":"abc","expiresIn":3600,"legacyToken":"def"}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"200 token nested", jsonAnswer(200, `{"data":{"access_token":"abc"}}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"200 array", jsonAnswer(200, `[{"access_token":"abc"}]`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"200 JSON string", jsonAnswer(200, `"abc"`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"access_token a number", jsonAnswer(200, `{"access_token":12345}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"access_token null", jsonAnswer(200, `{"access_token":null}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"access_token an object", jsonAnswer(200, `{"access_token":{"value":"abc"}}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"access_token empty", jsonAnswer(200, `{"access_token":""}`), errSummary{
			Kind: Malformed, Status: 200, Err: "no access_token",
		}},
		{"access_token with a space", jsonAnswer(200, `{"access_token":"abc def"}`), errSummary{
			Kind: Malformed, Status: 200, Err: notToken,
		}},
		{"access_token with a line break", jsonAnswer(200, `{"access_token":"abc\r\nX-Evil: 1"}`), errSummary{
			Kind: Malformed, Status: 200, Err: notToken,
		}},
		{"access_token with NUL", jsonAnswer(200, `{"access_token":"abc\u0000"}`), errSummary{
			Kind: Malformed, Status: 200, Err: notToken,
		}},
		{"access_token with unicode", jsonAnswer(200, `{"access_token":"tökén"}`), errSummary{
			Kind: Malformed, Status: 200, Err: notToken,
		}},
		{"access_token with a quote", jsonAnswer(200, `{"access_token":"a\"b"}`), errSummary{
			Kind: Malformed, Status: 200, Err: notToken,
		}},
		{"access_token over MaxTokenLen", jsonAnswer(200, `{"access_token":"`+strings.Repeat("a", MaxTokenLen+1)+`"}`), errSummary{
			Kind: Malformed, Status: 200, Err: notToken,
		}},
		{"503 HTML", answer(503, "text/html", "<html><body><h1>503 Service Unavailable</h1></body></html>"), errSummary{
			Kind: Malformed, Status: 503, Desc: "answer is not JSON",
		}},
		{"404 empty", answer(404, "", ""), errSummary{
			Kind: Malformed, Status: 404, Desc: "answer is not JSON",
		}},
		{"200 over the size limit", jsonAnswer(200, bigJSON), errSummary{
			Kind: Malformed, Status: 200, Err: "answer longer than 65536 bytes",
		}},
		{"400 over the size limit", jsonAnswer(400, `{"error":"invalid_grant","x":"`+strings.Repeat("x", maxTokenAnswer)+`"}`), errSummary{
			Kind: Malformed, Status: 400, Err: "answer longer than 65536 bytes",
		}},
		{"connection closed before answering", cutOff(""), errSummary{
			Kind: Unreachable, Err: "EOF",
		}},
		{"connection closed mid-answer", cutOff("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"access_token\":\"ab"), errSummary{
			Kind: Unreachable, Status: 200, Err: "reading answer: unexpected EOF",
		}},
		{"connection closed mid-headers", cutOff("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"), errSummary{
			Kind: Unreachable, Err: "unexpected EOF",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeMC(t, tt.h)
			tok, err := c.Exchange(context.Background(), testCode)
			if err == nil {
				t.Fatalf("Exchange = %+v; want an error", tok)
			}
			if diff := cmp.Diff(tt.want, transportWording(tt.want, summarize(t, err))); diff != "" {
				t.Errorf("Exchange error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExchangeAnswerAtLimit checks that the limit is on the answer and not
// one byte short of it.
func TestExchangeAnswerAtLimit(t *testing.T) {
	prefix, suffix := `{"access_token":"abc","padding":"`, `"}`
	body := prefix + strings.Repeat("x", maxTokenAnswer-len(prefix)-len(suffix)) + suffix
	c := fakeMC(t, jsonAnswer(http.StatusOK, body))
	if _, err := c.Exchange(context.Background(), testCode); err != nil {
		t.Errorf("Exchange of a %d-byte answer = %v; want a token", len(body), err)
	}
}

// FuzzParseToken checks that no answer makes parseToken panic, and that
// whatever it accepts can go into an Authorization header as is.
func FuzzParseToken(f *testing.F) {
	f.Add([]byte(realTokenAnswer))
	f.Add([]byte(documentedTokenAnswer))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := parseToken(body)
		if err != nil {
			if s := summarize(t, err); s.Kind != Malformed || s.Status != http.StatusOK {
				t.Errorf("parseToken(%q) = kind %v, status %d; want %v, 200", body, s.Kind, s.Status, Malformed)
			}
			return
		}

		if !json.Valid(body) {
			t.Errorf("parseToken(%q) accepted an answer encoding/json calls invalid", body)
		}
		at := tok.AccessToken
		if at == "" || len(at) > MaxTokenLen {
			t.Errorf("parseToken(%q) token length %d; want 1 to %d", body, len(at), MaxTokenLen)
		}
		const b64token = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/="
		if strings.Trim(at, b64token) != "" {
			t.Errorf("parseToken(%q) token %q; want b64token characters only (RFC 6750 §2.1)", body, at)
		}
		if tok.ExpiresIn < time.Second || tok.ExpiresIn > 24*time.Hour {
			t.Errorf("parseToken(%q) ExpiresIn %v; want 1s to 24h", body, tok.ExpiresIn)
		}
	})
}
