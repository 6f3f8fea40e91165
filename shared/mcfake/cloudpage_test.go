package mcfake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCloudPageGreeting(t *testing.T) {
	page := NewCloudPage()
	req := httptest.NewRequest("GET", "/reports/q3?region=emea", nil)
	req.Header.Set("X-MC-User-Email", "ada@example.com")
	req.Header.Set("X-MC-User-Sub", "71000001")
	req.Header.Set("X-MC-Member-Id", "<b>100000001</b>")
	req.Header.Set("Cookie", "__Host-gate=SECRETVALUE; theme=dark")
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, req)
	body := rec.Body.String()

	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET = %d %s; want 200 HTML", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		"<title>Demo CloudPage</title>", "Hello, ada@example.com",
		"X-MC-User-Sub", "71000001", "&lt;b&gt;100000001&lt;/b&gt;", "X-MC-Member-Id",
		"/reports/q3", "region=emea", "__Host-gate", "theme",
		`/reports/q3?region=emea"`, `/team/directory"`, `/submit"`, `action="/_gate/logout"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, leak := range []string{"SECRETVALUE", "dark", "<b>100000001"} {
		if strings.Contains(body, leak) {
			t.Errorf("page shows %q", leak)
		}
	}
}

func TestCloudPageUngated(t *testing.T) {
	rec := serve(NewCloudPage(), "GET", "/", "", "")
	if body := rec.Body.String(); !strings.Contains(body, "Nobody is signed in") || strings.Contains(body, "Hello,") {
		t.Errorf("ungated page = %s; want it to say nobody is signed in", body)
	}
}

func TestCloudPageSubmit(t *testing.T) {
	rec := serve(NewCloudPage(), "POST", "/submit", "application/x-www-form-urlencoded", "note=hi+there&b=%3Cx%3E")
	body := rec.Body.String()
	for _, want := range []string{"POST", "/submit", "hi there", "&lt;x&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page after POST /submit lacks %q", want)
		}
	}
}

func TestCloudPageEcho(t *testing.T) {
	payload := "some body"
	req := httptest.NewRequest("PUT", "http://origin.example/echo/a%2Fb?x=1&x=2&y", strings.NewReader(payload))
	req.Header.Set("X-MC-User-Email", "ada@example.com")
	req.Header.Add("accept", "a")
	req.Header.Add("Accept", "b")
	rec := httptest.NewRecorder()
	NewCloudPage().ServeHTTP(rec, req)

	var got echoAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("echo body %s: %v", rec.Body, err)
	}
	sum := sha256.Sum256([]byte(payload))
	want := echoAnswer{
		Method: "PUT", Host: "origin.example", Path: "/echo/a/b", Query: "x=1&x=2&y",
		RequestURI: "http://origin.example/echo/a%2Fb?x=1&x=2&y",
		Headers:    http.Header{"X-Mc-User-Email": {"ada@example.com"}, "Accept": {"a", "b"}},
		BodyLength: int64(len(payload)), BodySHA256: hex.EncodeToString(sum[:]),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}
	for _, key := range []string{`"method"`, `"path"`, `"query"`, `"headers"`, `"bodyLength"`, `"bodySHA256"`} {
		if !strings.Contains(rec.Body.String(), key) {
			t.Errorf("echo body lacks %s", key)
		}
	}
}

func TestCloudPageBig(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		wantStatus int
		wantLen    int64
	}{
		{"default", "", 200, 1 << 20},
		{"small", "?size=1000", 200, 1000},
		{"zero", "?size=0", 200, 0},
		{"capped", "?size=999999999999", 200, 64 << 20},
		{"negative", "?size=-1", 400, -1},
		{"not a number", "?size=big", 400, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(NewCloudPage())
			defer srv.Close()
			res, err := http.Get(srv.URL + "/big" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d; want %d", res.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" {
				t.Errorf("Content-Type = %q; want application/octet-stream", ct)
			}
			checkPattern(t, res.Body, tt.wantLen)
		})
	}
}

// checkPattern reads r to the end and checks it holds n bytes of i mod 251.
func checkPattern(t *testing.T, r io.Reader, n int64) {
	t.Helper()
	buf := make([]byte, 32<<10)
	var i int64
	for {
		k, err := r.Read(buf)
		for _, b := range buf[:k] {
			if b != byte(i%251) {
				t.Fatalf("byte %d = %d; want %d", i, b, i%251)
			}
			i++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if i != n {
		t.Errorf("read %d bytes; want %d", i, n)
	}
}

func TestCloudPageRedirect(t *testing.T) {
	for _, to := range []string{"/elsewhere?a=1", "https://example.com/x", "relative"} {
		rec := serve(NewCloudPage(), "GET", "/redirect?to="+strings.ReplaceAll(to, "?", "%3F"), "", "")
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != to {
			t.Errorf("redirect to %q = %d %q; want 302 %q", to, rec.Code, rec.Header().Get("Location"), to)
		}
	}
	if rec := serve(NewCloudPage(), "GET", "/redirect", "", ""); rec.Code != http.StatusBadRequest {
		t.Errorf("redirect without to = %d; want 400", rec.Code)
	}
}

func TestCloudPageAssets(t *testing.T) {
	tests := []struct{ path, wantType string }{
		{"/assets/site.css", "text/css; charset=utf-8"},
		{"/assets/readme.txt", "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		rec := serve(NewCloudPage(), "GET", tt.path, "", "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tt.wantType ||
			rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) || rec.Body.Len() == 0 {
			t.Errorf("GET %s = %d %q, %d bytes; want 200 %q", tt.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len(), tt.wantType)
		}
	}
}

func TestCloudPageEveryPathAnswers(t *testing.T) {
	for _, path := range []string{"/", "/x", "/a/b/c?d=e", "/echoes", "/big/x", "/assets", "/_gate/logout"} {
		rec := serve(NewCloudPage(), "GET", path, "", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Demo CloudPage") {
			t.Errorf("GET %s = %d; want 200 and the HTML page", path, rec.Code)
		}
	}
}

func TestMCName(t *testing.T) {
	for in, want := range map[string]string{
		"X-Mc-User-Email":   "X-MC-User-Email",
		"X-Mc-User-Id":      "X-MC-User-Id",
		"X-Mc-Mid":          "X-MC-MID",
		"X-Mc-Eid":          "X-MC-EID",
		"X-Mc-Access-Token": "X-MC-Access-Token",
		"X-Mc-Gate-Nonce":   "X-MC-Gate-Nonce",
		"X-Mc-Middle-Eider": "X-MC-Middle-Eider",
	} {
		if got := mcName(in); got != want {
			t.Errorf("mcName(%q) = %q; want %q", in, got, want)
		}
	}
}
