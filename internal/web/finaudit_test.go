package web_test

import (
	"strconv"
	"strings"
	"testing"

	"bangfu/internal/finaudit"
	"bangfu/internal/web/webtest"
)

var finauditReports = []string{"/api/v1/reports/register", "/api/v1/reports/fund-use", "/api/v1/reports/reconciliation", "/api/v1/reports/anomalies"}

// SPEC §1.2, §8.2: who reads the finance audit. Admin reads no money data and caseworkers no books; supervisors
// read the register and the summary of the money they decide on, not the reconciliation or the anomaly
// report. A refused caller is refused whatever the query says.
func TestFinauditReports_WhoMayReadThem(t *testing.T) {
	srv := webtest.New(t)
	for _, who := range []string{"caseworker1", "admin"} {
		for _, path := range finauditReports {
			srv.Login(who).Refused(403, "forbidden", "GET", path+"?from=not-a-date&page=x", nil)
		}
	}
	sup := srv.Login("supervisor1")
	sup.Refused(403, "forbidden", "GET", "/api/v1/reports/reconciliation", nil)
	sup.Refused(403, "forbidden", "GET", "/api/v1/reports/anomalies?rule=nonsense", nil)
	sup.Must(200, "GET", "/api/v1/reports/register", nil)
	sup.Must(200, "GET", "/api/v1/reports/fund-use", nil)
	for _, who := range []string{"finance1", "auditor1"} {
		for _, path := range finauditReports {
			srv.Login(who).Must(200, "GET", path, nil)
		}
	}
	srv.Anonymous().Refused(401, "unauthenticated", "GET", "/api/v1/reports/register", nil)
}

