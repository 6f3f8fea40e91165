package gate

import (
	"time"

	"github.com/cloudpage-gate/gate/shared/jsonw"
)

// Event names, one per kind of authentication outcome. Log pipelines
// filter on them (Workers Logs, Logpush), so they never change meaning.
const (
	EventConfigInvalid   = "config_invalid"
	EventLoginStarted    = "login_started"
	EventLoginSucceeded  = "login_succeeded"
	EventLoginDenied     = "login_denied"
	EventLoginLoop       = "login_loop"
	EventCallbackRefused = "callback_refused"
	EventExchangeFailed  = "exchange_failed"
	EventUserinfoFailed  = "userinfo_failed"
	EventSessionRefused  = "session_refused"
	EventLogout          = "logout"
	EventLogoutRefused   = "logout_refused"
	EventOriginFailed    = "origin_failed"
	EventInternalError   = "internal_error"

	// EventPanic is logged by the host when handling a request panicked;
	// the request got a 500 and the gate went on serving.
	EventPanic = "panic"
)

// Event is one log record. It never holds a secret, token, code, state or
// cookie value; User is the signed-in email address, logged so that an
// administrator can answer "who signed in, who was refused".
type Event struct {
	Time      time.Time
	Level     string // "info", "warn" or "error"
	Name      string // one of the Event… constants
	RequestID string
	Reason    string // a short code, such as "expired" or "timeout"
	Detail    string // the cause in words
	Path      string // the request path, without its query
	User      string
	MID       int64
}

// JSON returns the event as one line of JSON, without a newline.
func (e *Event) JSON() []byte {
	var o jsonw.Object
	o.String("time", e.Time.UTC().Format(time.RFC3339Nano)).
		String("level", e.Level).
		String("event", e.Name)
	if e.RequestID != "" {
		o.String("request_id", e.RequestID)
	}
	if e.Reason != "" {
		o.String("reason", e.Reason)
	}
	if e.Detail != "" {
		o.String("detail", e.Detail)
	}
	if e.Path != "" {
		o.String("path", e.Path)
	}
	if e.User != "" {
		o.String("user", e.User)
	}
	if e.MID != 0 {
		o.Int("mid", e.MID)
	}
	return o.Bytes()
}

func (g *Gate) emit(e *Event) {
	if g.log == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = g.now()
	}
	g.log(e)
}

func (x *exchange) emit(e *Event) {
	e.RequestID = x.requestID()
	e.Path = x.path
	x.g.emit(e)
}
