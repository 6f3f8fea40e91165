package mcfake

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
)

// TestConcurrentUse runs whole flows side by side with the control methods;
// run it with -race.
func TestConcurrentUse(t *testing.T) {
	s, _ := newServer(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := []string{ada, alan}[i%2]
			c, err := s.SignIn(sub)
			if err != nil {
				t.Errorf("SignIn: %v", err)
				return
			}
			rec := serve(s, "GET", "/v2/authorize?"+authorizeQuery(), "", "", c)
			loc, err := url.Parse(rec.Header().Get("Location"))
			if err != nil || loc.Query().Get("code") == "" {
				t.Errorf("authorize = %d %q; want a code", rec.Code, rec.Header().Get("Location"))
				return
			}
			rec = postToken(s, codeBody(loc.Query().Get("code")))
			if rec := getUserinfo(s, gjson.Get(rec.Body.String(), "access_token").String()); rec.Code != http.StatusOK {
				t.Errorf("userinfo = %d; want 200", rec.Code)
			}
			s.SetFaults(Faults{})
			s.SignOut(grace)
			_ = s.CurrentFaults()
			_ = s.SetLicensed(grace, i%2 == 0)
			_ = s.Licences()
		}()
	}
	wg.Wait()
}

func TestConcurrentExchanges(t *testing.T) {
	s, _ := newServer(t)
	code := authorizeCode(t, s, signIn(t, s, ada), authorizeQuery())

	// However many race for one code, exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rec := postToken(s, codeBody(code)); rec.Code == http.StatusOK {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d exchanges of one code succeeded; want 1", wins)
	}
}
