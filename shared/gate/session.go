package gate

import (
	"time"

	"github.com/cloudpage-gate/gate/shared/session"
)

// clockSkew is how far in the future a sign-in time may lie and still be
// believed: isolates' clocks differ a little, never by minutes.
const clockSkew = time.Minute

// session returns the request's valid session, or nil. A cookie that is
// present but refused is logged with the reason and cleared.
func (x *exchange) session() *session.Session {
	if o := x.opened(); o != nil {
		return o.s
	}
	return nil
}

// opened is session with what the gate worked out for it once (see
// sessionCache): the identity fields it forwards.
func (x *exchange) opened() *opened {
	j := x.jar()
	if !j.hasSess {
		return nil
	}

	o, reason := x.g.openSession(j.session, x.now())
	if reason != "" {
		x.emit(&Event{Level: "info", Name: EventSessionRefused, Reason: reason})
		x.endSession()
		return nil
	}
	return o
}

// endSession clears the request's session cookie, if it has one. The
// request counts as without a session from then on.
func (x *exchange) endSession() {
	j := x.jar()
	if !j.hasSess {
		return
	}
	j.session, j.hasSess = "", false
	x.set = append(x.set, clearCookie(sessionCookie))
}

// Reasons a session cookie is refused.
const (
	reasonUnreadable = "unreadable" // tampered, truncated or sealed by an unknown key
	reasonExpired    = "expired"
	reasonFuture     = "issued_in_future"
	reasonNotAllowed = "not_allowed" // off the allow-lists in force now
)

func (g *Gate) openSession(v string, now time.Time) (*opened, string) {
	o := g.sessions.get(v)
	if o == nil {
		plain, err := g.keys.Open(sessionCookie, v)
		if err != nil {
			return nil, reasonUnreadable
		}

		s := new(session.Session)
		if err := s.UnmarshalBinary(plain); err != nil {
			return nil, reasonUnreadable
		}
		o = &opened{
			s:       s,
			ident:   identityFields(s, g.cfg.ForwardAccessToken),
			allowed: g.cfg.Allow.Permits(s.Email, s.MID, s.EID),
		}
		g.sessions.put(v, o)
	}
	s := o.s

	// Both the lifetime sealed in and the one configured now apply, so
	// that shortening SESSION_TTL shortens sessions already issued; so do
	// the allow-lists configured now, so that a user taken off them loses
	// access at once rather than when the session ends.
	switch {
	case s.AuthTime.After(now.Add(clockSkew)):
		return nil, reasonFuture
	case !now.Before(s.Expires) || !now.Before(s.AuthTime.Add(g.cfg.SessionTTL)):
		return nil, reasonExpired
	case !o.allowed:
		return nil, reasonNotAllowed
	}
	return o, ""
}

// staleAuth reports whether a top-level navigation should re-run the
// authorization: the sign-in is older than REAUTH_AFTER, or the forwarded
// access token is about to expire. Marketing Cloud answers at once while
// the user is signed in there, so the user sees at most a flicker, and a
// user whose licence was withdrawn loses access within REAUTH_AFTER.
func (g *Gate) staleAuth(s *session.Session, now time.Time) bool {
	if !now.Before(s.AuthTime.Add(g.cfg.ReauthAfter)) {
		return true
	}
	return g.cfg.ForwardAccessToken && !now.Add(time.Minute).Before(s.TokenExpires)
}
