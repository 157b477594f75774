package finaudit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/ident"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/policy"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// The rules of the anomaly report (SPEC §8.2 异常线索). Each finding is a lead for the funds-review committee,
// not a verdict: it names the rule, the records and the numbers, and the auditor follows the links.
const (
	RulePaidTwice        = "paid_twice"           // the same person paid twice for the same type and period
	RuleAboveCap         = "above_cap"            // a payment, or a household's year, above its cap
	RuleJustBelow        = "just_below"           // several payments at 95–100% of second_approval_above from one caseworker or org in a month
	RuleSplit            = "split_payments"       // one household, one type, within 30 days: payments each under the threshold whose sum passes it
	RuleExitedHousehold  = "exited_household"     // paid after the household's file was exited or rejected
	RuleSharedCard       = "shared_card"          // one bank card on different households
	RuleSharedPhone      = "shared_phone"         // one phone on different households
	RuleSegregation      = "segregation"          // one person in two roles on one application, from the decisions as made
	RuleGreenDocsOverdue = "green_docs_overdue"   // green channel: documents still missing after green_docs_days
	RuleGreenNoReview    = "green_no_review"      // green channel: no retrospective review green_docs_days after approval
	RuleGreenFlagged     = "green_flagged"        // green channel: flagged by the retrospective review
	RuleUnconfirmed      = "unconfirmed_delivery" // campaign goods delivered, no receiver's confirmation after the code's 7 days
)

// Rules lists every rule in the report's order, with its Chinese name.
var Rules = []struct{ Rule, Name string }{
	{RulePaidTwice, "同一人同类型同期重复发放"},
	{RuleAboveCap, "超过上限"},
	{RuleJustBelow, "集中在审批门槛之下"},
	{RuleSplit, "拆分发放"},
	{RuleExitedHousehold, "向已撤档或被驳回的困难户发放"},
	{RuleSharedCard, "不同困难户共用一张银行卡"},
	{RuleSharedPhone, "不同困难户共用一个手机号"},
	{RuleSegregation, "违反不相容职务分离"},
	{RuleGreenDocsOverdue, "绿色通道材料逾期未补"},
	{RuleGreenNoReview, "绿色通道未做事后复核"},
	{RuleGreenFlagged, "绿色通道复核存疑"},
	{RuleUnconfirmed, "配送无收货人确认"},
}

// Ref is a record a finding involves, for the links.
type Ref struct {
	Type  string `json:"type"` // application, household
	ID    int64  `json:"id"`
	Label string `json:"label"` // 申请编号 or 档案编号
}

// Finding is one anomaly: the rule, the records and the numbers.
type Finding struct {
	Rule      string    `json:"rule"`
	Message   string    `json:"message"`
	AmountFen money.Fen `json:"amount_fen"` // the money concerned
	Refs      []Ref     `json:"records"`
}

// RuleGroup is one rule's findings.
type RuleGroup struct {
	Rule     string    `json:"rule"`
	Name     string    `json:"name"`
	Count    int       `json:"count"`
	Findings []Finding `json:"findings"`
}

// AnomalyFilter is the period of the payments examined (paid date, China calendar, inclusive) and an optional
// rule to show alone.
type AnomalyFilter struct {
	From string `query:"from" json:"from"`
	To   string `query:"to" json:"to"`
	Rule string `query:"rule" json:"rule"`
}

// AnomalyReport is the report: every rule with its count, in the order of Rules.
type AnomalyReport struct {
	Filter   AnomalyFilter `json:"filter"`
	Payments int           `json:"payments"` // payments examined
	Total    int           `json:"total"`    // findings
	Rules    []RuleGroup   `json:"rules"`
}

// payment is one paid (or, for the green-channel rules, approved) application as the rules read it.
type payment struct {
	id, household, org, createdBy, submittedBy, disburser, reviewer                 int64
	amount                                                                          money.Fen
	appNo, typ, idNumber, student, schoolYear, paidAt, approvedAt, docsDue, outcome string
	day, month                                                                      string // of paidAt, China calendar
	aidYear                                                                         int64
	green, paid                                                                     bool
}

