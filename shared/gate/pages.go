package gate

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudpage-gate/gate/shared/config"
	"github.com/cloudpage-gate/gate/shared/page"
)

// The pages the gate shows. Each says what happened in plain words and
// what the reader can do next, and every page about something an
// administrator can fix names the variable, setting or log line to look
// at. None shows a secret, token, code or cookie value, or text taken from
// the request; the lead of the refusal page names the user as Marketing
// Cloud does. Body and Admin text marks code with backquotes (page.Page).

// tellAdmin is the next step on a page about a fault only an
// administrator can mend.
const tellAdmin = "This is not something you can fix. " +
	"Please tell the page's administrator, and quote the request id below."

func signInAgain(href string) *page.Action {
	return &page.Action{Label: "Sign in again", Href: href}
}

// logLine points an administrator at the gate's log line for the request
// whose id the page shows.
func logLine(event, what string) string {
	return "The gate's `" + event + "` log line with this request id " + what + "."
}

// signInPage answers a frame that needs a session. Marketing Cloud's
// sign-in refuses to be framed, so the link opens in the whole window; the
// page itself may be framed, or the reader would see only the browser's
// refusal (see page.Page.Framed).
func signInPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusUnauthorized,
		Title:  "Sign in to continue",
		Lead:   "This page is only open to people signed in with Marketing Cloud.",
		Body: []string{"Marketing Cloud's sign-in cannot open inside another page, so the button " +
			"opens it in the whole window and takes you to this page once you are signed in."},
		Action: &page.Action{Label: "Sign in with Marketing Cloud", Href: login, Top: true},
		Admin: []string{"This page was loaded in a frame. The gate's session cookie is `SameSite=Lax`, " +
			"so it reaches a frame only when the page around it is on the same site as the gate; " +
			"inside another site, such as Marketing Cloud itself, link to the page instead of framing it."},
		Framed: true,
	}
}

func formExpiredPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusUnauthorized,
		Title:  "Your sign-in has expired",
		Lead:   "What you submitted was not sent, because your sign-in had expired.",
		Body: []string{"To keep what you typed, go back with your browser's Back button and copy it. " +
			"Then sign in again, open the form and submit it once more."},
		Action: signInAgain(login),
		Admin: []string{"Sessions end `SESSION_TTL` after signing in (8 hours unless set), " +
			"and sooner when the person signs out; a form left open longer loses its session."},
	}
}

func lostStatePage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusBadRequest,
		Title:  "Sign-in could not be completed",
		Lead: "Your browser came back from Marketing Cloud, but the sign-in it started " +
			"has expired, was already used, or was started in another browser.",
		Body:   []string{"Start again. If this keeps happening, check that your browser accepts cookies from this site."},
		Action: &page.Action{Label: "Start again", Href: login},
		Admin: []string{
			"`MC_REDIRECT_URI` must use the same host name as the pages the gate protects: " +
				"the sign-in cookie is set for that host only.",
			"A sign-in must finish within 10 minutes of starting it.",
			logLine(EventCallbackRefused, "gives the reason"),
		},
	}
}

func badCallbackPage() *page.Page {
	return &page.Page{
		Status: http.StatusBadRequest,
		Title:  "This sign-in link is not valid",
		Lead:   "The address you arrived at does not look like an answer from Marketing Cloud.",
		Body:   []string{"Open the page you wanted again from its usual link; you will be asked to sign in."},
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
		Admin: []string{
			"This address is the path of `MC_REDIRECT_URI`, which only Marketing Cloud's answer " +
				"to a sign-in should open; do not link to it.",
			logLine(EventCallbackRefused, "says what was wrong with it"),
		},
	}
}

func notLicensedPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusForbidden,
		Title:  "You don't have access to this app yet",
		Lead: "Marketing Cloud signed you in, but your user has no licence for the " +
			"installed package behind this page.",
		Body: []string{"Ask your Marketing Cloud administrator to give you access, " +
			"then sign in again. Changes can take up to 5 minutes to apply."},
		Action: signInAgain(login),
		Admin: []string{
			"In Marketing Cloud Setup, open Apps → Installed Packages, choose the package, " +
				"and on its Access tab license this user.",
			"Licences are per business unit: license the user in the business unit they " +
				"sign in to, or choose to license all users.",
		},
	}
}

func authorizeErrorPage(code, login string) *page.Page {
	return &page.Page{
		Status: http.StatusForbidden,
		Title:  "Marketing Cloud did not sign you in",
		Lead:   "Marketing Cloud refused the sign-in (" + code + ").",
		Body:   []string{"Try again. If it fails again, send the request id below to your administrator."},
		Action: signInAgain(login),
		Admin: []string{
			"Check the package's Web App integration: `MC_CLIENT_ID` and `MC_REDIRECT_URI` must " +
				"match it exactly, and the integration must be enabled.",
			logLine(EventLoginDenied, "holds Marketing Cloud's description of the error"),
		},
	}
}

