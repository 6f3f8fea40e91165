package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		code     int
	}{
		{
			name: "complete, secrets unchecked",
			in: `{"vars":{"MC_SUBDOMAIN":"mc0123456789abcdefghijklmnop","MC_CLIENT_ID":"abc",
				"MC_REDIRECT_URI":"https://cloud.example.com/_gate/callback"},
				"unchecked":["MC_CLIENT_SECRET","SESSION_KEYS"]}`,
			want: []string{"ok"}, code: 0,
		},
		{
			name: "problems by variable, secret values never shown",
			in: `{"vars":{"MC_SUBDOMAIN":"mc.example.com","MC_REDIRECT_URI":"http://cloud.example.com/cb",
				"SESSION_KEYS":"dG9vLXNob3J0LXNlY3JldA","MC_CLIENT_SECRET":"s3cret value"},"unchecked":[]}`,
			want: []string{"MC_SUBDOMAIN:", "MC_CLIENT_ID:", "MC_CLIENT_SECRET:", "MC_REDIRECT_URI:", "SESSION_KEYS:"},
			code: 1,
		},
		{name: "not JSON", in: `vars`, want: []string{"reading input"}, code: 2},
		{
			name: "a secret written in the file, otherwise valid",
			in: `{"vars":{"MC_SUBDOMAIN":"mc0123456789abcdefghijklmnop","MC_CLIENT_ID":"abc",
				"MC_REDIRECT_URI":"https://cloud.example.com/_gate/callback","MC_CLIENT_SECRET":"s3cret value"},
				"unchecked":["SESSION_KEYS"],"inFile":["MC_SUBDOMAIN","MC_CLIENT_SECRET"],"env":"production"}`,
			want: []string{"MC_CLIENT_SECRET: is a secret, but [env.production.vars] in wrangler.toml sets it",
				"`npx wrangler secret put MC_CLIENT_SECRET --env production`"},
			code: 1,
		},
		{
			name: "every secret in the top level's vars",
			in: `{"vars":{"SESSION_KEYS":"dG9vLXNob3J0LXNlY3JldA","ORIGIN_SECRET":"s3cret value"},
				"inFile":["SESSION_KEYS","ORIGIN_SECRET","MC_CLIENT_SECRET"]}`,
			want: []string{"SESSION_KEYS: is a secret, but [vars] in wrangler.toml",
				"`npx wrangler secret put ORIGIN_SECRET`", "`npx wrangler secret put MC_CLIENT_SECRET`", "MC_CLIENT_ID:"},
			code: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(strings.NewReader(tt.in), &out); code != tt.code {
				t.Errorf("run() = %d; want %d\n%s", code, tt.code, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, secret := range []string{"dG9vLXNob3J0LXNlY3JldA", "s3cret value"} {
				if strings.Contains(out.String(), secret) {
					t.Errorf("output shows a secret value %q:\n%s", secret, out.String())
				}
			}
		})
	}
}