// calendarDay is a China calendar day and month; chinaDay works them out once per UTC hour of the instants
// it is given, not once per payment.
type calendarDay struct{ day, month string }

func chinaDay(cache map[string]*calendarDay, at string) (day, month string) {
	hour := at
	if len(at) >= 13 {
		hour = at[:13]
	}
	c := cache[hour]
	if c == nil {
		c = &calendarDay{}
		if t, err := store.ParseTime(at); err == nil {
			c.day = clock.Date(t)
			c.month = t.In(clock.China).Format("2006-01")
		} else if len(at) >= 10 { // not the stored form: its UTC date is the best there is
			c.day, c.month = at[:10], at[:7]
		}
		cache[hour] = c
	}
	return c.day, c.month
}

func (p *payment) ref() Ref { return Ref{Type: "application", ID: p.id, Label: p.appNo} }

// Anomalies runs every rule over the payments in a's scope (auditors, finance) and records that it was run.
func (s *Service) Anomalies(ctx context.Context, a actor.Actor, f AnomalyFilter) (AnomalyReport, error) {
	if err := require(a, anomalyReaders...); err != nil {
		return AnomalyReport{}, err
	}
	from, to, err := period(FundUseFilter{From: f.From, To: f.To}, s.Clock.Now())
	if err != nil {
		return AnomalyReport{}, err
	}
	known := f.Rule == ""
	for _, r := range Rules {
		known = known || r.Rule == f.Rule
	}
	if !known {
		return AnomalyReport{}, apperr.Invalid("rule", "未知的规则")
	}
	now := s.Clock.Now()
	tx, err := s.DB.R.BeginTxx(ctx, nil)
	if err != nil {
		return AnomalyReport{}, err
	}
	rep, err := anomalies(ctx, tx, a, now, from, to)
	tx.Rollback()
	if err != nil {
		return AnomalyReport{}, err
	}
	rep.Filter = f
	counts := map[string]int{}
	for _, g := range rep.Rules {
		counts[g.Rule] = g.Count
	}
	// SPEC §8.2: every run of the report is audited — who looked, at what, and what it found.
	if _, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (struct{}, error) {
		return struct{}{}, audit.Record(ctx, tx, a, now, audit.Entry{Action: "report.anomalies", EntityType: "report",
			EntityID: "anomalies", After: map[string]any{"filter": f, "payments": rep.Payments, "findings": counts}})
	}); err != nil {
		return AnomalyReport{}, err
	}
	if f.Rule != "" {
		for _, g := range rep.Rules {
			if g.Rule == f.Rule {
				rep.Rules = []RuleGroup{g}
			}
		}
	}
	return rep, nil
}

// policies picks the policy version in force for an org on a China calendar day, once per pair.
type policies struct {
	ctx   context.Context
	q     sqlx.QueryerContext
	cache map[policyKey]policy.Params
	days  map[string]*calendarDay
}

type policyKey struct {
	org int64
	day string
}

func newPolicies(ctx context.Context, q sqlx.QueryerContext) *policies {
	return &policies{ctx: ctx, q: q, cache: map[policyKey]policy.Params{}, days: map[string]*calendarDay{}}
}

// at is the version in force for org at an instant.
func (c *policies) at(org int64, at string) (policy.Params, error) {
	day, _ := chinaDay(c.days, at)
	return c.on(org, day)
}

func (c *policies) on(org int64, day string) (policy.Params, error) {
	key := policyKey{org, day}
	if p, ok := c.cache[key]; ok {
		return p, nil
	}
	p, err := policy.InForce(c.ctx, c.q, org, day)
	if err != nil {
		return policy.Params{}, err
	}
	c.cache[key] = p.Params
	return p.Params, nil
}

// confirmWindow is how long a receiver's one-time code is valid (SPEC §5): a delivery still unconfirmed after
// it has no confirmation coming unless a caseworker records a signed slip.
const confirmWindow = 7

