package mcfake

import "slices"

// User is someone who can sign in at the fake.
type User struct {
	Sub   string // employee id; "user.sub" in userinfo, a JSON string
	Name  string // username; "user.name" and "user.preferred_username"
	Email string // "user.email"

	// MID and EID are the user's default business unit and its enterprise:
	// "organization.member_id" and "organization.enterprise_id", JSON numbers.
	MID, EID int64

	// BusinessUnits are further MIDs the user may switch to with account_id
	// at the token endpoint. The default MID is always allowed.
	BusinessUnits []int64

	// Licensed is whether the integration's package is licensed to the user
	// when the server starts; [Server.SetLicensed] changes it later.
	// Authorize sends an unlicensed user back with error=user_not_licensed.
	Licensed bool

	// Label is what the sign-in page shows for the user.
	Label string
}

// canReach reports whether the user may hold a token for business unit mid.
func (u User) canReach(mid int64) bool {
	return mid == u.MID || slices.Contains(u.BusinessUnits, mid)
}

// The demo users' business units. All but the last share one enterprise.
const (
	demoEID      = 100000000
	demoMID      = 100000001
	demoOtherMID = 100000002
	otherEID     = 200000000
	otherMID     = 200000001
)

// DemoUsers returns a fresh copy of the people a demo or test can sign in as,
// in this order: a licensed user who may also switch to the second business
// unit, an unlicensed user, a licensed user of a second business unit in the
// same enterprise, and a licensed user of another enterprise.
func DemoUsers() []User {
	return []User{
		{
			Sub: "71000001", Name: "ada.lovelace", Email: "ada@example.com",
			MID: demoMID, EID: demoEID, BusinessUnits: []int64{demoOtherMID},
			Licensed: true, Label: "Licensed user",
		},
		{
			Sub: "71000002", Name: "grace.hopper", Email: "grace@example.com",
			MID: demoMID, EID: demoEID,
			Licensed: false, Label: "Unlicensed user",
		},
		{
			Sub: "71000003", Name: "alan.turing", Email: "alan@example.com",
			MID: demoOtherMID, EID: demoEID,
			Licensed: true, Label: "Licensed user, other business unit",
		},
		{
			Sub: "71000004", Name: "edsger.dijkstra", Email: "edsger@example.org",
			MID: otherMID, EID: otherEID,
			Licensed: true, Label: "Licensed user, other enterprise",
		},
	}
}
