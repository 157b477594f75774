package finaudit

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/money"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// The report at a million payments (SPEC §8.2, issue 11: under 2 s) reads no payment that no rule could name:
// each rule reads its candidates, which the database keeps as it is written (schema.sql, migration 25: the
// people and periods paid twice, the leads of the split, exited and segregation rules, the shared cards and
// phones, each household's yearly sums, and indexes of the amounts and of the green cases), and then applies the rule to them exactly
// as to every payment. A candidate set always holds whole groups (every payment of a person's period, a
// household's year or type, a caseworker's month), so a rule finds in it what it would find in all payments;
// the tests compare the two on random histories.

// window is what every rule reads of the report's filter: a's scope and the paid period.
type window struct {
	scope    string
	args     []any
	from, to string
}

func newWindow(a actor.Actor, from, to time.Time) window {
	scope, args := a.Scope("a.org_path")
	return window{scope: scope, args: args, from: store.FormatTime(from), to: store.FormatTime(to)}
}

// paidColumns are what the rules read of a paid application (see payment), from applications as a.
const paidColumns = `a.id, a.app_no, a.type, coalesce(a.household_id, 0), a.applicant_id_number,
	CASE a.type WHEN 'education' THEN a.student_id_number ELSE '' END, CASE a.type WHEN 'education' THEN a.school_year ELSE '' END,
	a.org_id, a.aid_year, a.amount_fen, a.green, a.created_by, coalesce(a.submitted_by, 0), coalesce(a.disbursed_by, 0), a.disbursed_at`

