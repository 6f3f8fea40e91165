package mcfake

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// notAuthorized is the body REST endpoints answer a bad or expired token
// with, copied from a real answer. What userinfo itself answers is
// unconfirmed; the fake uses this body with 401.
const notAuthorized = `{"documentation":"https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm","errorcode":0,"message":"Not Authorized"}`

// userinfoAnswer is the documented, nested userinfo shape. member_id and
// enterprise_id are numbers; user.sub is a string.
type userinfoAnswer struct {
	Exp          int64        `json:"exp"`
	Iss          string       `json:"iss"`
	User         uiUser       `json:"user"`
	Organization uiOrg        `json:"organization"`
	Rest         uiRest       `json:"rest"`
	Application  uiApp        `json:"application"`
	Permissions  []permission `json:"permissions"`
}

type uiUser struct {
	Sub               string   `json:"sub"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	Email             string   `json:"email,omitempty"`
	Locale            string   `json:"locale"`
	Zoneinfo          string   `json:"zoneinfo"`
	Timezone          timezone `json:"timezone"`
}

type uiOrg struct {
	MemberID       int64    `json:"member_id"`
	EnterpriseID   int64    `json:"enterprise_id"`
	EnterpriseName string   `json:"enterprise_name"`
	AccountType    string   `json:"account_type"`
	StackKey       string   `json:"stack_key"`
	Region         string   `json:"region"`
	Locale         string   `json:"locale"`
	Zoneinfo       string   `json:"zoneinfo"`
	Timezone       timezone `json:"timezone"`
}

type timezone struct {
	LongName  string `json:"longName"`
	ShortName string `json:"shortName"`
	Offset    int    `json:"offset"`
	DST       bool   `json:"dst"`
}

// uiRest has instance URLs without the trailing slash, as in the
// documented userinfo example; token answers have one.
type uiRest struct {
	RestInstanceURL string `json:"rest_instance_url"`
	SoapInstanceURL string `json:"soap_instance_url"`
}

type uiApp struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	RedirectURL []string `json:"redirectUrl"`
	AppScopes   []string `json:"appScopes"`
}

type permission struct {
	ObjectTypeName string `json:"objectTypeName"`
	OperationName  string `json:"operationName"`
	Name           string `json:"name"`
	ID             int    `json:"id"`
}

var (
	london     = timezone{"(GMT) Dublin, Edinburgh, Lisbon, London *", "GMT+0", 0, true}
	losAngeles = timezone{"(GMT-08:00) Pacific Time (US & Canada) *", "GMT-8", -8, true}
)

// userinfo serves GET /v2/userinfo.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	if s.userinfoFault(w, r) {
		return
	}
	g, ok := s.accessGrant(bearer(r))
	u, known := s.user(g.sub)
	if !ok || !known {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, notAuthorized)
		return
	}

	a := s.describe(g, u)
	if r.URL.Query().Get("view") == "oidc" {
		a.User.Sub = "https://mc.auth.marketingcloudapis.com/uid/" + u.Sub
	}
	s.editUserinfo(&a)
	writeJSON(w, http.StatusOK, a)
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// describe builds the userinfo answer for an access token's grant.
func (s *Server) describe(g grant, u User) userinfoAnswer {
	return userinfoAnswer{
		Exp: g.expires.Unix(),
		Iss: "https://mc.exacttarget.com",
		User: uiUser{
			Sub: u.Sub, Name: u.Name, PreferredUsername: u.Name, Email: u.Email,
			Locale: "en-GB", Zoneinfo: "Europe/London", Timezone: london,
		},
		Organization: uiOrg{
			MemberID: g.mid, EnterpriseID: u.EID,
			EnterpriseName: "Enterprise " + strconv.FormatInt(u.EID, 10),
			AccountType:    "enterprise", StackKey: "S1", Region: "NA1",
			Locale: "en-US", Zoneinfo: "America/Los_Angeles", Timezone: losAngeles,
		},
		Rest: uiRest{
			RestInstanceURL: strings.TrimSuffix(s.instanceURL("rest"), "/"),
			SoapInstanceURL: strings.TrimSuffix(s.instanceURL("soap"), "/"),
		},
		Application: uiApp{
			ID: "5c0e8f3a-6b1d-4e27-9a40-d3f1b7c2e815", Name: "CloudPage Gate",
			RedirectURL: s.RedirectURIs, AppScopes: s.scopes,
		},
		Permissions: []permission{
			{ObjectTypeName: "Email", OperationName: "Read", Name: "Read", ID: 121},
		},
	}
}
