package web_test

import (
	"net/http"
	"testing"

	"bangfu/internal/web/webtest"
)

func auditTotal(t *testing.T, srv *webtest.Server) int {
	t.Helper()
	var n int
	if err := srv.DB.R.Get(&n, "SELECT count(*) FROM audit_events"); err != nil {
		t.Fatal(err)
	}
	return n
}

// recovered takes a green-channel living case of a file opened alongside through approval, payment and a
// flagged review to its recovery, and returns it.
func (f *reliefFixture) recovered() app {
	f.t.Helper()
	f.budget("living", 1000000)
	body := household(f.srv, 5)
	body["industry"] = "catering"
	a := f.draft(map[string]any{"type": "living", "household": body, "amount_fen": 500000, "purpose": "门店停业，生活无着",
		"green": true, "green_reason": "pandemic", "green_note": "所在餐饮门店停业三个月"})
	h := hh{ID: a.HouseholdID}
	for _, k := range []string{"id_scan", "statement"} {
		if r := upload(f.t, f.cw, f.srv, h, k, k+".png", pngBytes()); r.Status != http.StatusCreated {
			f.t.Fatalf("upload %s: %d %s", k, r.Status, r.Body)
		}
	}
	a = f.act(f.cw, a, "submit")
	a = f.act(f.sup1, a, "approve")
	a = f.act(f.fn, a, "disburse")
	f.sup2.Must(http.StatusOK, "POST", appPath(a, "review"), map[string]any{"outcome": "flagged", "note": "经核实门店仍在营业"})
	return decodeApp(f.fn.Must(http.StatusOK, "POST", appPath(a, "recover"), map[string]any{"reason": "复核存疑，追回救助金", "voucher_no": "追-G1"}))
}

// Issue 15 item 7: a recovered payment leaves the workflow — its own status, shown in the detail and the
// lists, no further action (no confirm-receipt), each refused as a conflict that writes nothing.
func TestApplication_ARecoveredPaymentLeavesTheWorkflow(t *testing.T) {
	f := newReliefFixture(t)
	a := f.recovered()
	var detail struct {
		app
		StatusName string `json:"status_name"`
	}
	f.fn.Must(http.StatusOK, "GET", appPath(a, ""), nil).Decode(&detail)
	if detail.Status != "recovered" || detail.StatusName != "已追回" || len(detail.Actions) != 0 || len(detail.Transfers) != 2 {
		t.Fatalf("recovered detail: status %q %q, actions %v, transfers %+v", detail.Status, detail.StatusName, detail.Actions, detail.Transfers)
	}
	for _, c := range []*struct {
		query string
		want  bool
	}{{"status=recovered", true}, {"status=disbursed", false}, {"queue=receipt", false}, {"queue=review", false}, {"", true}} {
		var page struct {
			Items []app `json:"items"`
		}
		f.fn.Must(http.StatusOK, "GET", "/api/v1/applications?"+c.query, nil).Decode(&page)
		found := false
		for _, x := range page.Items {
			if x.ID == a.ID {
				found = true
				if x.Status != "recovered" || len(x.Actions) != 0 {
					t.Errorf("list %q shows %s with actions %v", c.query, x.Status, x.Actions)
				}
			}
		}
		if found != c.want {
			t.Errorf("list %q lists the recovered case: %v, want %v", c.query, found, c.want)
		}
	}
	before := auditTotal(t, f.srv)
	for _, c := range []struct {
		action string
		who    string
	}{{"submit", "cw"}, {"approve", "sup2"}, {"return", "sup2"}, {"reject", "sup2"}, {"disburse", "fn"}, {"void", "fn"},
		{"confirm-receipt", "cw"}, {"confirm-receipt", "fn"}, {"review", "sup2"}, {"recover", "fn"}} {
		t.Run(c.action+"/"+c.who, func(t *testing.T) {
			who := map[string]*webtest.Client{"cw": f.cw, "sup2": f.sup2, "fn": f.fn}[c.who]
			body := actionBody(c.action)
			if c.action == "recover" {
				body = map[string]any{"reason": "再次追回"}
			}
			who.Refused(http.StatusConflict, "conflict", "POST", appPath(a, c.action), body)
		})
	}
	t.Run("edit", func(t *testing.T) {
		f.cw.Refused(http.StatusConflict, "conflict", "PUT", appPath(a, ""), living(hh{ID: a.HouseholdID}, 100000))
	})
	if n := auditTotal(t, f.srv); n != before {
		t.Errorf("refused actions on a recovered case wrote %d audit events", n-before)
	}
}
