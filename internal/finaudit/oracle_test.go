package finaudit

// The anomaly report as it was computed before the leads of migration 25: every rule over every payment in
// the window. It is the oracle the report is compared with (anomaly_leads_test.go): the same findings, in the
// same order, from every history.

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/ident"
	"bangfu/internal/store"
)

// ScanAnomalies is the report of a over every payment, as the old full scan computed it (no audit event).
func (s *Service) ScanAnomalies(ctx context.Context, a actor.Actor, f AnomalyFilter) (AnomalyReport, error) {
	from, to, err := period(FundUseFilter{From: f.From, To: f.To}, s.Clock.Now())
	if err != nil {
		return AnomalyReport{}, err
	}
	return scanAnomalies(ctx, s.DB.R, a, s.Clock.Now(), from, to)
}

// LeadAnomalies is the report computed from the leads, without the audit event of a run.
func (s *Service) LeadAnomalies(ctx context.Context, a actor.Actor, f AnomalyFilter) (AnomalyReport, error) {
	from, to, err := period(FundUseFilter{From: f.From, To: f.To}, s.Clock.Now())
	if err != nil {
		return AnomalyReport{}, err
	}
	return anomalies(ctx, s.DB.R, a, s.Clock.Now(), from, to)
}

func scanAnomalies(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now, from, to time.Time) (AnomalyReport, error) {
	groups := map[string][]Finding{}
	add := func(f Finding) { groups[f.Rule] = append(groups[f.Rule], f) }
	pol := newPolicies(ctx, q)

	scope, args := a.Scope("org_path")
	fromS, toS := store.FormatTime(from), store.FormatTime(to)
	// Paid applications in the period, read as narrow as the rules allow: at a million payments each column
	// costs about a tenth of a second. The green-channel cases, few, are read again whole below.
	rows, err := q.QueryContext(ctx, `SELECT id, app_no, type, coalesce(household_id, 0), applicant_id_number,
		CASE type WHEN 'education' THEN student_id_number ELSE '' END, CASE type WHEN 'education' THEN school_year ELSE '' END,
		org_id, aid_year, amount_fen, green, created_by, coalesce(submitted_by, 0), coalesce(disbursed_by, 0), disbursed_at
		FROM applications NOT INDEXED WHERE `+scope+` AND status IN ('disbursed', 'received') AND disbursed_at >= ? AND disbursed_at < ?`,
		append(args, fromS, toS)...)
	if err != nil {
		return AnomalyReport{}, err
	}
	var paid []*payment
	for rows.Next() {
		p := &payment{paid: true}
		if err := rows.Scan(&p.id, &p.appNo, &p.typ, &p.household, &p.idNumber, &p.student, &p.schoolYear, &p.org, &p.aidYear,
			&p.amount, &p.green, &p.createdBy, &p.submittedBy, &p.disburser, &p.paidAt); err != nil {
			rows.Close()
			return AnomalyReport{}, err
		}
		p.day, p.month = chinaDay(pol.days, p.paidAt)
		paid = append(paid, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return AnomalyReport{}, err
	}
	slices.SortFunc(paid, func(x, y *payment) int {
		if c := strings.Compare(x.paidAt, y.paidAt); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	// The green-channel cases paid or approved in the period, with what their rules read.
	var green []*payment
	if err := func() error {
		rows, err := q.QueryContext(ctx, `SELECT id, app_no, type, status, coalesce(household_id, 0), org_id, amount_fen, created_by,
			coalesce(submitted_by, 0), coalesce(disbursed_by, 0), coalesce(reviewed_by, 0), coalesce(approved_at, ''), coalesce(docs_due, ''),
			review_outcome FROM applications WHERE `+scope+` AND green = 1 AND (
			  (status IN ('disbursed', 'received') AND disbursed_at >= ? AND disbursed_at < ?)
			  OR (status = 'approved' AND approved_at >= ? AND approved_at < ?))`, append(args, fromS, toS, fromS, toS)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p := &payment{green: true}
			var status string
			if err := rows.Scan(&p.id, &p.appNo, &p.typ, &status, &p.household, &p.org, &p.amount, &p.createdBy, &p.submittedBy,
				&p.disburser, &p.reviewer, &p.approvedAt, &p.docsDue, &p.outcome); err != nil {
				return err
			}
			p.paid = status != "approved"
			green = append(green, p)
		}
		return rows.Err()
	}(); err != nil {
		return AnomalyReport{}, err
	}
	// The cases whose deciders the segregation rule reads: every payment, and the green cases approved but
	// not yet paid.
	decided := paid
	for _, p := range green {
		if !p.paid {
			decided = append(decided, p)
		}
	}

	if err := ruleAmounts(paid, pol, amountAll, add); err != nil {
		return AnomalyReport{}, err
	}
	if _, err := ruleHouseholds(ctx, q, paid, add); err != nil {
		return AnomalyReport{}, err
	}
	if err := segregation(ctx, q, decided, "1", nil, add); err != nil {
		return AnomalyReport{}, err
	}
	if err := ruleGreen(ctx, q, green, pol, now, add); err != nil {
		return AnomalyReport{}, err
	}
	if err := ruleUnconfirmed(ctx, q, a, now, from, to, add); err != nil {
		return AnomalyReport{}, err
	}

	return assemble(groups, len(paid)), nil
}

// ruleHouseholds: payments to exited or rejected files, and cards or phones shared by different households.
// It returns the households involved, by id.
func ruleHouseholds(ctx context.Context, q sqlx.QueryerContext, paid []*payment, add func(Finding)) (map[int64]*home, error) {
	homes := homesOf(paid)
	if len(homes) == 0 {
		return homes, nil
	}
	// The paid households' cards and phones, and every household holding one of them.
	rows, err := q.QueryContext(ctx, `SELECT id, file_no, status, bank_card, phone FROM households`)
	if err != nil {
		return nil, err
	}
	byCard, byPhone := map[string][]*home{}, map[string][]*home{}
	all := map[int64]*home{}
	for rows.Next() {
		h := &home{}
		if err := rows.Scan(&h.id, &h.fileNo, &h.status, &h.card, &h.phone); err != nil {
			rows.Close()
			return nil, err
		}
		if paidHome := homes[h.id]; paidHome != nil {
			paidHome.fileNo, paidHome.status, paidHome.card, paidHome.phone = h.fileNo, h.status, h.card, h.phone
			h = paidHome
		}
		all[h.id] = h
		if h.card != "" {
			byCard[h.card] = append(byCard[h.card], h)
		}
		if h.phone != "" {
			byPhone[h.phone] = append(byPhone[h.phone], h)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// When each closed file was closed: the audit trail's exit, rejection or annual review that exited it.
	var closed []struct {
		ID string `db:"entity_id"`
		At string `db:"at"`
	}
	if err := sqlx.SelectContext(ctx, q, &closed, `SELECT entity_id, max(at) AS at FROM audit_events
		WHERE entity_type = 'household' AND (action IN ('household.exit', 'household.reject')
			OR (action = 'household.review' AND json_extract(changes, '$.after.status') = 'exited'))
		GROUP BY entity_id`); err != nil {
		return nil, err
	}
	for _, c := range closed {
		id, _ := strconv.ParseInt(c.ID, 10, 64)
		if h := homes[id]; h != nil {
			h.closedAt = c.At
		}
	}
	ruleClosed(homes, add)
	ruleShared(RuleSharedCard, "银行卡", byCard, ident.MaskBankCard, add)
	ruleShared(RuleSharedPhone, "手机号", byPhone, ident.MaskPhone, add)
	return homes, nil
}
