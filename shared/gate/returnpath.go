package gate

import (
	"net/url"
	"strings"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/session"
)

// cleanReturn turns an untrusted return path into one that stays on the
// gate's own host, or "/" when it cannot (RFC 9700 §4.11.1: no open
// redirector). Only an origin-relative path is kept: it starts with one
// "/", and holds no backslash, control or space character that a browser
// might read as the start of another host ("/\evil.com", "/\t/evil.com").
// Paths into the gate's own endpoints are refused too, so a return path
// never signs the user out or loops into another sign-in.
func cleanReturn(rd string) string {
	if len(rd) == 0 || len(rd) > session.MaxReturnLen || rd[0] != '/' {
		return "/"
	}
	if len(rd) > 1 && (rd[1] == '/' || rd[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(rd); i++ {
		if c := rd[i]; c <= ' ' || c == '\\' || c == 0x7f || c >= 0x80 {
			return "/"
		}
	}

	u, err := url.Parse(rd)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if intoGate(u.Path) || intoGate(u.EscapedPath()) || strings.Contains(u.EscapedPath(), "//") {
		return "/"
	}

	// A fragment never reaches the server from a browser; one that arrives
	// came from a crafted link and is dropped.
	if i := strings.IndexByte(rd, '#'); i >= 0 {
		rd = rd[:i]
	}
	return rd
}

// loginPath is the gate's sign-in address that returns to rd.
func loginPath(rd string) string {
	return config.GatePrefix + "login?rd=" + url.QueryEscape(rd)
}

// intoGate reports whether p, once a browser resolves its dot segments,
// names one of the gate's own endpoints.
func intoGate(p string) bool {
	return strings.HasPrefix(resolveDots(p)+"/", config.GatePrefix)
}

// resolveDots removes the dot segments of an absolute path as a browser
// does (RFC 3986 §5.2.4), keeping empty segments. path.Clean would fold
// "//" first and so resolve "/_gate//../login" differently from a browser.
func resolveDots(p string) string {
	segs := strings.Split(p, "/")[1:]
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/")
}
