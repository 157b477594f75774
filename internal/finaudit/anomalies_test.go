package finaudit_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/finaudit"
	"bangfu/internal/household"
	"bangfu/internal/store"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s+" 10:00", clock.China)
	if err != nil {
		panic(err)
	}
	return t
}

// findingsWith returns the findings of rule that involve application (or household) id.
func findingsWith(r finaudit.AnomalyReport, rule, typ string, id int64) []finaudit.Finding {
	var out []finaudit.Finding
	for _, g := range r.Rules {
		if g.Rule != rule {
			continue
		}
		for _, f := range g.Findings {
			if slices.ContainsFunc(f.Refs, func(x finaudit.Ref) bool { return x.Type == typ && x.ID == id }) {
				out = append(out, f)
			}
		}
	}
	return out
}

func report(t *testing.T, p *planter) finaudit.AnomalyReport {
	t.Helper()
	r, err := service(p.db).Anomalies(context.Background(), user(t, p.db, "auditor1"), finaudit.AnomalyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func closeFile(t *testing.T, p *planter, h int64, action string, at time.Time) {
	t.Helper()
	status := map[string]string{"household.exit": "exited", "household.reject": "rejected"}[action]
	err := p.db.Write(context.Background(), func(tx *sqlx.Tx) error {
		if _, err := tx.Exec("UPDATE households SET status = ? WHERE id = ?", status, h); err != nil {
			return err
		}
		return audit.Record(context.Background(), tx, user(t, p.db, "supervisor1"), at, audit.Entry{Action: action,
			EntityType: "household", EntityID: itoa(h), Reason: "脱困"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reviewExit exits household h through the annual review at at, as a supervisor does (household.ActTx): the
// file was filed more than a year before, so it is due for review.
func reviewExit(t *testing.T, p *planter, h int64, at time.Time) {
	t.Helper()
	sqlExec(t, p, "UPDATE households SET filed_at = ? WHERE id = ?", store.FormatTime(at.AddDate(-1, 0, -5)), h)
	err := p.db.Write(context.Background(), func(tx *sqlx.Tx) error {
		_, err := household.ActTx(context.Background(), tx, user(t, p.db, "supervisor1"), at, h, household.ActReview,
			household.ActionInput{Decision: "exit", ExitReason: "recovered", Reason: "年审：已脱困"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnomalies_AnExitThroughTheAnnualReviewDatesTheClosing: the review's exit is recorded as household.review;
// the closed-household rule dates the closing by it, in the report and in its lead, as it does an exit.
func TestAnomalies_AnExitThroughTheAnnualReviewDatesTheClosing(t *testing.T) {
	p := newPlanter(t)
	before := p.household(home{})
	paidBefore := p.pay(pay{household: before, fen: 100000, at: day("2026-10-01")})
	reviewExit(t, p, before, day("2026-10-15"))
	after := p.household(home{})
	p.pay(pay{household: after, fen: 100000, at: day("2026-10-01")})
	reviewExit(t, p, after, day("2026-10-15"))
	paidAfter := p.pay(pay{household: after, fen: 120000, at: day("2026-11-02")})
	if got := one[string](t, p.db, "SELECT status FROM households WHERE id = ?", before); got != "exited" {
		t.Fatalf("after the review: status %s", got)
	}
	if n := one[int](t, p.db, "SELECT count(*) FROM anomaly_leads WHERE rule = 'closed' AND id = ?", before); n != 0 {
		t.Error("the review's exit, after the only payment, left the household a lead")
	}
	r := report(t, p)
	if got := findingsWith(r, finaudit.RuleExitedHousehold, "application", paidBefore); len(got) != 0 {
		t.Errorf("a payment before the review's exit reported: %+v", got)
	}
	got := findingsWith(r, finaudit.RuleExitedHousehold, "application", paidAfter)
	if want := "于 2026-10-15 已撤档，之后仍发放 1 笔共 ¥1,200.00"; len(got) != 1 || !strings.Contains(got[0].Message, want) {
		t.Errorf("a payment after the review's exit: %+v, want one finding saying %q", got, want)
	}
}

// Each rule of SPEC §8.2: a planted case is reported with its records and numbers; a near miss is not.
func TestAnomalies_EachRuleReportsItsCaseAndNotANearMiss(t *testing.T) {
	tests := []struct {
		rule  string
		plant func(p *planter) (typ string, id int64, want string)
		miss  func(p *planter) (typ string, id int64)
	}{
		{finaudit.RulePaidTwice, func(p *planter) (string, int64, string) {
			h := p.household(home{})
			a := p.pay(pay{household: h, fen: 200000, at: day("2026-11-02")})
			p.pay(pay{household: h, fen: 250000, at: day("2026-11-05")})
			return "application", a, "2026-11 生活救助 发放 2 次，共 ¥4,500.00"
		}, func(p *planter) (string, int64) {
			h := p.household(home{})
			a := p.pay(pay{household: h, fen: 200000, at: day("2026-10-02")}) // another month
			p.pay(pay{household: h, fen: 250000, at: day("2026-11-05")})
			p.pay(pay{household: h, typ: "medical", fen: 100000, at: day("2026-10-05")}) // another type, same month
			return "application", a
		}},
		{finaudit.RuleAboveCap, func(p *planter) (string, int64, string) {
			a := p.pay(pay{household: p.household(home{}), fen: 1100000, first: "supervisor2"})
			return "application", a, "¥11,000.00，超过生活救助年度上限 ¥10,800.00"
		}, func(p *planter) (string, int64) {
			return "application", p.pay(pay{household: p.household(home{}), fen: 1080000, first: "supervisor2"}) // at the cap
		}},
		{finaudit.RuleJustBelow, func(p *planter) (string, int64, string) {
			a := p.pay(pay{household: p.household(home{}), by: "caseworker2", fen: 960000, at: day("2026-11-03")})
			p.pay(pay{household: p.household(home{}), by: "caseworker2", fen: 1000000, at: day("2026-11-09")})
			p.pay(pay{household: p.household(home{}), by: "caseworker2", fen: 950000, at: day("2026-11-16")})
			return "application", a, "同一经办人 2026-11 有 3 笔金额在二次审批门槛 ¥10,000.00 的 95%–100% 之间"
		}, func(p *planter) (string, int64) {
			// Another caseworker in another union: two at 96–99%, one at 94%, and one in another month (months
			// before the demo's own cluster of this caseworker's, which is reported as it should be).
			o := one[int64](t, p.db, "SELECT id FROM orgs WHERE code = 'BJ-XX-JH-02'")
			a := p.pay(pay{household: p.household(home{org: o}), by: "caseworker1", fen: 960000, at: day("2026-09-03")})
			p.pay(pay{household: p.household(home{org: o}), by: "caseworker1", fen: 990000, at: day("2026-09-09")})
			p.pay(pay{household: p.household(home{org: o}), by: "caseworker1", fen: 940000, at: day("2026-09-16")})
			p.pay(pay{household: p.household(home{org: o}), by: "caseworker1", fen: 980000, at: day("2026-08-16")})
			return "application", a
		}},
		{finaudit.RuleSplit, func(p *planter) (string, int64, string) {
			h := p.household(home{})
			a := p.pay(pay{household: h, fen: 600000, at: day("2026-10-25")})
			p.pay(pay{household: h, fen: 500000, at: day("2026-11-10")})
			return "application", a, "30 天内 2 笔生活救助（¥6,000.00、¥5,000.00），每笔不超过二次审批门槛 ¥10,000.00，合计 ¥11,000.00"
		}, func(p *planter) (string, int64) {
			h := p.household(home{})
			a := p.pay(pay{household: h, fen: 600000, at: day("2026-10-01")})
			p.pay(pay{household: h, fen: 500000, at: day("2026-11-10")}) // 40 days later
			h2 := p.household(home{})
			p.pay(pay{household: h2, fen: 400000, at: day("2026-10-25")})
			p.pay(pay{household: h2, fen: 500000, at: day("2026-11-10")}) // within 30 days, but ¥9,000 together
			return "application", a
		}},
		{finaudit.RuleExitedHousehold, func(p *planter) (string, int64, string) {
			h := p.household(home{})
			p.pay(pay{household: h, fen: 100000, at: day("2026-10-01")})
			closeFile(t, p, h, "household.exit", day("2026-10-15"))
			a := p.pay(pay{household: h, fen: 120000, at: day("2026-11-02")})
			return "application", a, "已撤档，之后仍发放 1 笔共 ¥1,200.00"
		}, func(p *planter) (string, int64) {
			h := p.household(home{})
			a := p.pay(pay{household: h, fen: 100000, at: day("2026-10-01")}) // paid before the exit
			closeFile(t, p, h, "household.exit", day("2026-10-15"))
			return "application", a
		}},
		{finaudit.RuleSharedCard, func(p *planter) (string, int64, string) {
			h1 := p.household(home{card: "6222029900000012345"})
			p.household(home{card: "6222029900000012345"})
			p.pay(pay{household: h1, fen: 100000})
			return "household", h1, "银行卡 622202*********2345 登记在 2 个不同的困难户档案上"
		}, func(p *planter) (string, int64) {
			h := p.household(home{card: "6222029900000054321"})
			p.pay(pay{household: h, fen: 100000, at: day("2026-10-01")})
			p.pay(pay{household: h, fen: 100000, at: day("2026-11-05")}) // one household paid twice on its own card
			return "household", h
		}},
		{finaudit.RuleSharedPhone, func(p *planter) (string, int64, string) {
			h1 := p.household(home{phone: "13912345678"})
			p.household(home{phone: "13912345678"})
			p.pay(pay{household: h1, fen: 100000})
			return "household", h1, "手机号 139****5678 登记在 2 个不同的困难户档案上"
		}, func(p *planter) (string, int64) {
			h := p.household(home{phone: "13987654321"})
			p.household(home{phone: "13987654322"})
			p.pay(pay{household: h, fen: 100000})
			return "household", h
		}},
		{finaudit.RuleSegregation, func(p *planter) (string, int64, string) {
			a := p.pay(pay{household: p.household(home{}), fen: 100000, approver: "supervisor1", disburser: "supervisor1"})
			// The approver has since lost the role: the breach is in the history all the same.
			sqlExec(t, p, "DELETE FROM user_roles WHERE user_id = ? AND role = 'supervisor'", p.users["supervisor1"])
			return "application", a, "李建国 既审批又发放"
		}, func(p *planter) (string, int64) {
			return "application", p.pay(pay{household: p.household(home{}), fen: 1200000, first: "supervisor2", approver: "supervisor1",
				disburser: "finance1", green: false})
		}},
		{finaudit.RuleGreenDocsOverdue, func(p *planter) (string, int64, string) {
			a := p.pay(pay{household: p.household(home{}), fen: 300000, green: true, docsDue: "2026-11-10", reviewer: "supervisor2"})
			return "application", a, "材料应于 2026-11-10 前补齐，至今仍缺：身份证复印件"
		}, func(p *planter) (string, int64) {
			return "application", p.pay(pay{household: p.household(home{}), fen: 300000, green: true, docsDue: "2026-12-01", reviewer: "supervisor2"})
		}},
		{finaudit.RuleGreenNoReview, func(p *planter) (string, int64, string) {
			a := p.pay(pay{household: p.household(home{}), fen: 300000, green: true, docsDue: "2026-12-30", at: day("2026-10-10")})
			return "application", a, "已超过 30 天仍未做事后复核"
		}, func(p *planter) (string, int64) {
			return "application", p.pay(pay{household: p.household(home{}), fen: 300000, green: true, docsDue: "2026-12-30", at: day("2026-11-10")})
		}},
		{finaudit.RuleGreenFlagged, func(p *planter) (string, int64, string) {
			a := p.pay(pay{household: p.household(home{}), fen: 300000, green: true, docsDue: "2026-12-30", reviewer: "supervisor2", outcome: "flagged"})
			return "application", a, "事后复核结论为存疑"
		}, func(p *planter) (string, int64) {
			return "application", p.pay(pay{household: p.household(home{}), fen: 300000, green: true, docsDue: "2026-12-30", reviewer: "supervisor2", outcome: "confirmed"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := newPlanter(t)
			typ, id, want := tt.plant(p)
			mtyp, mid := tt.miss(p)
			r := report(t, p)
			got := slices.DeleteFunc(findingsWith(r, tt.rule, typ, id), func(f finaudit.Finding) bool { return !strings.Contains(f.Message, want) })
			if len(got) != 1 || got[0].AmountFen <= 0 {
				t.Errorf("planted case: %+v, want one finding saying %q", got, want)
			}
			if miss := findingsWith(r, tt.rule, mtyp, mid); len(miss) != 0 {
				t.Errorf("near miss reported: %+v", miss)
			}
		})
	}
}

func sqlExec(t *testing.T, p *planter, q string, args ...any) {
	t.Helper()
	if err := p.db.Write(context.Background(), func(tx *sqlx.Tx) error { _, err := tx.Exec(q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

// Every run is audited; the report changes nothing else. Roles and scope come first.
func TestAnomalies_AreReadOnlyAuditedAndInScope(t *testing.T) {
	p := newPlanter(t)
	s := service(p.db)
	for _, u := range []string{"caseworker1", "supervisor1", "admin"} {
		if _, err := s.Anomalies(context.Background(), user(t, p.db, u), finaudit.AnomalyFilter{From: "nonsense"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v", u, err)
		}
	}
	aud := user(t, p.db, "auditor1")
	for _, f := range []finaudit.AnomalyFilter{{From: "2026-02-31"}, {Rule: "astrology"}} {
		if _, err := s.Anomalies(context.Background(), aud, f); apperr.CodeOf(err) != apperr.Validation {
			t.Errorf("%+v: %v", f, err)
		}
	}
	flagged := p.pay(pay{household: p.household(home{org: one[int64](t, p.db, "SELECT id FROM orgs WHERE code = 'BJ-CH-SY-01'")}),
		fen: 300000, green: true, docsDue: "2026-12-30", reviewer: "supervisor2", outcome: "flagged"})
	events := one[int](t, p.db, "SELECT count(*) FROM audit_events")
	transfers := one[int](t, p.db, "SELECT count(*) FROM fund_transfers")
	r, err := s.Anomalies(context.Background(), aud, finaudit.AnomalyFilter{Rule: finaudit.RuleGreenFlagged})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rules) != 1 || len(findingsWith(r, finaudit.RuleGreenFlagged, "application", flagged)) != 1 {
		t.Fatalf("one rule shown alone: %+v", r.Rules)
	}
	if got := one[int](t, p.db, "SELECT count(*) FROM audit_events"); got != events+1 {
		t.Errorf("%d audit events written by one run, want 1", got-events)
	}
	last := one[string](t, p.db, "SELECT action || ' ' || actor FROM audit_events ORDER BY seq DESC LIMIT 1")
	if last != "report.anomalies auditor1" || one[int](t, p.db, "SELECT count(*) FROM fund_transfers") != transfers {
		t.Errorf("last event %q", last)
	}
	// An auditor of the other sub-district does not see it.
	west := actor.Actor{UserID: 98, Username: "auditor9", Roles: []actor.Role{actor.Auditor}, OrgPath: "/1/2/"}
	r, err = s.Anomalies(context.Background(), west, finaudit.AnomalyFilter{})
	if err != nil || len(findingsWith(r, finaudit.RuleGreenFlagged, "application", flagged)) != 0 {
		t.Errorf("out of scope: %v %+v", err, r.Rules)
	}
}

// Each kind of breach of the segregation of duties is named for its case, with the decider (SPEC §1.2).
func TestAnomalies_SegregationNamesEachKindOfBreach(t *testing.T) {
	tests := []struct {
		name string
		pay  pay
		want string
	}{
		{"submitter approves", pay{fen: 100000, by: "supervisor1", approver: "supervisor1", disburser: "finance1"}, "李建国 既提交又审批"},
		{"one person both approvals", pay{fen: 1200000, first: "supervisor1", approver: "supervisor1", disburser: "finance1"}, "两级审批均由 李建国 作出"},
		{"approver reviews", pay{green: true, fen: 300000, docsDue: "2026-12-30", approver: "supervisor1", reviewer: "supervisor1",
			outcome: "confirmed", disburser: "finance1"}, "李建国 既审批又做事后复核"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPlanter(t)
			tt.pay.household = p.household(home{})
			id := p.pay(tt.pay)
			clean := p.pay(pay{household: p.household(home{}), fen: 100000, disburser: "finance1"})
			r := report(t, p)
			got := findingsWith(r, finaudit.RuleSegregation, "application", id)
			if len(got) != 1 || !strings.Contains(got[0].Message, tt.want) {
				t.Fatalf("findings %+v, want one saying %q", got, tt.want)
			}
			if miss := findingsWith(r, finaudit.RuleSegregation, "application", clean); len(miss) != 0 {
				t.Fatalf("a clean case reported: %+v", miss)
			}
		})
	}
}
