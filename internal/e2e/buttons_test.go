package e2e

import (
	"net/http"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"bangfu/internal/actor"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// TestBrowser_EachRoleSeesTheButtonsOfWhatItMayDo: a page shows a button for an action exactly when the
// permission table lets the user's roles call the action's route (or, for a choice inside a route, when the
// area allows it): each demo user opens the pages it may open, and every button listed is there or absent
// as web.AllowedRoutes and web.Capabilities of its roles say. The pages decide nothing by role themselves.
func TestBrowser_EachRoleSeesTheButtonsOfWhatItMayDo(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	type control struct {
		sel   string // a CSS selector of the button, within the page
		route string // the route it calls, or a capability
	}
	pages := []struct {
		hash, needs, ready string // the page, the route it opens for, what shows once its list has loaded
		controls           []control
	}{
		{"#/households", "GET /api/v1/households", "#household-list tbody tr", []control{
			{"#household-new", "POST /api/v1/households"},
			{"#household-list-export-xlsx-full", "export.unmasked"},
		}},
		{"#/applications", "GET /api/v1/applications", "#application-list tbody tr", []control{
			{"#application-new", "POST /api/v1/applications"},
		}},
		{"#/referrals", "GET /api/v1/referrals", "#referral-list tbody tr", []control{
			{"#referral-new", "POST /api/v1/referrals"},
			{"#referral-list tbody button", "POST /api/v1/referrals/:id/close"}, // 办结, on the demo's pending referrals
		}},
		{"#/campaigns", "GET /api/v1/campaigns", "#campaign-list tbody tr", []control{
			{"#campaign-new", "POST /api/v1/campaigns"},
			{"#campaign-list-export-xlsx", "GET /api/v1/campaigns/export"},
		}},
		{"#/funds", "GET /api/v1/funds", "#fund-list tbody tr", []control{
			{"#fund-new", "POST /api/v1/funds"},
			{"#line-new", "POST /api/v1/funds"},
			{"#fund-list .act-receive", "POST /api/v1/funds/:id/receive"},
			{"#fund-list .act-budget", "POST /api/v1/funds/:id/budget"},
			{"#fund-list .act-allocate", "POST /api/v1/allocations"},
		}},
		{"#/allocations", "GET /api/v1/allocations", "#allocation-list tbody tr", []control{
			{"#allocation-new", "POST /api/v1/allocations"},
		}},
	}
	shown := 0
	for _, user := range []string{"caseworker1", "supervisor1", "finance1", "auditor1"} {
		var me struct {
			Roles []actor.Role `json:"roles"`
		}
		b.srv.Login(user).Must(http.StatusOK, "GET", "/api/v1/me", nil).Decode(&me)
		may := append(web.AllowedRoutes(me.Roles), web.Capabilities(me.Roles)...)
		b.run(login(b.srv, user))
		for _, p := range pages {
			if !slices.Contains(may, p.needs) {
				continue
			}
			b.open(p.hash)
			b.run(chromedp.WaitVisible(chromedp.CSS(p.ready)))
			for _, c := range p.controls {
				want := slices.Contains(may, c.route)
				if got := count(t, b, c.sel) > 0; got != want {
					t.Errorf("%s on %s: %s shown %v, but the roles %v may call %s: %v", user, p.hash, c.sel, got, me.Roles, c.route, want)
				}
				if want {
					shown++
				}
			}
		}
	}
	if shown < 8 {
		t.Fatalf("only %d buttons were expected anywhere: the pages no longer show what the roles may do", shown)
	}
}