// ruleUnconfirmed: campaign deliveries in a's scope, delivered in the period, still without the receiver's
// confirmation more than confirmWindow days after delivery (SPEC §8.2).
func ruleUnconfirmed(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now, from, to time.Time, add func(Finding)) error {
	scope, args := a.Scope("d.org_path")
	var ds []struct {
		ID       int64     `db:"id"`
		No       string    `db:"delivery_no"`
		Site     string    `db:"site_name"`
		On       string    `db:"delivered_on"`
		ValueFen money.Fen `db:"value_fen"`
		Campaign string    `db:"campaign"`
	}
	due := clock.Date(now.AddDate(0, 0, -confirmWindow))
	err := sqlx.SelectContext(ctx, q, &ds, `SELECT d.id, d.delivery_no, d.site_name, d.delivered_on, d.value_fen, c.name AS campaign
		FROM campaign_deliveries d JOIN campaigns c ON c.id = d.campaign_id
		WHERE `+scope+` AND d.status = 'unconfirmed' AND d.delivered_on < ? AND d.delivered_on >= ? AND d.delivered_on <= ?
		ORDER BY d.delivered_on, d.id`, append(args, due, clock.Date(from), clock.Date(to.Add(-time.Nanosecond)))...)
	if err != nil {
		return err
	}
	for _, d := range ds {
		add(Finding{Rule: RuleUnconfirmed, AmountFen: d.ValueFen, Refs: []Ref{{Type: "delivery", ID: d.ID, Label: d.No}},
			Message: fmt.Sprintf("%s（%s）于 %s 送达「%s」，价值 %s，超过 %d 天仍无收货人确认", d.No, d.Campaign, d.On, d.Site,
				yuan(d.ValueFen), confirmWindow)})
	}
	return nil
}

// twiceKey is the period of a payment for the paid-twice rule: the school year per student for 金秋助学, the
// year for 送温暖, the calendar month otherwise (living, medical and condolence may be paid again, but not twice
// in one month).
type twiceKey struct {
	typ, who, period string
	year             int64
}

func twicePeriod(p *payment) twiceKey {
	switch p.typ {
	case "education":
		return twiceKey{typ: p.typ, who: p.student, period: p.schoolYear}
	case "warmth":
		return twiceKey{typ: p.typ, who: p.idNumber, year: p.aidYear}
	}
	return twiceKey{typ: p.typ, who: p.idNumber, period: p.month}
}

func (k twiceKey) name() string {
	switch k.typ {
	case "education":
		return k.period + " 学年"
	case "warmth":
		return strconv.FormatInt(k.year, 10) + " 年"
	}
	return k.period
}

func yuan(f money.Fen) string { return f.String() }

// The rules ruleAmounts applies, each on its own candidates or all of them on every payment.
const (
	amountTwice = 1 << iota
	amountCap
	amountYear
	amountJustBelow
	amountSplit
	amountAll = amountTwice | amountCap | amountYear | amountJustBelow | amountSplit
)