// notAllowedPage answers a user whom the allow-lists refuse. refused names
// the lists that refuse them (refusedBy); without it the page names every
// list. The refused user has no session here, and signing in again would
// bring back the same Marketing Cloud account, so the page says how to
// come back as another one.
func notAllowedPage(email string, mid int64, refused ...string) *page.Page {
	lists := []string{config.VarAllowedMIDs, config.VarAllowedEIDs, config.VarAllowedEmails, config.VarAllowedDomains}
	admin := "Access is limited by " + codeList(lists) + "; a user must match every list that is set."
	if len(refused) > 0 {
		admin = "Refused by " + codeList(refused) + ". Add this user's business unit, " +
			"enterprise or address to each list named if they should have access; a user must match " +
			"every list that is set."
	}
	return &page.Page{
		Status: http.StatusForbidden,
		Title:  "This page is not open to you",
		Lead: "You are signed in to Marketing Cloud as " + email + " (business unit " +
			strconv.FormatInt(mid, 10) + "), and this page is not open to that account.",
		Body: []string{
			"To use another account, sign out of Marketing Cloud first, or switch to a business unit " +
				"that has access, then choose Try again. Until you do, Marketing Cloud signs you in " +
				"here with the same account.",
			"If this account should have access, ask the page's owner to add it, " +
				"and quote the request id below.",
		},
		Action: &page.Action{Label: "Try again", Href: loginPath("/")},
		Admin:  []string{admin},
	}
}

// refusedBy names the allow-lists that refuse a user, each tested alone
// by config.Allow.Permits itself, so the page cannot disagree with the
// decision. Emails and domains are one list: both are named when neither
// admits the user.
func refusedBy(a *config.Allow, email string, mid, eid int64) []string {
	var names []string
	if !(&config.Allow{MIDs: a.MIDs}).Permits(email, mid, eid) {
		names = append(names, config.VarAllowedMIDs)
	}
	if !(&config.Allow{EIDs: a.EIDs}).Permits(email, mid, eid) {
		names = append(names, config.VarAllowedEIDs)
	}
	if !(&config.Allow{Emails: a.Emails, Domains: a.Domains}).Permits(email, mid, eid) {
		names = append(names, config.VarAllowedEmails, config.VarAllowedDomains)
	}
	return names
}

// codeList writes names as code, joined as a sentence does: "`A`, `B` and `C`".
func codeList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("`" + n + "`")
	}
	return b.String()
}

func unreachablePage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "Marketing Cloud did not answer",
		Lead:   "Signing you in needs an answer from Marketing Cloud, and none came in time.",
		Body:   []string{"Wait a minute and try again."},
		Action: signInAgain(login),
		Admin: []string{
			"The gate waits " + strconv.Itoa(int(Budget/time.Second)) + " seconds for Marketing Cloud. " +
				"Check that `MC_SUBDOMAIN` (or `MC_AUTH_BASE_URL`) names the tenant's auth host, " +
				"and Salesforce's status page (status.salesforce.com) for the tenant's stack.",
			logLine(EventExchangeFailed, "(or `"+EventUserinfoFailed+"`) gives the cause"),
		},
	}
}

func unavailablePage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "Marketing Cloud is not available",
		Lead:   "Marketing Cloud answered with an error of its own, so you could not be signed in.",
		Body:   []string{"This is usually brief, such as during maintenance. Try again in a few minutes."},
		Action: signInAgain(login),
		Admin:  []string{"Check Salesforce's status page (status.salesforce.com) for the tenant's stack."},
	}
}

func badAnswerPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "Marketing Cloud gave an unexpected answer",
		Lead:   "Marketing Cloud answered, but not in a way the gate can use to sign you in.",
		Body:   []string{"Try again in a minute. If it keeps failing, send the request id below to your administrator."},
		Action: signInAgain(login),
		Admin: []string{
			logLine(EventExchangeFailed, "(or `"+EventUserinfoFailed+"`) says what was wrong with the answer"),
			"Check that `MC_SUBDOMAIN` (or `MC_AUTH_BASE_URL`) names the tenant's auth host, " +
				"not a REST or SOAP host.",
		},
	}
}

func clientRejectedPage() *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "Sign-in is not set up correctly",
		Lead:   "Marketing Cloud refused this site's credentials, so nobody can sign in right now.",
		Body:   []string{tellAdmin},
		Admin: []string{
			"`MC_CLIENT_ID` and the `MC_CLIENT_SECRET` secret must be the Client Id and Client Secret " +
				"of the package's Web App integration. Set the secret again with " +
				"`npx wrangler secret put MC_CLIENT_SECRET --env <environment>`.",
			"The package must be installed and enabled; changes take up to 5 minutes to apply.",
		},
	}
}

