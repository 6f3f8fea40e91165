package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the servers' goroutines can log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr syncBuffer
	args := []string{
		"-client-id", "vqwyswrlzzfk024ivr682esb", "-client-secret", "not-a-secret",
		"-redirect-uri", "http://127.0.0.1:8787/_gate/callback", "-redirect-uri", "https://gate.example.com/_gate/callback",
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, stdoutW, &stderr)
		stdoutW.Close()
	}()

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the address line: %v (stderr: %s)", err, stderr.String())
	}
	var addrs struct{ MC, Page string }
	if err := json.Unmarshal([]byte(line), &addrs); err != nil || !strings.HasPrefix(addrs.MC, "http://127.0.0.1:") || !strings.HasPrefix(addrs.Page, "http://127.0.0.1:") {
		t.Fatalf("address line %q: want {\"mc\":\"http://127.0.0.1:PORT\",\"page\":...}", line)
	}
	go io.Copy(io.Discard, stdoutR)

	query := "?response_type=code&client_id=vqwyswrlzzfk024ivr682esb&redirect_uri=http%3A%2F%2F127.0.0.1%3A8787%2F_gate%2Fcallback&state=SENSITIVE"
	checks := []struct {
		method, url, body string
		want              int
	}{
		{"GET", addrs.MC + "/v2/authorize" + query, "", http.StatusOK},
		{"POST", addrs.MC + "/_fake/faults", `{"down":true}`, http.StatusOK},
		{"POST", addrs.MC + "/v2/token", `{}`, http.StatusServiceUnavailable},
		{"GET", addrs.Page + "/echo?code=SENSITIVE", "", http.StatusOK},
	}
	for _, c := range checks {
		req, _ := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.url, err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("%s %s = %d; want %d", c.method, c.url, res.StatusCode, c.want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel = %v; want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run didn't return after cancel")
	}
	logs := stderr.String()
	for _, want := range []string{"mc GET /v2/authorize 200", "mc POST /v2/token 503", "page GET /echo 200"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "SENSITIVE") || strings.Contains(logs, "not-a-secret") {
		t.Errorf("log shows a query or a secret:\n%s", logs)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing", nil, "client id is empty"},
		{"no redirect uri", []string{"-client-id", "a", "-client-secret", "b"}, "0 registered"},
		{"localhost", []string{"-client-id", "a", "-client-secret", "b", "-redirect-uri", "http://localhost:8787/cb"}, "localhost"},
		{"stray argument", []string{"-client-id", "a", "extra"}, "unexpected argument"},
		{"unknown flag", []string{"-nope"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error()+stderr.String(), tt.want) {
				t.Errorf("run(%q) = %v; want an error mentioning %q", tt.args, err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("run(%q) printed %q; want nothing on stdout", tt.args, stdout.String())
			}
		})
	}
}
