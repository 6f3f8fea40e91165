package mcfake

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parsed is tokenRequest with exported fields, so that cmp can diff it.
type parsed struct {
	GrantType, Code, ClientID, ClientSecret, RedirectURI, RefreshToken string
	Scope                                                              *string
	AccountID                                                          int64
}

func export(r tokenRequest) parsed {
	return parsed{r.grantType, r.code, r.clientID, r.clientSecret, r.redirectURI, r.refreshToken, r.scope, r.accountID}
}

func TestParseTokenRequest(t *testing.T) {
	empty := ""
	emailRead := "email_read"
	tests := []struct {
		name    string
		body    string
		want    parsed
		wantErr *tokenError
	}{
		{
			name: "documented authorization_code body",
			body: `{"grant_type":"authorization_code","code":"c","client_id":"i","client_secret":"s","redirect_uri":"https://127.0.0.1:80/","scope":"email_read","account_id":12345}`,
			want: parsed{GrantType: "authorization_code", Code: "c", ClientID: "i", ClientSecret: "s",
				RedirectURI: "https://127.0.0.1:80/", Scope: &emailRead, AccountID: 12345},
		},
		{
			name: "documented refresh body, account_id as a string",
			body: `{"grant_type":"refresh_token","client_id":"i","client_secret":"s","refresh_token":"r","account_id":"12345"}`,
			want: parsed{GrantType: "refresh_token", ClientID: "i", ClientSecret: "s", RefreshToken: "r", AccountID: 12345},
		},
		{name: "empty scope", body: `{"grant_type":"refresh_token","scope":""}`, want: parsed{GrantType: "refresh_token", Scope: &empty}},
		{name: "nulls are absent", body: `{"grant_type":"refresh_token","scope":null,"account_id":null,"code":null}`, want: parsed{GrantType: "refresh_token"}},
		{name: "keys are case-sensitive", body: `{"grant_type":"refresh_token","Client_ID":"i"}`, want: parsed{GrantType: "refresh_token"}},
		{name: "unknown keys are ignored", body: `{"grant_type":"refresh_token","extra":[1,2]}`, want: parsed{GrantType: "refresh_token"}},
		{name: "legacy key", body: `{"grant_type":"refresh_token","refreshToken":"r"}`, wantErr: errUnsupportedGrantType},
		{name: "no grant type", body: `{}`, wantErr: errUnsupportedGrantType},
		{name: "account id zero", body: `{"grant_type":"refresh_token","account_id":0}`, wantErr: errBadAccountID},
		{name: "account id too big", body: `{"grant_type":"refresh_token","account_id":"99999999999999999999"}`, wantErr: errBadAccountID},
		{name: "account id with exponent", body: `{"grant_type":"refresh_token","account_id":1e5}`, wantErr: errBadAccountID},
		{name: "account id bool", body: `{"grant_type":"refresh_token","account_id":true}`, wantErr: errBadAccountID},
		{name: "trailing garbage", body: `{"grant_type":"refresh_token"} x`, wantErr: errMalformedJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTokenRequest("application/json", []byte(tt.body))
			if err != tt.wantErr {
				t.Fatalf("parseTokenRequest(%s) error = %+v; want %+v", tt.body, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, export(got)); err == nil && diff != "" {
				t.Errorf("parseTokenRequest(%s) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

// FuzzParseTokenRequest checks that parsing never panics, and that what it
// accepts has a known grant type and a positive account id, if any.
func FuzzParseTokenRequest(f *testing.F) {
	f.Add("application/json", []byte(`{"grant_type":"authorization_code","code":"c","client_id":"i","client_secret":"s","redirect_uri":"u"}`))
	f.Add("application/json; charset=utf-8", []byte(`{"grant_type":"refresh_token","refresh_token":"r","account_id":"12345"}`))
	f.Add("application/json", []byte(`{"clientId":"a","clientSecret":"b"}`))
	f.Add("application/x-www-form-urlencoded", []byte(`grant_type=authorization_code`))
	f.Add("application/json", []byte(`{"grant_type":"refresh_token","scope":null,"account_id":-1}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req, err := parseTokenRequest(contentType, body)
		if err != nil {
			if err.status < 400 || err.code == "" || err.description == "" {
				t.Fatalf("error %+v lacks a status, code or description", err)
			}
			return
		}
		if !grantTypes[req.grantType] || req.accountID < 0 {
			t.Fatalf("accepted %+v", req)
		}
	})
}
