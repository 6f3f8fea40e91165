package wire

import (
	"net/http"
	"testing"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/gate"
	"github.com/cloudpage-gate/gate/shared/session"
)

// A browser's request for a page, as the entry module encodes it.
const benchHeaders = "host\ngate.example\n" +
	"user-agent\nMozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\n" +
	"accept\ntext/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\n" +
	"accept-language\nen-US,en;q=0.9\naccept-encoding\ngzip, deflate, br\n" +
	"sec-fetch-mode\nnavigate\nsec-fetch-dest\ndocument\nsec-fetch-site\nsame-origin\n" +
	"cf-connecting-ip\n203.0.113.7\ncf-ray\n8c1e2f3a4b5c6d7e-AMS\nreferer\nhttps://gate.example/\n" +
	"upgrade-insecure-requests\n1\n"

// BenchmarkDecide measures what the Worker runs for each request, from
// the encoded request to the encoded decision: parse, decide, encode.
func BenchmarkDecide(b *testing.B) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Parse(func(k string) string {
		return map[string]string{
			config.VarAuthBaseURL:  "http://127.0.0.1:9",
			config.VarClientID:     "bench",
			config.VarClientSecret: "bench-secret",
			config.VarRedirectURI:  "https://gate.example/_gate/callback",
			config.VarSessionKeys:  "tHpZ0mB2Wm3cXb7dK9qLr4sV6yA1nE8fG5hJ2kM0pQs",
			config.VarOriginURL:    "https://cloudpage.example",
		}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	g := gate.New(cfg, gate.Options{Now: func() time.Time { return now }})

	s := session.Session{UserID: "71000001", Email: "ada@example.com", Name: "ada.lovelace",
		MID: 100000001, EID: 100000000, AuthTime: now, Expires: now.Add(8 * time.Hour)}
	plain, _ := s.MarshalBinary()
	sealed, _ := cfg.Keys.Seal("__Host-cpg", plain)

	cases := []struct {
		name, req string
		want      byte
	}{
		{"signed-in", "GET\nhttps://gate.example/reports/q3?region=emea\n" + benchHeaders +
			"cookie\ntheme=dark; __Host-cpg=" + sealed + "\n", 'F'},
		{"redirect-to-login", "GET\nhttps://gate.example/reports/q3?region=emea\n" + benchHeaders, 'A'},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var out []byte
			b.ReportAllocs()
			for b.Loop() {
				r, err := ParseRequest(c.req)
				if err != nil {
					b.Fatal(err)
				}
				out = AppendDecision(out[:0], g.Handle(b.Context(), r))
			}
			if out[0] != c.want {
				b.Fatalf("decision %.60q; want one starting %q", out, c.want)
			}
		})
	}
	_ = http.MethodGet
}