func loopPage() *page.Page {
	return &page.Page{
		Status: http.StatusBadRequest,
		Title:  "Sign-in keeps repeating",
		Lead: "You signed in several times in a row, but your browser never sent the " +
			"sign-in back to this site, so you would only go round in circles.",
		Body: []string{
			"Check that your browser accepts cookies from this site, and that you opened the " +
				"page at its usual address. Then wait two minutes and open it again.",
		},
		Action: &page.Action{Label: "Try again", Href: "/"},
		Admin: []string{
			"Every deployment of the gate must share the same `SESSION_KEYS`, or a session sealed " +
				"by one cannot be opened by another.",
			"The site must be served over https (http only on 127.0.0.1 or localhost), " +
				"on the host named in `MC_REDIRECT_URI`.",
		},
	}
}

func logoutPage() *page.Page {
	return &page.Page{
		Status: http.StatusOK,
		Title:  "Sign out",
		Lead:   "Sign out of this site on this browser.",
		Body:   []string{"This ends your sign-in here only; Marketing Cloud itself keeps you signed in."},
		Action: &page.Action{Label: "Sign out", Href: "/_gate/logout", Post: true},
	}
}

func signedOutPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusOK,
		Title:  "You are signed out",
		Lead:   "You are signed out of this site on this browser.",
		Body: []string{"You may still be signed in to Marketing Cloud itself; if you sign in " +
			"here again, it can let you straight back in. Sign out of Marketing Cloud too on a shared computer."},
		Action: &page.Action{Label: "Sign in again", Href: login},
	}
}

func crossSiteLogoutPage() *page.Page {
	return &page.Page{
		Status: http.StatusForbidden,
		Title:  "Sign out from this site",
		Lead:   "Another site asked to sign you out of this one, and the gate refused: nothing has changed.",
		Body:   []string{"If you do want to sign out, use the button below."},
		Action: &page.Action{Label: "Sign out", Href: "/_gate/logout", Post: true},
		Admin: []string{"A sign-out must be a POST to `/_gate/logout` from a page on this site's own " +
			"host, such as a form on the CloudPage; one from any other host or site is refused, " +
			"so that no other site can sign people out."},
	}
}

func methodPage() *page.Page {
	return &page.Page{
		Status: http.StatusMethodNotAllowed,
		Title:  "Not available this way",
		Lead:   "This address of the sign-in gate does not accept this kind of request.",
		Body:   []string{"Go to the start page, or open the page you wanted from its usual link."},
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
		Admin: []string{"The gate's own addresses, under `/_gate/` and at the path of `MC_REDIRECT_URI`, " +
			"take GET only, except `/_gate/logout`, which also takes POST from a form; " +
			"check the form or script that sent this request."},
	}
}

func notFoundPage() *page.Page {
	return &page.Page{
		Status: http.StatusNotFound,
		Title:  "Not found",
		Lead:   "The sign-in gate has nothing at this address.",
		Body:   []string{"Go to the start page, or open the page you wanted from its usual link."},
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
		Admin: []string{"Addresses under `/_gate/` belong to the sign-in gate and never reach the " +
			"CloudPage: `/_gate/login`, `/_gate/logout`, `/_gate/userinfo` and `/_gate/healthz`. " +
			"Give CloudPage paths other names."},
	}
}

func misconfiguredPage() *page.Page {
	return &page.Page{
		Status: http.StatusInternalServerError,
		Title:  "This site's sign-in is misconfigured",
		Lead:   "The sign-in gate in front of this page is not set up correctly, so it lets nobody in.",
		Body:   []string{tellAdmin},
		Admin: []string{
			"Open `/_gate/healthz` on this host: it lists each variable that is missing or wrong.",
			"Run `make check-config ENV=<environment>` before deploying to catch these early.",
		},
	}
}

// internalPage answers a failure of the gate itself; event names the log
// line that holds the cause.
func internalPage(event string) *page.Page {
	return &page.Page{
		Status: http.StatusInternalServerError,
		Title:  "Something went wrong",
		Lead:   "The sign-in gate failed while handling this request.",
		Body:   []string{"Try again. If it keeps failing, send the request id below to your administrator."},
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
		Admin:  []string{logLine(event, "holds the cause")},
	}
}

// originFailedPage is shown when the origin cannot be reached at all
// (Gate.OriginFailed).
func originFailedPage() *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "The page is not answering",
		Lead:   "You are signed in, but the page behind the sign-in gate could not be reached.",
		Body:   []string{"Wait a minute and reload the page."},
		Admin: []string{
			"Check `ORIGIN_URL`, and that the CloudPage is published.",
			logLine(EventOriginFailed, "gives the cause"),
		},
	}
}
