package finaudit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu"
	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/finaudit"
	"bangfu/internal/store"
)

// history writes a random history into a copy of the demo: households sharing a few cards and phones, payments
// around the thresholds (some paid on insert, some approved and then disbursed by an update as the workflow
// does), recoveries, second approvals, returns, reviews, exits and rejections with and without their audit
// event, changed cards and phones, a changed role and a new policy version.
type history struct {
	*planter
	rng   *rand.Rand
	homes []int64
	paid  []int64
	apps  []int64
	spent int64
}

var (
	people  = []string{"caseworker1", "caseworker2", "supervisor1", "supervisor2", "finance1"}
	amounts = []int64{50_000, 300_000, 480_000, 520_000, 950_000, 960_000, 990_000, 1_000_000, 1_000_001, 1_200_000}
)

func (h *history) pick(xs []string) string { return xs[h.rng.IntN(len(xs))] }

func (h *history) at() time.Time {
	return now.Add(-time.Duration(h.rng.IntN(75*24)) * time.Hour)
}

func (h *history) step() {
	t := h.t
	switch k := h.rng.IntN(20); {
	case k < 3 || len(h.homes) < 3:
		card := fmt.Sprintf("62220299%011d", 900+h.rng.IntN(4))
		phone := fmt.Sprintf("139%08d", 900+h.rng.IntN(4))
		if h.rng.IntN(2) == 0 {
			card, phone = "", "" // the planter's own, unique
		}
		h.homes = append(h.homes, h.household(home{card: card, phone: phone}))
	case k < 11:
		hh := h.homes[h.rng.IntN(len(h.homes))]
		x := pay{household: hh, typ: "living" /* the line the planter tops up */, fen: amounts[h.rng.IntN(len(amounts))],
			at: h.at(), by: h.pick(people[:2]), approver: h.pick(people[:4]), disburser: h.pick(people)}
		if h.rng.IntN(4) == 0 { // another person's ID, for paid-twice across files
			x.idNumber = fmt.Sprintf("33010819800101%04d", 1+h.rng.IntN(h.n))
		}
		if h.rng.IntN(5) == 0 {
			x.first = h.pick(people[2:4])
		}
		if h.rng.IntN(5) == 0 {
			x.green, x.docsDue = true, h.at().Format("2006-01-02")
			if h.rng.IntN(2) == 0 {
				x.reviewer, x.outcome = h.pick(people[2:4]), h.pick([]string{"confirmed", "flagged"})
			}
		}
		update := h.rng.IntN(2) == 0
		x.unpaid = update
		id := h.pay(x)
		h.apps = append(h.apps, id)
		if update && (!x.green || h.rng.IntN(3) > 0) { // disbursed as relief does: an update of the approved case
			sql(t, h.db, fmt.Sprintf("UPDATE applications SET status = 'disbursed', disbursed_by = %d, disbursed_at = '%s' WHERE id = %d",
				h.users[x.disburser], store.FormatTime(x.at), id))
		}
		h.paid = append(h.paid, id)
		if h.spent += x.fen; h.spent > 15_000_000 { // more budget before the union's allocation runs out
			h.topUp()
			h.spent = 0
		}
	case k < 12 && len(h.paid) > 0: // recovered: the payment leaves the paid set
		id := h.paid[h.rng.IntN(len(h.paid))]
		sql(t, h.db, fmt.Sprintf("UPDATE applications SET status = 'recovered', recovery_transfer_id = transfer_id, recovered_at = '%s' WHERE id = %d AND status IN ('disbursed', 'received')",
			store.FormatTime(now), id))
	case k < 13 && len(h.paid) > 0: // received: still paid
		id := h.paid[h.rng.IntN(len(h.paid))]
		sql(t, h.db, fmt.Sprintf("UPDATE applications SET status = 'received' WHERE id = %d AND status = 'disbursed'", id))
	case k < 15: // a file closed: by an exit, a rejection, an annual review that exits it, or with no event at all
		hh := h.homes[h.rng.IntN(len(h.homes))]
		action := h.pick([]string{"household.exit", "household.reject", "household.review", ""})
		status := map[string]string{"household.exit": "exited", "household.reject": "rejected", "household.review": "exited", "": "exited"}[action]
		err := h.db.Write(context.Background(), func(tx *sqlx.Tx) error {
			if _, err := tx.Exec("UPDATE households SET status = ? WHERE id = ? AND status NOT IN ('exited', 'rejected')", status, hh); err != nil {
				return err
			}
			if action == "" {
				return nil
			}
			e := audit.Entry{Action: action, EntityType: "household", EntityID: fmt.Sprint(hh), Reason: "随机"}
			if action == "household.review" { // the review's exit is told by its changes, as household.review records them
				e.Before, e.After = map[string]any{"status": "review_due"}, map[string]any{"status": "exited"}
			}
			return audit.Record(context.Background(), tx, user(t, h.db, "supervisor1"), h.at(), e)
		})
		if err != nil {
			t.Fatal(err)
		}
	case k < 16 && len(h.apps) > 0: // another decision: an approval, a return or a review
		id := h.apps[h.rng.IntN(len(h.apps))]
		who := h.pick(people)
		action, outcome := "approve", "approved"
		switch h.rng.IntN(3) {
		case 1:
			action, outcome = "return", "returned"
		case 2:
			action, outcome = "review", h.pick([]string{"confirmed", "flagged"})
		}
		sql(t, h.db, fmt.Sprintf(`INSERT INTO application_decisions (application_id, action, outcome, actor_id, actor_name, at, policy_id, snapshot)
			VALUES (%d, '%s', '%s', %d, '%s', '%s', 1, '{}')`, id, action, outcome, h.users[who], h.names[who], store.FormatTime(h.at())))
	case k < 17: // a card or phone changed to one of the few shared ones
		hh := h.homes[h.rng.IntN(len(h.homes))]
		col := h.pick([]string{"bank_card", "phone"})
		v := fmt.Sprintf("62220299%011d", 900+h.rng.IntN(4))
		if col == "phone" {
			v = fmt.Sprintf("139%08d", 900+h.rng.IntN(4))
		}
		sql(t, h.db, fmt.Sprintf("UPDATE households SET %s = '%s' WHERE id = %d", col, v, hh))
	case k < 18: // a role taken away or given: the report reads the decisions as made, not today's roles
		u := h.users[h.pick(people[:4])]
		if h.rng.IntN(2) == 0 {
			sql(t, h.db, fmt.Sprintf("DELETE FROM user_roles WHERE user_id = %d AND role = 'supervisor'", u))
		} else {
			sql(t, h.db, fmt.Sprintf("INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (%d, 'supervisor')", u))
		}
	case k < 19: // a policy version with other thresholds, from a random day
		var params map[string]any
		if err := json.Unmarshal([]byte(one[string](t, h.db, "SELECT params FROM policies ORDER BY id LIMIT 1")), &params); err != nil {
			t.Fatal(err)
		}
		params["second_approval_above_fen"] = amounts[4+h.rng.IntN(6)]
		params["household_cap_year_fen"] = []int64{1_500_000, 3_000_000, 5_000_000}[h.rng.IntN(3)]
		params["green_max_amount_fen"] = []int64{300_000, 500_000}[h.rng.IntN(2)]
		b, _ := json.Marshal(params)
		sql(t, h.db, fmt.Sprintf(`INSERT INTO policies (effective_from, org_id, params, created_by, created_at)
			VALUES ('%s', NULL, '%s', 'test', '%s')`, h.at().Format("2006-01-02"), b, store.FormatTime(now)))
	default:
		if len(h.apps) > 0 { // a change of who submitted (the workflow's resubmission)
			id := h.apps[h.rng.IntN(len(h.apps))]
			sql(t, h.db, fmt.Sprintf("UPDATE applications SET submitted_by = %d WHERE id = %d", h.users[h.pick(people)], id))
		}
	}
}

