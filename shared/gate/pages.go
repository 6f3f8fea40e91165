package gate

import (
	"net/http"
	"strconv"

	"github.com/cloudpage-gate/gate/shared/page"
)

// The pages the gate shows. Each says what happened in plain words, what
// the reader can do, and what an administrator should check. None shows a
// secret, token, code or cookie value, or text taken from the request.

func signInAgain(href string) *page.Action {
	return &page.Action{Label: "Sign in again", Href: href}
}

func signInPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusUnauthorized,
		Title:  "Sign in to continue",
		Lead:   "This page is only open to people signed in with Marketing Cloud.",
		Action: &page.Action{Label: "Sign in with Marketing Cloud", Href: login, Top: true},
	}
}

func formExpiredPage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusUnauthorized,
		Title:  "Your sign-in has expired",
		Lead:   "What you submitted was not sent, because your sign-in had expired.",
		Body: []string{"Sign in again, then go back to the form and submit it once more. " +
			"If your browser kept what you typed, use its Back button after signing in."},
		Action: signInAgain(login),
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
			"MC_REDIRECT_URI must use the same host name as the pages the gate protects: " +
				"the sign-in cookie is set for that host only.",
			"A sign-in must finish within 10 minutes of starting it.",
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
			"Check the package's Web App integration: MC_CLIENT_ID and MC_REDIRECT_URI must " +
				"match it exactly, and the integration must be enabled.",
			"The gate's log line for this request holds Marketing Cloud's description of the error.",
		},
	}
}

func notAllowedPage(email string, mid int64) *page.Page {
	return &page.Page{
		Status: http.StatusForbidden,
		Title:  "This page is not open to you",
		Lead: "You are signed in to Marketing Cloud as " + email + " (business unit " +
			strconv.FormatInt(mid, 10) + "), but this page is open only to selected users or business units.",
		Body: []string{"If you should have access, ask the page's owner to add you. " +
			"If you meant to use another business unit, switch to it in Marketing Cloud and open the page again."},
		Action: &page.Action{Label: "Sign out of this site", Href: "/_gate/logout"},
		Admin: []string{"Access is limited by ALLOWED_MIDS, ALLOWED_EIDS, ALLOWED_EMAILS " +
			"and ALLOWED_EMAIL_DOMAINS; a user must match every list that is set."},
	}
}

func unreachablePage(login string) *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "Marketing Cloud did not answer",
		Lead:   "Signing you in needs an answer from Marketing Cloud, and none came in time.",
		Body:   []string{"Wait a minute and try again."},
		Action: signInAgain(login),
		Admin:  []string{"Check MC_SUBDOMAIN (or MC_AUTH_BASE_URL) and Salesforce's status page for the tenant's stack."},
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
			"The gate's log line for this request says what was wrong with the answer.",
			"Check that MC_SUBDOMAIN points at the tenant's auth host.",
		},
	}
}

func clientRejectedPage() *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "Sign-in is not set up correctly",
		Lead:   "Marketing Cloud refused this site's credentials, so nobody can sign in right now.",
		Body:   []string{"This is not something you can fix. Please tell the page's administrator."},
		Admin: []string{
			"MC_CLIENT_ID and the MC_CLIENT_SECRET secret must be the Client Id and Client Secret " +
				"of the package's Web App integration.",
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
			"Every deployment of the gate must share the same SESSION_KEYS, or a session sealed " +
				"by one cannot be opened by another.",
			"The site must be served over https (http only on 127.0.0.1 or localhost), " +
				"on the host named in MC_REDIRECT_URI.",
		},
	}
}

func logoutPage() *page.Page {
	return &page.Page{
		Status: http.StatusOK,
		Title:  "Sign out",
		Lead:   "Sign out of this site on this browser.",
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
		Lead:   "Another site asked to sign you out of this one, and the gate refused.",
		Body:   []string{"To sign out, use the button below."},
		Action: &page.Action{Label: "Sign out", Href: "/_gate/logout", Post: true},
	}
}

func methodPage() *page.Page {
	return &page.Page{
		Status: http.StatusMethodNotAllowed,
		Title:  "Not available this way",
		Lead:   "This address of the sign-in gate does not accept this kind of request.",
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
	}
}

func notFoundPage() *page.Page {
	return &page.Page{
		Status: http.StatusNotFound,
		Title:  "Not found",
		Lead:   "The sign-in gate has nothing at this address.",
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
	}
}

func misconfiguredPage() *page.Page {
	return &page.Page{
		Status: http.StatusInternalServerError,
		Title:  "This site's sign-in is misconfigured",
		Lead:   "The sign-in gate in front of this page is not set up correctly, so it lets nobody in.",
		Body:   []string{"This is not something you can fix. Please tell the page's administrator."},
		Admin: []string{
			"Open /_gate/healthz on this host: it lists each variable that is missing or wrong.",
			"Run `make check-config ENV=<environment>` before deploying to catch these early.",
		},
	}
}

func internalPage() *page.Page {
	return &page.Page{
		Status: http.StatusInternalServerError,
		Title:  "Something went wrong",
		Lead:   "The sign-in gate failed while handling this request.",
		Body:   []string{"Try again. If it keeps failing, send the request id below to your administrator."},
		Action: &page.Action{Label: "Go to the start page", Href: "/"},
	}
}

// OriginFailedPage is shown when the origin cannot be reached at all. The
// host calls it after a failed forward.
func OriginFailedPage() *page.Page {
	return &page.Page{
		Status: http.StatusBadGateway,
		Title:  "The page is not answering",
		Lead:   "You are signed in, but the page behind the sign-in gate could not be reached.",
		Body:   []string{"Wait a minute and reload the page."},
		Admin:  []string{"Check ORIGIN_URL, and that the CloudPage is published."},
	}
}
