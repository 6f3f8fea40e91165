package main

import (
	"log"
	"net/http"
	"time"
)

// accessLog logs one line per request: server name, method, path, status and
// duration. It logs the path only: a query can carry codes, state or other
// values that don't belong in a log.
func accessLog(logger *log.Logger, name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Printf("%s %s %s %d %v", name, r.Method, r.URL.EscapedPath(), rec.status, time.Since(start).Round(time.Microsecond))
	})
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	written bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.written {
		s.status, s.written = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.written = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer, to flush.
func (s *statusRecorder) Unwrap() http.ResponseWriter {
	return s.ResponseWriter
}