// ruleAmounts: paid twice, above a cap (one payment, or a household's year), clustered just below the
// second-approval threshold, and split payments, as far as rules asks. paid is in paid-date order and holds
// every payment of each group a rule reads (a person's period, a household's year or type, a caseworker's or
// org's month).
func ruleAmounts(paid []*payment, pol *policies, rules int, add func(Finding)) error {
	// Keys are structs of strings the rows already hold: at a million payments, building a string key per
	// payment costs more than the rest of the rule.
	type homeYear struct{ household, year int64 }
	type homeType struct {
		household int64
		typ       string
	}
	type clusterKey struct {
		org   bool // the org's cluster, else the caseworker's
		id    int64
		month string
	}
	first := make(map[twiceKey]int, len(paid)) // where each period's first payment is in paid
	twice := map[twiceKey][]*payment{}
	yearTotal := map[homeYear][]*payment{}
	var yearKeys []homeYear
	cluster := map[clusterKey][]*payment{}
	var clusterKeys []clusterKey
	byHome := map[homeType][]*payment{}
	for i, p := range paid {
		params, err := pol.on(p.org, p.day)
		if err != nil {
			return err
		}
		if k := twicePeriod(p); rules&amountTwice != 0 {
			if j, seen := first[k]; !seen {
				first[k] = i
			} else if g := twice[k]; g == nil {
				twice[k] = []*payment{paid[j], p}
			} else {
				twice[k] = append(g, p)
			}
		}

		// Payments above a cap: a single payment above what its type may pay at all.
		if c, name := typeCap(p, params); rules&amountCap != 0 && c > 0 && p.amount > c {
			add(Finding{Rule: RuleAboveCap, AmountFen: p.amount, Refs: []Ref{p.ref()},
				Message: fmt.Sprintf("%s %s 发放 %s，超过%s %s", p.appNo, ledger.AidTypes[p.typ], yuan(p.amount), name, yuan(c))})
		}
		if p.household != 0 && rules&amountYear != 0 {
			yk := homeYear{p.household, p.aidYear}
			if yearTotal[yk] == nil {
				yearKeys = append(yearKeys, yk)
			}
			yearTotal[yk] = append(yearTotal[yk], p)
		}
		if p.household != 0 && rules&amountSplit != 0 {
			hk := homeType{p.household, p.typ}
			byHome[hk] = append(byHome[hk], p)
		}
		// Just below the threshold: 95–100% of second_approval_above.
		t := params.SecondApprovalAboveFen
		if rules&amountJustBelow != 0 && !p.green && p.amount <= t && p.amount*100 >= t*95 {
			for _, k := range []clusterKey{{false, p.createdBy, p.month}, {true, p.org, p.month}} {
				if cluster[k] == nil {
					clusterKeys = append(clusterKeys, k)
				}
				cluster[k] = append(cluster[k], p)
			}
		}
	}
	twiceKeys := make([]twiceKey, 0, len(twice))
	for k := range twice {
		twiceKeys = append(twiceKeys, k)
	}
	slices.SortFunc(twiceKeys, func(x, y twiceKey) int { return cmp.Compare(first[x], first[y]) })
	for _, k := range twiceKeys {
		g := twice[k]
		add(Finding{Rule: RulePaidTwice, AmountFen: sum(g), Refs: refs(g),
			Message: fmt.Sprintf("同一人（%s）%s %s 发放 %d 次，共 %s：%s", ident.MaskID(idOf(g[0])), k.name(),
				ledger.AidTypes[g[0].typ], len(g), yuan(sum(g)), appNos(g))})
	}
	for _, k := range yearKeys {
		g := yearTotal[k]
		params, err := pol.on(g[0].org, g[len(g)-1].day)
		if err != nil {
			return err
		}
		if total := sum(g); total > params.HouseholdCapYearFen {
			add(Finding{Rule: RuleAboveCap, AmountFen: total, Refs: refs(g),
				Message: fmt.Sprintf("同一困难户 %d 年各类救助合计 %s，超过年度上限 %s：%s", g[0].aidYear, yuan(total),
					yuan(params.HouseholdCapYearFen), appNos(g))})
		}
	}
	for _, k := range clusterKeys {
		g := cluster[k]
		if len(g) < clusterMin {
			continue
		}
		params, err := pol.on(g[0].org, g[0].day)
		if err != nil {
			return err
		}
		who := "同一经办人"
		if k.org {
			who = "同一单位"
		}
		add(Finding{Rule: RuleJustBelow, AmountFen: sum(g), Refs: refs(g),
			Message: fmt.Sprintf("%s %s 有 %d 笔金额在二次审批门槛 %s 的 95%%–100%% 之间（%s）：%s", who, g[0].month, len(g),
				yuan(params.SecondApprovalAboveFen), amounts(g), appNos(g))})
	}
	// Split payments: within any 30 days, one household's payments of one type, each under the threshold, sum
	// above it — one need paid in parts that each escape the second approval.
	homes := make([]homeType, 0, len(byHome))
	for h := range byHome {
		homes = append(homes, h)
	}
	slices.SortFunc(homes, func(x, y homeType) int {
		return cmp.Or(cmp.Compare(x.household, y.household), strings.Compare(x.typ, y.typ))
	})
	for _, h := range homes {
		g := byHome[h]
		for i := 0; i < len(g); {
			params, err := pol.on(g[i].org, g[i].day)
			if err != nil {
				return err
			}
			t := params.SecondApprovalAboveFen
			start, _ := store.ParseTime(g[i].paidAt)
			j, total := i, money.Fen(0)
			for j < len(g) {
				at, _ := store.ParseTime(g[j].paidAt)
				if at.Sub(start) > splitWindow || g[j].amount > t {
					break
				}
				total += g[j].amount
				j++
			}
			if j-i >= 2 && total > t {
				w := g[i:j]
				add(Finding{Rule: RuleSplit, AmountFen: total, Refs: refs(w),
					Message: fmt.Sprintf("同一困难户 30 天内 %d 笔%s（%s），每笔不超过二次审批门槛 %s，合计 %s：%s", len(w), ledger.AidTypes[w[0].typ], amounts(w),
						yuan(t), yuan(total), appNos(w))})
				i = j
				continue
			}
			i++
		}
	}
	return nil
}