// readPaid reads the paid applications that source (a FROM clause naming applications a, with the index it
// is to read: the candidates', never a range of the scope or the period) and cond select, in the window, in
// paid order.
func readPaid(ctx context.Context, q sqlx.QueryerContext, w window, days map[string]*calendarDay, source, cond string, args ...any) ([]*payment, error) {
	query, all := w.paidQuery(source, cond, args...)
	rows, err := q.QueryContext(ctx, query, all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var paid []*payment
	for rows.Next() {
		p := &payment{paid: true}
		if err := rows.Scan(&p.id, &p.appNo, &p.typ, &p.household, &p.idNumber, &p.student, &p.schoolYear, &p.org, &p.aidYear,
			&p.amount, &p.green, &p.createdBy, &p.submittedBy, &p.disburser, &p.paidAt); err != nil {
			return nil, err
		}
		p.day, p.month = chinaDay(days, p.paidAt)
		paid = append(paid, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	inPaidOrder(paid)
	return paid, nil
}

// paidQuery is readPaid's statement and its arguments.
func (w window) paidQuery(source, cond string, args ...any) (string, []any) {
	return `SELECT ` + paidColumns + ` FROM ` + source + ` WHERE ` + cond + ` AND ` + w.scope + `
		AND a.status IN ('disbursed', 'received') AND a.disbursed_at >= ? AND a.disbursed_at < ?`,
		append(append(append([]any{}, args...), w.args...), w.from, w.to)
}

func inPaidOrder(paid []*payment) {
	slices.SortFunc(paid, func(x, y *payment) int {
		if c := strings.Compare(x.paidAt, y.paidAt); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
}

// bounds are the smallest and largest value each threshold has had in any policy version, for any org: the
// candidates of a rule are cut at the bound that keeps every payment some version in force might name.
type bounds struct {
	minCap     map[string]money.Fen // per type, the smallest single-payment cap (non-green)
	minGreen   money.Fen            // the smallest green_max_amount
	minYear    money.Fen            // the smallest household_cap_year
	minT, maxT money.Fen            // second_approval_above
}

func policyBounds(ctx context.Context, q sqlx.QueryerContext) (bounds, error) {
	var raw []string
	if err := sqlx.SelectContext(ctx, q, &raw, "SELECT params FROM policies"); err != nil {
		return bounds{}, err
	}
	b := bounds{minCap: map[string]money.Fen{}}
	lower := func(v *money.Fen, x money.Fen, first bool) {
		if first || x < *v {
			*v = x
		}
	}
	for i, r := range raw {
		var p policy.Params
		if err := json.Unmarshal([]byte(r), &p); err != nil {
			return bounds{}, err
		}
		first := i == 0
		for _, typ := range []string{"living", "medical", "education", "warmth"} {
			c, _ := typeCap(&payment{typ: typ}, p)
			v := b.minCap[typ]
			lower(&v, c, first)
			b.minCap[typ] = v
		}
		lower(&b.minGreen, p.GreenMaxAmountFen, first)
		lower(&b.minYear, p.HouseholdCapYearFen, first)
		lower(&b.minT, p.SecondApprovalAboveFen, first)
		if first || p.SecondApprovalAboveFen > b.maxT {
			b.maxT = p.SecondApprovalAboveFen
		}
	}
	return b, nil
}

// countPaid is how many payments the report examines: the window's paid applications, counted from
// payment_totals (migration 15) for whole China days and from the applications for a part of a day.
func countPaid(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, from, to time.Time) (int, error) {
	if !to.After(from) {
		return 0, nil
	}
	scope, args := a.Scope("org_path")
	startOf := func(t time.Time) time.Time {
		y, m, d := t.In(clock.China).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, clock.China)
	}
	// Whole days [fromDay, toDay); the parts of days at either end read the applications.
	fromDay, toDay := startOf(from), startOf(to)
	if fromDay.Before(from) {
		fromDay = fromDay.AddDate(0, 0, 1)
	}
	var n int
	count := func(lo, hi time.Time) error {
		if !hi.After(lo) {
			return nil
		}
		var c int
		err := sqlx.GetContext(ctx, q, &c, `SELECT count(*) FROM applications INDEXED BY applications_paid
			WHERE disbursed_at >= ? AND disbursed_at < ? AND status IN ('disbursed', 'received', 'recovered')
			AND status IN ('disbursed', 'received') AND `+scope,
			append([]any{store.FormatTime(lo), store.FormatTime(hi)}, args...)...)
		n += c
		return err
	}
	if !toDay.After(fromDay) { // within one day
		return n, count(from, to)
	}
	if err := count(from, fromDay); err != nil {
		return 0, err
	}
	if err := count(toDay, to); err != nil {
		return 0, err
	}
	low := ""
	if !from.IsZero() {
		low = clock.Date(fromDay)
	}
	var c int
	if err := sqlx.GetContext(ctx, q, &c, `SELECT coalesce(sum(n), 0) FROM payment_totals WHERE day > '' AND day >= ? AND day < ?
		AND status IN ('disbursed', 'received') AND `+scope, append([]any{low, clock.Date(toDay)}, args...)...); err != nil {
		return 0, err
	}
	return n + c, nil
}

func anomalies(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now, from, to time.Time) (AnomalyReport, error) {
	groups := map[string][]Finding{}
	add := func(f Finding) { groups[f.Rule] = append(groups[f.Rule], f) }
	pol := newPolicies(ctx, q)
	w := newWindow(a, from, to)
	b, err := policyBounds(ctx, q)
	if err != nil {
		return AnomalyReport{}, err
	}
	n, err := countPaid(ctx, q, a, from, to)
	if err != nil {
		return AnomalyReport{}, err
	}
	// Each rule over its candidates; the findings of the others over those candidates are not its to report.
	for _, r := range amountArms(b) {
		var ps []*payment
		for _, x := range r.arms {
			got, err := readPaid(ctx, q, w, pol.days, x.source, x.cond, x.args...)
			if err != nil {
				return AnomalyReport{}, err
			}
			ps = append(ps, got...)
		}
		inPaidOrder(ps)
		if err := ruleAmounts(ps, pol, r.rules, add); err != nil {
			return AnomalyReport{}, err
		}
	}
	if err := closedHouseholds(ctx, q, w, pol.days, add); err != nil {
		return AnomalyReport{}, err
	}
	if err := sharedKeys(ctx, q, w, pol.days, add); err != nil {
		return AnomalyReport{}, err
	}
	green, err := readGreen(ctx, q, w, "applications a INDEXED BY applications_green_paid", "applications a INDEXED BY applications_green_approved", "1")
	if err != nil {
		return AnomalyReport{}, err
	}
	// Segregation: the leads paid in the period, and those approved but not paid on the green channel.
	decided, err := readPaid(ctx, q, w, pol.days, "applications a NOT INDEXED", "a.id IN "+leadsOf("sod"))
	if err != nil {
		return AnomalyReport{}, err
	}
	unpaid, err := readGreen(ctx, q, w, "", "applications a NOT INDEXED", "a.id IN "+leadsOf("sod"))
	if err != nil {
		return AnomalyReport{}, err
	}
	for _, p := range unpaid {
		if !p.paid {
			decided = append(decided, p)
		}
	}
	if err := segregation(ctx, q, decided, "application_id IN "+leadsOf("sod"), nil, add); err != nil {
		return AnomalyReport{}, err
	}
	if err := ruleGreen(ctx, q, green, pol, now, add); err != nil {
		return AnomalyReport{}, err
	}
	if err := ruleUnconfirmed(ctx, q, a, now, from, to, add); err != nil {
		return AnomalyReport{}, err
	}
	return assemble(groups, n), nil
}

// amountArm is a rule of ruleAmounts and the reads of its candidates.
type amountArm struct {
	rules int
	arms  []paidArm
}

// amountArms are the rules of ruleAmounts, each with the reads of its candidates.
func amountArms(b bounds) []amountArm {
	return []amountArm{
		// Every payment of each person and type with a period paid twice (the rule keys the periods itself).
		{amountTwice, []paidArm{{"(SELECT DISTINCT type, who FROM anomaly_twice) k JOIN applications a INDEXED BY applications_applicant" +
			" ON a.applicant_id_number = k.who AND a.type = k.type", "1", nil}}},
		{amountCap, capArms(b)},
		{amountYear, []paidArm{{"household_year_paid y INDEXED BY household_year_paid_fen JOIN applications a INDEXED BY applications_household" +
			" ON a.household_id = y.household_id AND a.aid_year = y.aid_year", "y.fen > ?", []any{b.minYear}}}},
		{amountJustBelow, []paidArm{{"applications a INDEXED BY applications_paid_amount",
			"a.type IN ('living', 'medical', 'education', 'warmth', 'condolence') AND a.green = 0 AND a.amount_fen >= ? AND a.amount_fen <= ?",
			[]any{b.minT * 95 / 100, b.maxT}}}},
		{amountSplit, []paidArm{{"applications a INDEXED BY applications_household", "a.household_id IN " + leadsOf("split"), nil}}},
	}
}

// leadsOf is the subquery of the leads of rule.
func leadsOf(rule string) string { return "(SELECT id FROM anomaly_leads WHERE rule = '" + rule + "')" }

// paidArm is one read of candidates: readPaid's source, condition and arguments.
type paidArm struct {
	source, cond string
	args         []any
}

// capArms select the payments above the smallest cap their type, or the green channel, has had: one range of
// applications_paid_amount each.
func capArms(b bounds) []paidArm {
	var arms []paidArm
	for _, typ := range []string{"living", "medical", "education", "warmth", "condolence"} {
		for _, green := range []int{0, 1} {
			c := b.minGreen
			if green == 0 {
				if typ == "condolence" {
					continue // no cap on one condolence payment
				}
				c = b.minCap[typ]
			}
			arms = append(arms, paidArm{"applications a INDEXED BY applications_paid_amount", "a.type = ? AND a.green = ? AND a.amount_fen > ?", []any{typ, green, c}})
		}
	}
	return arms
}

// assemble is the report of the findings, every rule in the order of Rules.
func assemble(groups map[string][]Finding, payments int) AnomalyReport {
	rep := AnomalyReport{Payments: payments, Rules: make([]RuleGroup, 0, len(Rules))}
	for _, r := range Rules {
		fs := groups[r.Rule]
		if fs == nil {
			fs = []Finding{}
		}
		rep.Rules = append(rep.Rules, RuleGroup{Rule: r.Rule, Name: r.Name, Count: len(fs), Findings: fs})
		rep.Total += len(fs)
	}
	return rep
}

// readGreen reads the green-channel cases the green rules read: paid in the period (from paidSource) or
// approved in it and not yet paid (from approvedSource), in the window, that cond selects. An empty source
// reads none of that kind.
func readGreen(ctx context.Context, q sqlx.QueryerContext, w window, paidSource, approvedSource, cond string) ([]*payment, error) {
	const cols = `a.id, a.app_no, a.type, a.status, coalesce(a.household_id, 0), a.org_id, a.amount_fen, a.created_by,
		coalesce(a.submitted_by, 0), coalesce(a.disbursed_by, 0), coalesce(a.reviewed_by, 0), coalesce(a.approved_at, ''),
		coalesce(a.docs_due, ''), a.review_outcome`
	var arms []string
	var args []any
	if paidSource != "" {
		arms = append(arms, `SELECT `+cols+` FROM `+paidSource+` WHERE `+cond+` AND a.green = 1
			AND a.status IN ('disbursed', 'received') AND a.disbursed_at >= ? AND a.disbursed_at < ? AND `+w.scope)
		args = append(append(args, w.from, w.to), w.args...)
	}
	if approvedSource != "" {
		arms = append(arms, `SELECT `+cols+` FROM `+approvedSource+` WHERE `+cond+` AND a.green = 1
			AND a.status = 'approved' AND a.approved_at >= ? AND a.approved_at < ? AND `+w.scope)
		args = append(append(args, w.from, w.to), w.args...)
	}
	rows, err := q.QueryContext(ctx, strings.Join(arms, " UNION ALL "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var green []*payment
	for rows.Next() {
		p := &payment{green: true}
		var status string
		if err := rows.Scan(&p.id, &p.appNo, &p.typ, &status, &p.household, &p.org, &p.amount, &p.createdBy, &p.submittedBy,
			&p.disburser, &p.reviewer, &p.approvedAt, &p.docsDue, &p.outcome); err != nil {
			return nil, err
		}
		p.paid = status != "approved"
		green = append(green, p)
	}
	return green, rows.Err()
}

// closingEvent is the audit events that close a household's file: an exit, a rejection, or an annual review
// whose decision exited it (recorded as household.review; migration 27's trigger reads the same).
const closingEvent = `(action IN ('household.exit', 'household.reject')
		OR (action = 'household.review' AND json_extract(changes, '$.after.status') = 'exited'))`

// closedHouseholds: the exited-household rule over the households its leads name.
func closedHouseholds(ctx context.Context, q sqlx.QueryerContext, w window, days map[string]*calendarDay, add func(Finding)) error {
	paid, err := readPaid(ctx, q, w, days, "applications a INDEXED BY applications_household",
		"a.household_id IN (SELECT id FROM anomaly_leads WHERE rule = 'closed')")
	if err != nil || len(paid) == 0 {
		return err
	}
	homes := homesOf(paid)
	ids := idSet{}
	for id := range homes {
		ids.add(id)
	}
	rows, err := q.QueryContext(ctx, "SELECT id, file_no, status FROM households WHERE id IN "+ids.in(), ids.args()...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var fileNo, status string
		if err := rows.Scan(&id, &fileNo, &status); err != nil {
			rows.Close()
			return err
		}
		homes[id].fileNo, homes[id].status = fileNo, status
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	keys := make([]any, 0, len(homes))
	for id := range homes {
		keys = append(keys, strconv.FormatInt(id, 10))
	}
	var closed []struct {
		ID string `db:"entity_id"`
		At string `db:"at"`
	}
	if err := sqlx.SelectContext(ctx, q, &closed, `SELECT entity_id, max(at) AS at FROM audit_events
		WHERE entity_type = 'household' AND entity_id IN `+ids.in()+` AND `+closingEvent+`
		GROUP BY entity_id`, keys...); err != nil {
		return err
	}
	for _, c := range closed {
		id, _ := strconv.ParseInt(c.ID, 10, 64)
		if h := homes[id]; h != nil {
			h.closedAt = c.At
		}
	}
	ruleClosed(homes, add)
	return nil
}

// sharedKeys: the shared-card and shared-phone rules over the cards and phones that a second household took.
func sharedKeys(ctx context.Context, q sqlx.QueryerContext, w window, days map[string]*calendarDay, add func(Finding)) error {
	type holder struct {
		ID     int64  `db:"id"`
		FileNo string `db:"file_no"`
		Key    string `db:"k"`
	}
	var cards, phones []holder
	if err := sqlx.SelectContext(ctx, q, &cards, `SELECT id, file_no, bank_card AS k FROM households INDEXED BY households_bank_card
		WHERE bank_card IN (SELECT value FROM anomaly_shared WHERE kind = 'card') AND bank_card <> ''`); err != nil {
		return err
	}
	if err := sqlx.SelectContext(ctx, q, &phones, `SELECT id, file_no, phone AS k FROM households INDEXED BY households_phone
		WHERE phone IN (SELECT value FROM anomaly_shared WHERE kind = 'phone') AND phone <> ''`); err != nil {
		return err
	}
	if len(cards) == 0 && len(phones) == 0 {
		return nil
	}
	homes := map[int64]*home{}
	ids := idSet{}
	group := func(hs []holder) map[string][]*home {
		by := map[string][]*home{}
		for _, x := range hs {
			h := homes[x.ID]
			if h == nil {
				h = &home{id: x.ID, fileNo: x.FileNo}
				homes[x.ID] = h
				ids.add(x.ID)
			}
			by[x.Key] = append(by[x.Key], h)
		}
		return by
	}
	byCard, byPhone := group(cards), group(phones)
	paid, err := readPaid(ctx, q, w, days, "applications a INDEXED BY applications_household", "a.household_id IN "+ids.in(), ids.args()...)
	if err != nil {
		return err
	}
	for _, p := range paid {
		homes[p.household].paid = append(homes[p.household].paid, p)
	}
	ruleShared(RuleSharedCard, "银行卡", byCard, ident.MaskBankCard, add)
	ruleShared(RuleSharedPhone, "手机号", byPhone, ident.MaskPhone, add)
	return nil
}