// sameReport compares the report from the leads with the full scan's, for a's scope and the filter.
func sameReport(t *testing.T, db *store.DB, a actor.Actor, f finaudit.AnomalyFilter, when string) {
	t.Helper()
	svc := service(db)
	ctx := context.Background()
	want, err := svc.ScanAnomalies(ctx, a, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.LeadAnomalies(ctx, a, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range want.Rules {
			if !reflect.DeepEqual(got.Rules[i], want.Rules[i]) {
				t.Errorf("%s, %s %+v, rule %s: from the leads %d findings, the full scan %d\nleads: %+v\nscan:  %+v",
					when, a.OrgPath, f, want.Rules[i].Rule, got.Rules[i].Count, want.Rules[i].Count, got.Rules[i].Findings, want.Rules[i].Findings)
			}
		}
		if got.Payments != want.Payments {
			t.Errorf("%s, %s %+v: %d payments examined, the full scan %d", when, a.OrgPath, f, got.Payments, want.Payments)
		}
		t.FailNow()
	}
}

// TestAnomalies_LeadsFindWhatTheFullScanFinds: on random histories the report read from the leads equals the
// old computation over every payment, rule by rule and finding by finding, for the district and a union, over
// all time and over random periods; and each household's yearly sums equal a recomputation.
func TestAnomalies_LeadsFindWhatTheFullScanFinds(t *testing.T) {
	found := map[string]bool{}
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := &history{planter: newPlanter(t), rng: rand.New(rand.NewPCG(seed, 11))}
			auditor := user(t, h.db, "auditor1")
			union := auditor
			union.OrgPath = one[string](t, h.db, "SELECT org_path FROM households WHERE status = 'filed' ORDER BY id LIMIT 1")
			for i := range 150 {
				h.step()
				if i%50 != 49 {
					continue
				}
				for _, a := range []actor.Actor{auditor, union} {
					sameReport(t, h.db, a, finaudit.AnomalyFilter{}, fmt.Sprint("after step ", i))
					from := h.at()
					to := from.Add(time.Duration(h.rng.IntN(60*24)) * time.Hour)
					sameReport(t, h.db, a, finaudit.AnomalyFilter{From: from.Format("2006-01-02"), To: to.Format("2006-01-02")}, fmt.Sprint("after step ", i))
				}
				r, err := service(h.db).LeadAnomalies(context.Background(), auditor, finaudit.AnomalyFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range r.Rules {
					found[g.Rule] = found[g.Rule] || g.Count > 0
				}
			}
			sameSums(t, h.db)
		})
	}
	for _, r := range finaudit.Rules {
		if !found[r.Rule] {
			t.Errorf("no history has a finding of %s: the comparison shows nothing of it", r.Rule)
		}
	}
}