// clusterMin is how many payments just below the threshold in a month make a cluster; splitWindow is the
// window of the split-payment rule (SPEC §8.2: 30 days).
const (
	clusterMin  = 3
	splitWindow = 30 * 24 * time.Hour
)

// typeCap is the most one payment of p's type may be (0: no single-payment cap).
func typeCap(p *payment, params policy.Params) (money.Fen, string) {
	if p.green {
		return params.GreenMaxAmountFen, "绿色通道单笔上限"
	}
	switch p.typ {
	case "living":
		return params.LivingCapYearFen, "生活救助年度上限"
	case "medical":
		return params.MedicalCapYearFen, "医疗救助年度上限"
	case "education":
		return max(params.EducationHigherFiledFen, params.EducationHigherUnfiledFen, params.EducationSeniorFiledFen,
			params.EducationSeniorUnfiledFen), "金秋助学最高标准"
	case "warmth":
		return params.WarmthAmountFen, "送温暖标准"
	}
	return 0, ""
}

func idOf(p *payment) string {
	if p.typ == "education" && p.student != "" {
		return p.student
	}
	return p.idNumber
}

func sum(g []*payment) money.Fen {
	var s money.Fen
	for _, p := range g {
		s += p.amount
	}
	return s
}

func refs(g []*payment) []Ref {
	out := make([]Ref, len(g))
	for i, p := range g {
		out[i] = p.ref()
	}
	return out
}

func appNos(g []*payment) string {
	s := make([]string, len(g))
	for i, p := range g {
		s[i] = p.appNo
	}
	return strings.Join(s, "、")
}

func amounts(g []*payment) string {
	s := make([]string, len(g))
	for i, p := range g {
		s[i] = yuan(p.amount)
	}
	return strings.Join(s, "、")
}

type home struct {
	id                          int64
	fileNo, status, card, phone string
	closedAt                    string // when the file was exited (also by a review) or rejected (from the audit trail)
	paid                        []*payment
}

// homesOf groups payments by household (those without a file are left out).
func homesOf(paid []*payment) map[int64]*home {
	homes := map[int64]*home{}
	for _, p := range paid {
		if p.household == 0 {
			continue
		}
		h := homes[p.household]
		if h == nil {
			h = &home{id: p.household}
			homes[p.household] = h
		}
		h.paid = append(h.paid, p)
	}
	return homes
}

// ruleClosed: payments to files exited or rejected before the payment (or, without a date of closing in the
// audit trail, at all). homes are the paid households with their file number, status and closing.
func ruleClosed(homes map[int64]*home, add func(Finding)) {
	ids := make([]int64, 0, len(homes))
	for id := range homes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		h := homes[id]
		if h.status != "exited" && h.status != "rejected" {
			continue
		}
		var after []*payment
		for _, p := range h.paid {
			if h.closedAt == "" || p.paidAt > h.closedAt {
				after = append(after, p)
			}
		}
		if len(after) == 0 {
			continue
		}
		what := map[string]string{"exited": "撤档", "rejected": "驳回"}[h.status]
		when := ""
		if h.closedAt != "" {
			when = "于 " + clock.Date(mustTime(h.closedAt)) + " "
		}
		add(Finding{Rule: RuleExitedHousehold, AmountFen: sum(after),
			Refs:    append([]Ref{{Type: "household", ID: h.id, Label: h.fileNo}}, refs(after)...),
			Message: fmt.Sprintf("档案 %s %s已%s，之后仍发放 %d 笔共 %s：%s", h.fileNo, when, what, len(after), yuan(sum(after)), appNos(after))})
	}
}

