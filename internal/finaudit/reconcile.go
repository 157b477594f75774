package finaudit

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/money"
)

// Difference is one place where the ledger and a register disagree (SPEC §8.2 对账).
type Difference struct {
	Rule          string    `json:"rule"`
	Message       string    `json:"message"`
	TransferID    int64     `json:"transfer_id,omitempty"`
	ApplicationID int64     `json:"application_id,omitempty"`
	AppNo         string    `json:"app_no,omitempty"`
	LedgerFen     money.Fen `json:"ledger_fen"`
	RegisterFen   money.Fen `json:"register_fen"`
}

func (d Difference) String() string { return d.Rule + ": " + d.Message }

// Reconciliation is the ledger against the registers.
type Reconciliation struct {
	OK              bool         `json:"ok"`
	Transfers       int          `json:"transfers"`    // posted transfers checked
	Applications    int          `json:"applications"` // paid applications checked
	LedgerPaidFen   money.Fen    `json:"ledger_paid_fen"`
	RegisterPaidFen money.Fen    `json:"register_paid_fen"`
	Differences     []Difference `json:"differences"`
}

// DifferenceNames are the Chinese names of the reconciliation rules.
var DifferenceNames = map[string]string{
	"no_ledger_record":      "转账没有记账事件",
	"no_source":             "转账没有对应的业务记录",
	"not_linked":            "转账与业务记录互不对应",
	"not_paid":              "已记账付款对应的申请未处于已发放状态",
	"unknown_reference":     "转账引用了未知的业务类型",
	"reversal_unrecorded":   "付款被冲正但申请中没有追回记录",
	"no_transfer":           "已发放的申请没有付款转账",
	"transfer_not_posted":   "已发放的申请的付款转账未记账",
	"amount_mismatch":       "金额不一致",
	"recovery_inconsistent": "追回记录与冲正转账不一致",
}

type reconTransfer struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"`
	Amount     int64  `db:"amount"`
	Unit       string `db:"unit"`
	Pending    bool   `db:"pending"`
	State      string `db:"state"`
	RefType    string `db:"ref_type"`
	RefID      string `db:"ref_id"`
	ReversesID int64  `db:"reverses_id"`
	InScope    bool   `db:"in_scope"`
}

type reconApp struct {
	ID         int64     `db:"id"`
	AppNo      string    `db:"app_no"`
	Status     string    `db:"status"`
	AmountFen  money.Fen `db:"amount_fen"`
	TransferID int64     `db:"transfer_id"`
	RecoveryID int64     `db:"recovery_transfer_id"`
}

// paidStatuses are the application statuses whose money has gone out (SPEC §4.2).
var paidStatuses = map[string]bool{"disbursed": true, "received": true, "recovered": true}

// sources are the registers a transfer's reference may name, and how to check it against that register.
// The relief register is checked in full below; the ledger's own movements (receive, budget, allocate) have
// their source in the ledger's audit events.
var knownRefTypes = map[string]bool{"application": true,
	// campaign records (internal/campaign, SPEC §5): purchases, deliveries and health checks
	"campaign_purchase": true, "campaign_delivery": true, "campaign_enrolment": true}

// Reconcile checks, in a's scope, that every posted transfer has its source record and every paid application
// its posted transfer with the same amount, and lists each difference (finance, auditors).
func (s *Service) Reconcile(ctx context.Context, a actor.Actor) (Reconciliation, error) {
	if err := require(a, auditReaders...); err != nil {
		return Reconciliation{}, err
	}
	tx, err := s.DB.R.BeginTxx(ctx, nil) // one snapshot of the ledger, the registers and the trail
	if err != nil {
		return Reconciliation{}, err
	}
	defer tx.Rollback()
	return reconcile(ctx, tx, a)
}