// sameSums: household_year_paid is the GROUP BY of the paid applications.
func sameSums(t *testing.T, db *store.DB) {
	t.Helper()
	diff := one[int](t, db, `SELECT (SELECT count(*) FROM (
		SELECT household_id, aid_year, fen FROM household_year_paid WHERE fen <> 0
		EXCEPT SELECT household_id, aid_year, sum(amount_fen) FROM applications
			WHERE status IN ('disbursed', 'received') AND household_id IS NOT NULL GROUP BY 1, 2))
		+ (SELECT count(*) FROM (SELECT household_id, aid_year, sum(amount_fen) FROM applications
			WHERE status IN ('disbursed', 'received') AND household_id IS NOT NULL GROUP BY 1, 2
		EXCEPT SELECT household_id, aid_year, fen FROM household_year_paid))`)
	if diff != 0 {
		t.Errorf("household_year_paid differs from the payments in %d rows", diff)
	}
}

// leadsBackfill is the part of migration 25 that fills the leads from the records already there.
func leadsBackfill(t *testing.T) string {
	t.Helper()
	ms, err := store.Migrations(bangfu.Schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.SQL, "CREATE TABLE anomaly_leads") {
			_, fill, ok := strings.Cut(m.SQL, "-- What is already there.")
			if !ok {
				t.Fatal("the leads' migration has no backfill")
			}
			return fill
		}
	}
	t.Fatal("no migration creates anomaly_leads")
	return ""
}

