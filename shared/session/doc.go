// Package session seals the gate's cookies and defines what they hold.
//
// Every cookie the gate sets is sealed with AES-256-GCM under a key from a
// [Keyring]. The cookie's name is bound in as associated data, so a value
// lifted from one cookie is refused under another name: a login cookie can
// never be replayed as a session. A sealed value carries the id of the key
// that sealed it, which lets operators rotate keys without signing anybody
// out: the first key seals, every key opens.
//
// A [Session] holds who the user is and when they signed in, nothing more by
// default: no Marketing Cloud tokens, so a stolen cookie is worth no more than
// the session it grants and a session stays far below the browsers' 4 KB
// limit. A [Login] holds one sign-in attempt: its state value and where to
// return afterwards (RFC 9700 §4.7.1 keeps the return path out of state).
package session