func reconcile(ctx context.Context, q sqlx.QueryerContext, a actor.Actor) (Reconciliation, error) {
	r := Reconciliation{Differences: []Difference{}}
	add := func(d Difference) {
		if d.Message == "" {
			d.Message = DifferenceNames[d.Rule]
		} else {
			d.Message = DifferenceNames[d.Rule] + "：" + d.Message
		}
		r.Differences = append(r.Differences, d)
	}
	scope, sargs := a.Scope("f.org_path")
	var ts []reconTransfer
	if err := sqlx.SelectContext(ctx, q, &ts, `SELECT t.id, t.kind, t.amount, t.unit, t.pending,
		CASE WHEN t.pending = 0 THEN 'posted' ELSE coalesce(s.state, 'pending') END AS state,
		coalesce(t.ref_type, '') AS ref_type, coalesce(t.ref_id, '') AS ref_id, coalesce(t.reverses_id, 0) AS reverses_id,
		EXISTS (SELECT 1 FROM fund_accounts f WHERE f.id IN (t.debit_account_id, t.credit_account_id) AND `+scope+`) AS in_scope
		FROM fund_transfers t LEFT JOIN fund_settlements s ON s.transfer_id = t.id ORDER BY t.id`, sargs...); err != nil {
		return r, err
	}
	byID := make(map[int64]*reconTransfer, len(ts))
	for i := range ts {
		byID[ts[i].ID] = &ts[i]
	}
	// The ledger writes an event for every transfer it writes and every settlement (internal/ledger).
	var evs []struct {
		ID     string `db:"entity_id"`
		Action string `db:"action"`
	}
	if err := sqlx.SelectContext(ctx, q, &evs, `SELECT entity_id, action FROM audit_events WHERE entity_type = 'fund_transfer'`); err != nil {
		return r, err
	}
	recorded := make(map[string]bool, len(evs))
	for _, e := range evs {
		recorded[e.Action+" "+e.ID] = true
	}
	appScope, aargs := a.Scope("org_path")
	var apps []reconApp
	if err := sqlx.SelectContext(ctx, q, &apps, `SELECT id, app_no, status, amount_fen, coalesce(transfer_id, 0) AS transfer_id,
		coalesce(recovery_transfer_id, 0) AS recovery_transfer_id FROM applications
		WHERE (transfer_id IS NOT NULL OR status IN ('disbursed', 'received', 'recovered')) AND `+appScope+` ORDER BY id`, aargs...); err != nil {
		return r, err
	}
	appByID := make(map[string]*reconApp, len(apps))
	for i := range apps {
		appByID[strconv.FormatInt(apps[i].ID, 10)] = &apps[i]
	}
	var allApps map[string]bool // every application id, in or out of scope: a reference to one out of scope is not "no source"
	{
		var ids []string
		if err := sqlx.SelectContext(ctx, q, &ids, `SELECT CAST(id AS TEXT) FROM applications`); err != nil {
			return r, err
		}
		allApps = make(map[string]bool, len(ids))
		for _, id := range ids {
			allApps[id] = true
		}
	}

	// 1. Every posted transfer has its source record.
	for i := range ts {
		t := &ts[i]
		if !t.InScope || t.State != "posted" {
			continue
		}
		r.Transfers++
		id := strconv.FormatInt(t.ID, 10)
		if !recorded["fund."+t.Kind+" "+id] || (t.Pending && !recorded["fund.post "+id]) {
			add(Difference{Rule: "no_ledger_record", TransferID: t.ID, LedgerFen: money.Fen(t.Amount),
				Message: fmt.Sprintf("转账 %d（%s）", t.ID, money.Format(t.Amount, t.Unit))})
		}
		switch {
		case t.Kind == "reverse":
			orig := byID[t.ReversesID]
			if orig == nil || orig.RefType != "application" {
				continue // a correction of the ledger's own movements: its source is the transfer it reverses
			}
			app := appByID[orig.RefID]
			if app != nil && app.RecoveryID != t.ID {
				add(Difference{Rule: "reversal_unrecorded", TransferID: t.ID, ApplicationID: app.ID, AppNo: app.AppNo,
					LedgerFen: money.Fen(t.Amount), RegisterFen: app.AmountFen,
					Message: fmt.Sprintf("转账 %d 冲正了申请 %s 的付款 %d", t.ID, app.AppNo, orig.ID)})
			}
		case t.RefType == "":
			// receive, budget, allocate: the ledger's own movements, sourced by their events above
			if t.Kind != "receive" && t.Kind != "budget" && t.Kind != "allocate" {
				add(Difference{Rule: "no_source", TransferID: t.ID, LedgerFen: money.Fen(t.Amount),
					Message: fmt.Sprintf("转账 %d（%s）没有引用任何业务记录", t.ID, money.Format(t.Amount, t.Unit))})
			}
		case !knownRefTypes[t.RefType]:
			add(Difference{Rule: "unknown_reference", TransferID: t.ID, LedgerFen: money.Fen(t.Amount),
				Message: fmt.Sprintf("转账 %d 引用 %s %s", t.ID, t.RefType, t.RefID)})
		case t.RefType == "application":
			app := appByID[t.RefID]
			if app == nil {
				if !allApps[t.RefID] {
					add(Difference{Rule: "no_source", TransferID: t.ID, LedgerFen: money.Fen(t.Amount),
						Message: fmt.Sprintf("转账 %d 引用的申请 %s 不存在", t.ID, t.RefID)})
				}
				continue
			}
			r.LedgerPaidFen += money.Fen(t.Amount)
			switch {
			case app.TransferID != t.ID:
				add(Difference{Rule: "not_linked", TransferID: t.ID, ApplicationID: app.ID, AppNo: app.AppNo,
					LedgerFen: money.Fen(t.Amount), RegisterFen: app.AmountFen,
					Message: fmt.Sprintf("转账 %d 为申请 %s 付款，申请记录的付款转账却是 %d", t.ID, app.AppNo, app.TransferID)})
			case !paidStatuses[app.Status]:
				add(Difference{Rule: "not_paid", TransferID: t.ID, ApplicationID: app.ID, AppNo: app.AppNo,
					LedgerFen: money.Fen(t.Amount), RegisterFen: app.AmountFen,
					Message: fmt.Sprintf("申请 %s 状态为 %s", app.AppNo, app.Status)})
			}
		}
	}

	// 2. Every paid application has its posted transfer, for the same amount; a recovery its reversing one.
	for i := range apps {
		app := &apps[i]
		if !paidStatuses[app.Status] {
			continue
		}
		r.Applications++
		r.RegisterPaidFen += app.AmountFen
		t := byID[app.TransferID]
		d := Difference{ApplicationID: app.ID, AppNo: app.AppNo, RegisterFen: app.AmountFen, TransferID: app.TransferID}
		switch {
		case t == nil:
			d.Rule, d.TransferID, d.Message = "no_transfer", 0, "申请 "+app.AppNo
			add(d)
			continue
		case t.State != "posted":
			d.Rule, d.LedgerFen, d.Message = "transfer_not_posted", money.Fen(t.Amount), fmt.Sprintf("申请 %s 的转账 %d 状态为 %s", app.AppNo, t.ID, t.State)
			add(d)
			continue
		case t.RefType != "application" || t.RefID != strconv.FormatInt(app.ID, 10):
			d.Rule, d.LedgerFen, d.Message = "not_linked", money.Fen(t.Amount), fmt.Sprintf("申请 %s 记录的转账 %d 是为 %s %s 写的", app.AppNo, t.ID, t.RefType, t.RefID)
			add(d)
			continue
		case money.Fen(t.Amount) != app.AmountFen:
			d.Rule, d.LedgerFen, d.Message = "amount_mismatch", money.Fen(t.Amount),
				fmt.Sprintf("申请 %s 金额 %s，付款转账 %d 金额 %s", app.AppNo, app.AmountFen.String(), t.ID, money.Fen(t.Amount).String())
			add(d)
		}
		if app.RecoveryID != 0 {
			rt := byID[app.RecoveryID]
			if rt == nil || rt.Kind != "reverse" || rt.State != "posted" || rt.ReversesID != app.TransferID || money.Fen(rt.Amount) != app.AmountFen {
				d.Rule, d.TransferID, d.Message = "recovery_inconsistent", app.RecoveryID, fmt.Sprintf("申请 %s 记录的追回转账 %d", app.AppNo, app.RecoveryID)
				if rt != nil {
					d.LedgerFen = money.Fen(rt.Amount)
				}
				add(d)
			}
		}
	}
	r.OK = len(r.Differences) == 0
	return r, nil
}