// TestAnomalies_MigrationFillsTheLeadsFromTheRecords: a history written with the leads' triggers dropped (a
// database from before the migration) leaves no leads; the migration's backfill then finds what the full scan
// finds.
func TestAnomalies_MigrationFillsTheLeadsFromTheRecords(t *testing.T) {
	h := &history{planter: newPlanter(t), rng: rand.New(rand.NewPCG(7, 7))}
	var triggers []string
	if err := h.db.R.Select(&triggers, "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'anomaly_%'"); err != nil {
		t.Fatal(err)
	}
	for _, tr := range triggers {
		sql(t, h.db, "DROP TRIGGER "+tr)
	}
	sql(t, h.db, "DELETE FROM anomaly_leads", "DELETE FROM anomaly_twice", "DELETE FROM anomaly_shared", "DELETE FROM household_year_paid")
	for range 100 {
		h.step()
	}
	auditor := user(t, h.db, "auditor1")
	scan, err := service(h.db).ScanAnomalies(context.Background(), auditor, finaudit.AnomalyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := service(h.db).LeadAnomalies(context.Background(), auditor, finaudit.AnomalyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(before, scan) {
		t.Fatal("without leads the report already equals the full scan: the history shows nothing")
	}
	sql(t, h.db, leadsBackfill(t))
	sameReport(t, h.db, auditor, finaudit.AnomalyFilter{}, "after the backfill")
	sameSums(t, h.db)
}

// TestAnomalies_EachRuleMissesItsCaseWithoutItsTrigger: each trigger of migration 25 is what brings a rule its
// case. With the trigger the report from the leads names what the full scan names; with it dropped (as a write
// that bypassed it would leave the database) the same case, planted the same way, is missing from it.
func TestAnomalies_EachRuleMissesItsCaseWithoutItsTrigger(t *testing.T) {
	approvedThenPaid := func(p *planter, x pay) int64 { // approved, then disbursed by an update as relief does
		x.unpaid = true
		id := p.pay(x)
		sql(t, p.db, fmt.Sprintf("UPDATE applications SET status = 'disbursed', disbursed_by = %d, disbursed_at = '%s' WHERE id = %d",
			p.users[x.disburser], store.FormatTime(x.at), id))
		return id
	}
	tests := []struct {
		trigger, rule string
		plant         func(p *planter)
	}{
		{"anomaly_paid_insert", finaudit.RulePaidTwice, func(p *planter) {
			h := p.household(home{})
			p.pay(pay{household: h, fen: 200000, at: day("2026-11-02")})
			p.pay(pay{household: h, fen: 250000, at: day("2026-11-05")})
		}},
		{"anomaly_paid_enter", finaudit.RulePaidTwice, func(p *planter) {
			h := p.household(home{})
			approvedThenPaid(p, pay{household: h, fen: 200000, at: day("2026-11-02"), disburser: "finance1"})
			approvedThenPaid(p, pay{household: h, fen: 250000, at: day("2026-11-05"), disburser: "finance1"})
		}},
		{"anomaly_paid_insert", finaudit.RuleSplit, func(p *planter) {
			h := p.household(home{})
			p.pay(pay{household: h, fen: 600000, at: day("2026-10-25")})
			p.pay(pay{household: h, fen: 500000, at: day("2026-11-16")})
		}},
		{"anomaly_paid_enter", finaudit.RuleSplit, func(p *planter) {
			h := p.household(home{})
			approvedThenPaid(p, pay{household: h, fen: 600000, at: day("2026-10-25"), disburser: "finance1"})
			approvedThenPaid(p, pay{household: h, fen: 500000, at: day("2026-11-16"), disburser: "finance1"})
		}},
		{"anomaly_paid_insert", finaudit.RuleAboveCap, func(p *planter) { // the household's year above 50,000
			h := p.household(home{})
			for i := range 6 {
				p.pay(pay{household: h, fen: 900000, at: day("2026-01-02").AddDate(0, 2*i, 0)})
			}
		}},
		{"anomaly_paid_enter", finaudit.RuleAboveCap, func(p *planter) {
			h := p.household(home{})
			for i := range 6 {
				approvedThenPaid(p, pay{household: h, fen: 900000, at: day("2026-01-02").AddDate(0, 2*i, 0), disburser: "finance1"})
			}
		}},
		{"anomaly_paid_insert", finaudit.RuleExitedHousehold, func(p *planter) {
			h := p.household(home{})
			closeFile(t, p, h, "household.exit", day("2026-10-15"))
			p.pay(pay{household: h, fen: 120000, at: day("2026-11-02")})
		}},
		{"anomaly_household_closed", finaudit.RuleExitedHousehold, func(p *planter) { // closed without an exit's date
			h := p.household(home{})
			p.pay(pay{household: h, fen: 120000, at: day("2026-10-02")})
			sql(t, p.db, fmt.Sprintf("UPDATE households SET status = 'exited' WHERE id = %d", h)) // as the annual review does
		}},
		{"anomaly_sod_decision", finaudit.RuleSegregation, func(p *planter) {
			p.pay(pay{household: p.household(home{}), fen: 100000, by: "supervisor1", approver: "supervisor1"})
		}},
		{"anomaly_sod_people", finaudit.RuleSegregation, func(p *planter) {
			approvedThenPaid(p, pay{household: p.household(home{}), fen: 100000, at: day("2026-11-02"), approver: "supervisor2", disburser: "supervisor2"})
		}},
		{"anomaly_shared_insert", finaudit.RuleSharedCard, func(p *planter) {
			h := p.household(home{card: "6222029900000012345"})
			p.household(home{card: "6222029900000012345"})
			p.pay(pay{household: h, fen: 100000})
		}},
		{"anomaly_shared_update", finaudit.RuleSharedPhone, func(p *planter) {
			h := p.household(home{phone: "13900000777"})
			other := p.household(home{})
			p.pay(pay{household: h, fen: 100000})
			sql(t, p.db, fmt.Sprintf("UPDATE households SET phone = '13900000777' WHERE id = %d", other))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.trigger+"/"+tt.rule, func(t *testing.T) {
			for _, dropped := range []bool{false, true} {
				p := newPlanter(t)
				if dropped {
					sql(t, p.db, "DROP TRIGGER "+tt.trigger)
				}
				tt.plant(p)
				auditor := user(t, p.db, "auditor1")
				scan, err := service(p.db).ScanAnomalies(context.Background(), auditor, finaudit.AnomalyFilter{Rule: tt.rule})
				if err != nil {
					t.Fatal(err)
				}
				leads, err := service(p.db).LeadAnomalies(context.Background(), auditor, finaudit.AnomalyFilter{Rule: tt.rule})
				if err != nil {
					t.Fatal(err)
				}
				var got, want finaudit.RuleGroup
				for i := range scan.Rules {
					if scan.Rules[i].Rule == tt.rule {
						got, want = leads.Rules[i], scan.Rules[i]
					}
				}
				switch {
				case !dropped && !reflect.DeepEqual(got, want):
					t.Errorf("with %s: %d findings from the leads, %d from the full scan", tt.trigger, got.Count, want.Count)
				case dropped && got.Count >= want.Count:
					t.Errorf("without %s: %d findings from the leads, %d from the full scan: the trigger brings nothing", tt.trigger, got.Count, want.Count)
				}
			}
		})
	}
}

// TestAnomalies_AnExitRecordedDropsTheHouseholdsLeadUntilAPaymentAfterIt: a closed household stays a lead only
// while it may be a finding: the exit's audit event, with nothing paid after it, drops it; a payment after the
// exit makes it one again.
func TestAnomalies_AnExitRecordedDropsTheHouseholdsLeadUntilAPaymentAfterIt(t *testing.T) {
	p := newPlanter(t)
	h := p.household(home{})
	p.pay(pay{household: h, fen: 100000, at: day("2026-10-01")})
	lead := func() int {
		return one[int](t, p.db, "SELECT count(*) FROM anomaly_leads WHERE rule = 'closed' AND id = ?", h)
	}
	closeFile(t, p, h, "household.exit", day("2026-10-15"))
	if lead() != 0 {
		t.Fatal("the exit, recorded after the only payment, left the household a lead")
	}
	p.pay(pay{household: h, fen: 120000, at: day("2026-11-02")})
	if lead() != 1 {
		t.Fatal("a payment after the exit did not make the household a lead")
	}
}

// TestAnomalies_ARecoveredPaymentLeavesTheHouseholdsYear: the yearly sums the cap rule cuts drop a payment that
// is recovered (anomaly_paid_leave); without the trigger they would keep it.
func TestAnomalies_ARecoveredPaymentLeavesTheHouseholdsYear(t *testing.T) {
	for _, dropped := range []bool{false, true} {
		p := newPlanter(t)
		if dropped {
			sql(t, p.db, "DROP TRIGGER anomaly_paid_leave")
		}
		h := p.household(home{})
		id := p.pay(pay{household: h, fen: 100000, at: day("2026-10-01")})
		sql(t, p.db, fmt.Sprintf("UPDATE applications SET status = 'recovered', recovery_transfer_id = transfer_id WHERE id = %d", id))
		fen := one[int64](t, p.db, "SELECT fen FROM household_year_paid WHERE household_id = ?", h)
		if want := map[bool]int64{false: 0, true: 100000}[dropped]; fen != want {
			t.Errorf("dropped %v: the year holds %d fen after the recovery, want %d", dropped, fen, want)
		}
	}
}
