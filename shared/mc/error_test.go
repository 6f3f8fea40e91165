package mc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{Unreachable, "unreachable"},
		{Rejected, "rejected"},
		{Malformed, "malformed"},
		{0, "unknown"},
		{Kind(42), "unknown"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q; want %q", int(tt.k), got, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	tests := []struct {
		name string
		e    *Error
		want string
	}{
		{"everything", &Error{Op: "exchanging code", Kind: Rejected, Status: 401, Code: "invalid_client", Desc: "Client authentication failed."},
			"exchanging code: rejected, status 401, error invalid_client: Client authentication failed."},
		{"cause only", &Error{Op: "reading userinfo", Kind: Unreachable, Err: cause},
			"reading userinfo: unreachable: dial tcp: connection refused"},
		{"status and description", &Error{Op: "exchanging code", Kind: Malformed, Status: 503, Desc: "answer is not JSON"},
			"exchanging code: malformed, status 503: answer is not JSON"},
		{"zero", &Error{}, ": unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	e := &Error{Op: "x", Kind: Unreachable, Err: context.DeadlineExceeded}
	if !errors.Is(e, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false; want true", e)
	}
	if got := (&Error{}).Unwrap(); got != nil {
		t.Errorf("Unwrap() of an Error without cause = %v; want nil", got)
	}
}

// TestErrorsHideSecrets drives every failing path with a server that
// repeats what it was sent (the code, the client secret, the token) in
// every place an answer can carry text, and checks that none of it reaches
// the error, which the gate logs.
func TestErrorsHideSecrets(t *testing.T) {
	// echo is what the fake repeats: the request body, which holds the code
	// and the secret, and the Authorization header, which holds the token.
	echo := func(r *http.Request) string {
		b, _ := io.ReadAll(r.Body)
		return r.Header.Get("Authorization") + " " + string(b)
	}
	quote := func(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }
	// solid makes the echo one word, for a server that breaks HTTP itself.
	solid := func(s string) string { return strings.NewReplacer(" ", "", "\r", "", "\n", "").Replace(s) }
	// at puts the echo where a cut would fall, so that a redaction done after
	// cutting would leave half a secret behind.
	at := func(n int, s string) string { return strings.Repeat("x", n) + s }

	tests := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"in error_description", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(400, `{"error":"invalid_grant","error_description":"`+quote(echo(r))+`"}`)(w, r)
		}},
		{"in error_description at the cut", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(400, `{"error":"invalid_grant","error_description":"`+at(190, quote(echo(r)))+`"}`)(w, r)
		}},
		{"in error", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(400, `{"error":"`+quote(echo(r))+`"}`)(w, r)
		}},
		{"in error at the cut", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(400, `{"error":"`+at(56, quote(echo(r)))+`"}`)(w, r)
		}},
		{"in message", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(401, `{"errorcode":0,"message":"`+quote(echo(r))+`"}`)(w, r)
		}},
		{"in a redirect", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/?"+echo(r))
			jsonAnswer(302, `{"error":"`+quote(echo(r))+`","error_description":"`+quote(echo(r))+`"}`)(w, r)
		}},
		{"in an HTML page", func(w http.ResponseWriter, r *http.Request) {
			answer(200, "text/html", "<p>"+echo(r)+"</p>")(w, r)
		}},
		{"in an HTML error page", func(w http.ResponseWriter, r *http.Request) {
			answer(503, "text/html", "<p>"+echo(r)+"</p>")(w, r)
		}},
		{"in the access_token", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(200, `{"access_token":"`+quote(echo(r))+`"}`)(w, r)
		}},
		{"in an answer over the limit", func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(400, `{"error":"`+quote(echo(r))+`","x":"`+strings.Repeat("x", maxUserinfoAnswer)+`"}`)(w, r)
		}},
		{"in a cut-off answer", func(w http.ResponseWriter, r *http.Request) {
			cutOff("HTTP/1.1 400 Bad Request\r\nContent-Length: 9000\r\n\r\n"+echo(r))(w, r)
		}},
		{"in a status line", func(w http.ResponseWriter, r *http.Request) {
			cutOff("HTTP/1.1 400 "+strings.ReplaceAll(echo(r), "\n", " ")+"\r\n\r\n")(w, r)
		}},
		{"as the status code", func(w http.ResponseWriter, r *http.Request) {
			cutOff("HTTP/1.1 "+solid(echo(r))+"\r\n\r\n")(w, r)
		}},
		{"as the status line", func(w http.ResponseWriter, r *http.Request) {
			cutOff("HTTP/1.1"+solid(echo(r))+"\r\n\r\n")(w, r)
		}},
		{"in a header", func(w http.ResponseWriter, r *http.Request) {
			cutOff("HTTP/1.1 200 OK\r\nX-Echo: "+strings.ReplaceAll(echo(r), "\n", " ")+"\r\nContent-Length: x\r\n\r\n")(w, r)
		}},
		{"as a userinfo answer", func(w http.ResponseWriter, r *http.Request) {
			e := quote(echo(r))
			jsonAnswer(200, userAnswer(`"`+e+`"`, `"`+e+`"`, `"`+e+`"`, `"`+e+`"`, `"`+e+`"`))(w, r)
		}},
		{"never answering", func(w http.ResponseWriter, r *http.Request) {
			echo(r)
			hang("")(w, r)
		}},
	}
	// The middle of each value, so that a leak of part of one shows too.
	marks := []string{"SECRETVALUE", "CODEVALUE", "TOKENVALUE"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeMC(t, tt.h)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()

			_, xerr := c.Exchange(ctx, testCode)
			_, uerr := c.UserInfo(ctx, testToken)
			for _, err := range []error{xerr, uerr} {
				if err == nil {
					t.Fatalf("call succeeded; want an error")
				}
				text := err.Error()
				for _, mark := range marks {
					if strings.Contains(text, mark) {
						t.Errorf("error %q holds %q", text, mark)
					}
				}
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  string
	}{
		{"plain", "The authorization code is invalid.", 200, "The authorization code is invalid."},
		{"empty", "", 10, ""},
		{"C0 controls", "a\nb\rc\td\x00e\x1bf", 200, "a b c d e f"},
		{"DEL", "a\x7fb", 200, "a b"},
		{"NEL", "a\u0085b", 200, "a b"},
		{"C1 CSI", "a\u009b31mb", 200, "a 31mb"},
		{"line and paragraph separators", "a\u2028b\u2029c", 200, "a b c"},
		{"forged log line", "bad\n{\"level\":\"info\",\"event\":\"login_succeeded\"}", 200, `bad {"level":"info","event":"login_succeeded"}`},
		{"invalid UTF-8", "a\xffb", 200, "a\uFFFDb"},
		{"fits exactly", "abcdef", 6, "abcdef"},
		{"cut with mark", "abcdefgh", 6, "abc…"},
		{"cut leaves only the mark", "abcd", 3, "…"},
		{"too short for the mark", "abcd", 2, "ab"},
		{"zero", "abcd", 0, ""},
		{"negative", "abcd", -1, ""},
		{"cut inside a two-byte rune", "aéééé", 7, "aé…"},
		{"cut inside a three-byte rune", "日本語です", 7, "日…"},
		{"cut inside a three-byte rune, no room for the mark", "日本語", 2, ""},
		{"cut inside a four-byte rune", "a😀😀", 7, "a…"},
		{"unicode that fits", "日本語", 9, "日本語"},
		{"controls then cut", "\n\n\n\n\n\n", 5, "  …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.s, tt.limit); got != tt.want {
				t.Errorf("Clean(%q, %d) = %q; want %q", tt.s, tt.limit, got, tt.want)
			}
		})
	}
}