func TestFinauditReports_OverTheDemo(t *testing.T) {
	srv := webtest.NewDemo(t)
	aud := srv.Login("auditor1")

	t.Run("the register's totals are those of its filter, its payees masked", func(t *testing.T) {
		var all finaudit.Register
		aud.Must(200, "GET", "/api/v1/reports/register?per_page=200", nil).Decode(&all)
		var want int64
		// Every payment: the applications paid, and the campaigns' purchases and health checks.
		if err := srv.DB.R.Get(&want, `SELECT (SELECT sum(amount_fen) FROM applications WHERE status IN ('disbursed', 'received', 'recovered'))
			+ (SELECT sum(t.amount) FROM campaign_purchases p JOIN fund_transfers t ON t.id = p.money_transfer_id WHERE p.reversed_at IS NULL)
			+ (SELECT sum(t.amount) FROM campaign_enrolments e JOIN fund_transfers t ON t.id = e.transfer_id)`); err != nil {
			t.Fatal(err)
		}
		if int64(all.TotalFen) != want || all.Total == 0 {
			t.Fatalf("register total %d fen over %d payments, the payments %d", all.TotalFen, all.Total, want)
		}
		var med finaudit.Register
		aud.Must(200, "GET", "/api/v1/reports/register?type=medical&per_page=200", nil).Decode(&med)
		var sum int64
		for _, p := range med.Items {
			if p.Type != "medical" {
				t.Errorf("type=medical lists %s %s", p.AppNo, p.Type)
			}
			if !strings.Contains(p.PayeeName, "*") || (p.PayeeCard != "" && !strings.Contains(p.PayeeCard, "*")) {
				t.Errorf("%s: payee %q card %q not masked", p.AppNo, p.PayeeName, p.PayeeCard)
			}
			if len(p.Approvers) == 0 || p.Disburser == "" || p.VoucherNo == "" {
				t.Errorf("%s: approvers %v, disbursed by %q, voucher %q", p.AppNo, p.Approvers, p.Disburser, p.VoucherNo)
			}
			sum += int64(p.AmountFen)
		}
		if med.Total != len(med.Items) || int64(med.TotalFen) != sum || med.TotalFen >= all.TotalFen {
			t.Errorf("medical: %d items of %d, %d fen, sum %d, of all %d", len(med.Items), med.Total, med.TotalFen, sum, all.TotalFen)
		}
		r := aud.Refused(400, "validation", "GET", "/api/v1/reports/register?from=2026-13-01", nil)
		if _, _, fields := r.Error(); fields["from"] == "" {
			t.Errorf("a bad date names its field: %s", r.Body)
		}
	})

	t.Run("an org filter holds its subtree and no org outside the caller's scope", func(t *testing.T) {
		var sub finaudit.Register
		srv.Login("supervisor1").Must(200, "GET", "/api/v1/reports/register?per_page=200&org_id="+strconv.FormatInt(srv.OrgID("BJ-XX-JH"), 10), nil).Decode(&sub)
		var inSub, all int
		if err := srv.DB.R.Get(&inSub, `SELECT count(*) FROM applications WHERE status IN ('disbursed', 'received', 'recovered')
			AND org_path LIKE (SELECT path FROM orgs WHERE code = 'BJ-XX-JH') || '%'`); err != nil {
			t.Fatal(err)
		}
		if err := srv.DB.R.Get(&all, "SELECT count(*) FROM applications WHERE status IN ('disbursed', 'received', 'recovered')"); err != nil {
			t.Fatal(err)
		}
		if sub.Total != inSub || inSub == 0 || inSub == all {
			t.Errorf("BJ-XX-JH's register: %d payments; %d are in BJ-XX-JH, %d in the district", sub.Total, inSub, all)
		}
		// supervisor1 keeps BJ-XX: another street's union is out of scope, and says so without its data.
		srv.Login("supervisor1").Refused(400, "validation", "GET", "/api/v1/reports/register?org_id="+strconv.FormatInt(srv.OrgID("BJ-CH-SY-01"), 10), nil)
	})

	t.Run("the demo reconciles", func(t *testing.T) {
		var rec finaudit.Reconciliation
		aud.Must(200, "GET", "/api/v1/reports/reconciliation", nil).Decode(&rec)
		if !rec.OK || len(rec.Differences) != 0 || rec.Applications == 0 || rec.LedgerPaidFen != rec.RegisterPaidFen {
			t.Errorf("reconciliation: %+v", rec)
		}
	})

	t.Run("every anomaly run is audited; one rule can be shown alone", func(t *testing.T) {
		before := countAudit(t, srv, "report.anomalies")
		var rep finaudit.AnomalyReport
		aud.Must(200, "GET", "/api/v1/reports/anomalies?rule=split_payments", nil).Decode(&rep)
		if len(rep.Rules) != 1 || rep.Rules[0].Rule != finaudit.RuleSplit || rep.Rules[0].Count == 0 {
			t.Fatalf("split payments alone: %+v", rep.Rules)
		}
		for _, r := range rep.Rules[0].Findings[0].Refs {
			if r.Type != "application" || r.ID == 0 || r.Label == "" {
				t.Errorf("a finding's record has no link: %+v", r)
			}
		}
		if got := countAudit(t, srv, "report.anomalies"); got != before+1 {
			t.Errorf("audit events for the run: %d, then %d", before, got)
		}
		aud.Refused(400, "validation", "GET", "/api/v1/reports/anomalies?rule=nonsense", nil)
		aud.Refused(400, "validation", "GET", "/api/v1/reports/anomalies?from=yesterday", nil)
	})

	t.Run("the fund-use summary answers for a period", func(t *testing.T) {
		var fu finaudit.FundUse
		aud.Must(200, "GET", "/api/v1/reports/fund-use?from=2026-01-01&to=2026-12-31", nil).Decode(&fu)
		if len(fu.Funds) == 0 || len(fu.Lines) == 0 || len(fu.Allocations) == 0 || len(fu.Months) == 0 {
			t.Errorf("fund use: %d funds, %d lines, %d allocations, %d months", len(fu.Funds), len(fu.Lines), len(fu.Allocations), len(fu.Months))
		}
		aud.Refused(400, "validation", "GET", "/api/v1/reports/fund-use?to=31.12.2026", nil)
	})
}

func countAudit(t *testing.T, srv *webtest.Server, action string) int {
	t.Helper()
	var n int
	if err := srv.DB.R.Get(&n, "SELECT count(*) FROM audit_events WHERE action = ?", action); err != nil {
		t.Fatal(err)
	}
	return n
}