// ruleShared: one card or phone (the keys of by) on two or more households, one of them paid in the period.
// by holds, for each key, every household that has it.
func ruleShared(rule, what string, by map[string][]*home, mask func(string) string, add func(Finding)) {
	keys := make([]string, 0)
	for k, hs := range by {
		if len(hs) < 2 {
			continue
		}
		for _, h := range hs {
			if len(h.paid) > 0 {
				keys = append(keys, k)
				break
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		hs := by[k]
		sort.Slice(hs, func(i, j int) bool { return hs[i].id < hs[j].id })
		var rs []Ref
		var files []string
		var total money.Fen
		for _, h := range hs {
			rs = append(rs, Ref{Type: "household", ID: h.id, Label: h.fileNo})
			files = append(files, h.fileNo)
		}
		for _, h := range hs {
			rs = append(rs, refs(h.paid)...)
			total += sum(h.paid)
		}
		add(Finding{Rule: rule, AmountFen: total, Refs: rs,
			Message: fmt.Sprintf("%s %s 登记在 %d 个不同的困难户档案上（%s），共发放 %s", what, mask(k), len(hs), strings.Join(files, "、"), yuan(total))})
	}
}

func mustTime(s string) time.Time { t, _ := store.ParseTime(s); return t }

// segregation reads who did what on each application from its decisions as they were made (the decision
// snapshots) and the submitter and disburser as recorded at the time — never the current role assignments,
// which may since have changed and would hide a breach (SPEC §1.2).
// decision is one decision as the segregation rule reads it: who, and which of the kinds below.
type decision struct{ actor, kind int64 }

const (
	decRestart  = 0 // a return: the approvals start over
	decApproval = 1 // first_approved or approved
	decReview   = 2 // a retrospective review, confirmed or flagged
)

// segregation reads the decisions on the applications that which (a condition on application_id) selects.
func segregation(ctx context.Context, q sqlx.QueryerContext, ps []*payment, which string, args []any, add func(Finding)) error {
	if len(ps) == 0 {
		return nil
	}
	// The cases in id order, merged with the decisions read in application order: no map of a million
	// entries, and a decision's kind comes as a number, not two strings.
	byID := slices.Clone(ps)
	slices.SortFunc(byID, func(x, y *payment) int { return cmp.Compare(x.id, y.id) })
	rows, err := q.QueryContext(ctx, `SELECT application_id, actor_id, CASE WHEN action = 'return' THEN 0
		WHEN outcome IN ('first_approved', 'approved') THEN 1 ELSE 2 END
		FROM application_decisions INDEXED BY application_decisions_actors
		WHERE (action = 'return' OR (action = 'approve' AND outcome IN ('first_approved', 'approved'))
		   OR (action = 'review' AND outcome IN ('confirmed', 'flagged'))) AND `+which+`
		ORDER BY application_id, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		k       int
		current *payment
		decs    []decision
	)
	check := func() error {
		if current == nil || len(decs) == 0 {
			return nil
		}
		return segregationOf(ctx, q, current, decs, add)
	}
	for rows.Next() {
		var id int64
		var d decision
		if err := rows.Scan(&id, &d.actor, &d.kind); err != nil {
			return err
		}
		if current == nil || current.id != id {
			if err := check(); err != nil {
				return err
			}
			current, decs = nil, decs[:0]
			for k < len(byID) && byID[k].id < id {
				k++
			}
			if k == len(byID) || byID[k].id != id {
				continue
			}
			current = byID[k]
		}
		if d.kind == decRestart {
			decs = decs[:0]
		} else {
			decs = append(decs, d)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return check()
}

// segregationOf checks one case's deciders, the approvals since its last return and its review.
func segregationOf(ctx context.Context, q sqlx.QueryerContext, p *payment, decs []decision, add func(Finding)) error {
	var approvers []decision
	var reviewer int64
	for _, d := range decs {
		switch d.kind {
		case decApproval:
			approvers = append(approvers, d)
		case decReview:
			reviewer = d.actor
		}
	}
	// What is wrong, by whom; the names are read only for the few cases found.
	type breach struct {
		what  string // a format with the decider's name
		actor int64
	}
	var found []breach
	for _, d := range approvers {
		if d.actor == p.submittedBy || d.actor == p.createdBy {
			found = append(found, breach{"%s 既提交又审批", d.actor})
		}
		if p.paid && d.actor == p.disburser {
			found = append(found, breach{"%s 既审批又发放", d.actor})
		}
	}
	if len(approvers) >= 2 && approvers[len(approvers)-2].actor == approvers[len(approvers)-1].actor {
		found = append(found, breach{"两级审批均由 %s 作出", approvers[len(approvers)-1].actor})
	}
	if reviewer != 0 {
		for _, d := range approvers {
			if d.actor == reviewer {
				found = append(found, breach{"%s 既审批又做事后复核", d.actor})
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	var named []struct {
		ID   int64  `db:"actor_id"`
		Name string `db:"actor_name"`
	}
	if err := sqlx.SelectContext(ctx, q, &named, "SELECT actor_id, actor_name FROM application_decisions WHERE application_id = ? ORDER BY id", p.id); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, n := range named {
		names[n.ID] = n.Name
	}
	why := make([]string, len(found))
	for i, b := range found {
		why[i] = fmt.Sprintf(b.what, names[b.actor])
	}
	add(Finding{Rule: RuleSegregation, AmountFen: p.amount, Refs: []Ref{p.ref()},
		Message: fmt.Sprintf("%s（%s）：%s", p.appNo, yuan(p.amount), strings.Join(dedupe(why), "；"))})
	return nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ruleGreen: green-channel cases whose documents are overdue, that were not reviewed afterwards within
// green_docs_days of approval, or that the review flagged (SPEC §4.3).
func ruleGreen(ctx context.Context, q sqlx.QueryerContext, ps []*payment, pol *policies, now time.Time, add func(Finding)) error {
	var green []*payment
	var ids []int64
	for _, p := range ps {
		if p.green {
			green = append(green, p)
			if p.household != 0 {
				ids = append(ids, p.household)
			}
		}
	}
	if len(green) == 0 {
		return nil
	}
	docs, err := household.DocumentKindsOfEach(ctx, q, ids)
	if err != nil {
		return err
	}
	today := clock.Date(now)
	sort.Slice(green, func(i, j int) bool { return green[i].id < green[j].id })
	for _, p := range green {
		if p.docsDue != "" && today > p.docsDue && p.household != 0 {
			var missing []string
			seen := map[string]bool{}
			for _, k := range append(append([]string{}, relief.GreenDocs...), relief.RequiredDocs[relief.Type(p.typ)]...) {
				if !docs[p.household][k] && !seen[k] {
					seen[k] = true
					missing = append(missing, household.DocumentKinds[k])
				}
			}
			if len(missing) > 0 {
				add(Finding{Rule: RuleGreenDocsOverdue, AmountFen: p.amount, Refs: []Ref{p.ref()},
					Message: fmt.Sprintf("%s 材料应于 %s 前补齐，至今仍缺：%s", p.appNo, p.docsDue, strings.Join(missing, "、"))})
			}
		}
		if p.reviewer == 0 && p.approvedAt != "" {
			params, err := pol.at(p.org, p.approvedAt)
			if err != nil {
				return err
			}
			if now.Sub(mustTime(p.approvedAt)) > time.Duration(params.GreenDocsDays)*24*time.Hour {
				add(Finding{Rule: RuleGreenNoReview, AmountFen: p.amount, Refs: []Ref{p.ref()},
					Message: fmt.Sprintf("%s 于 %s 批准，已超过 %d 天仍未做事后复核", p.appNo, clock.Date(mustTime(p.approvedAt)), params.GreenDocsDays)})
			}
		}
		if p.outcome == "flagged" {
			add(Finding{Rule: RuleGreenFlagged, AmountFen: p.amount, Refs: []Ref{p.ref()},
				Message: fmt.Sprintf("%s（%s）事后复核结论为存疑", p.appNo, yuan(p.amount))})
		}
	}
	return nil
}

// AuditActions names every audit action code the finance-audit area writes (SPEC §8.2: every run of the
// anomaly report is audited).
var AuditActions = map[string]string{"report.anomalies": "报表·查看异常线索"}