// FuzzClean checks Clean's promise: valid UTF-8 without control
// characters or line separators, at most limit bytes, text that was already
// fit left alone, and nothing more to do on a second pass.
func FuzzClean(f *testing.F) {
	f.Add("The authorization code is invalid.", 200)
	f.Add("a\u2028b\u0085c\xff", 4)
	f.Add("日本語", 5)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 1024
		got := Clean(s, limit)
		if !utf8.ValidString(got) || strings.ContainsFunc(got, needsCleaning) {
			t.Errorf("Clean(%q, %d) = %q; want valid UTF-8 without controls or separators", s, limit, got)
		}
		if len(got) > limit && got != "" {
			t.Errorf("Clean(%q, %d) = %q, %d bytes; want at most %d", s, limit, got, len(got), limit)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, needsCleaning) && len(s) <= limit && got != s {
			t.Errorf("Clean(%q, %d) = %q; want it unchanged", s, limit, got)
		}
		if again := Clean(got, limit); again != got {
			t.Errorf("Clean(Clean(%q, %d)) = %q; want %q", s, limit, again, got)
		}
	})
}

// needsCleaning reports whether Clean must replace r: a C0 or C1 control
// character, DEL, or a Unicode line or paragraph separator.
func needsCleaning(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0x2028 || r == 0x2029
}
