package finaudit

import (
	"context"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// FundUseFilter is the period of the fund-use summary (SPEC §8.2 经费使用情况): China calendar dates, both
// inclusive; empty means from the beginning, or up to now.
type FundUseFilter struct {
	From string `query:"from" json:"from"`
	To   string `query:"to" json:"to"`
}

// Flows are what moved through an account. Received, allocated, paid and reversed are the period's flows;
// reserved and available are the balances at the end of the period. Over the whole history,
// available = received − allocated − paid − reserved + reversed, which is the ledger's own balance.
type Flows struct {
	ReceivedFen  money.Fen `json:"received_fen"`  // 来款 into a fund; 安排 into a line; 下拨 into an allocation
	AllocatedFen money.Fen `json:"allocated_fen"` // 安排预算 out of a fund; 下拨 out of a line
	ReservedFen  money.Fen `json:"reserved_fen"`  // approved, not yet paid (pending debits)
	PaidFen      money.Fen `json:"paid_fen"`      // payments and costs posted
	ReversedFen  money.Fen `json:"reversed_fen"`  // reversals: money back in (recoveries) less money taken back out
	AvailableFen money.Fen `json:"available_fen"` // posted credits − posted debits − pending debits
}

// Month is one month of an account's flows.
type Month struct {
	Month string `json:"month"` // "2026-03"
	Flows
}

// FundUseRow is one fund source, budget line or grassroots allocation.
type FundUseRow struct {
	AccountID    int64   `db:"id" json:"account_id"`
	Kind         string  `db:"kind" json:"kind"`
	Name         string  `db:"name" json:"name"`
	OrgID        int64   `db:"org_id" json:"org_id"`
	OrgName      string  `db:"-" json:"org_name"`
	OrgPath      string  `db:"org_path" json:"-"`
	Year         *int64  `db:"year" json:"year"`
	AidType      *string `db:"aid_type" json:"aid_type"`
	BudgetLineID *int64  `db:"budget_line_id" json:"budget_line_id"`
	Flows
	Months []Month `json:"months"`
}

// FundUse is the summary: funds, lines and allocations, the district's totals and the monthly series of all
// payments.
type FundUse struct {
	From        string       `json:"from"`
	To          string       `json:"to"`
	Funds       []FundUseRow `json:"funds"`
	Lines       []FundUseRow `json:"budget_lines"`
	Allocations []FundUseRow `json:"allocations"`
	Months      []Month      `json:"months"` // every line and allocation together: what the chart shows
}

type flowTransfer struct {
	ID        int64     `db:"id"`
	Kind      string    `db:"kind"`
	Debit     int64     `db:"debit_account_id"`
	Credit    int64     `db:"credit_account_id"`
	Amount    money.Fen `db:"amount"`
	Pending   bool      `db:"pending"`
	CreatedAt string    `db:"created_at"`
	State     *string   `db:"state"`
	SettledAt *string   `db:"settled_at"`
}

// FundUse summarises, per fund source, budget line and grassroots allocation in a's scope, what came in, went
// out, is held and is left in the period, month by month (finance, auditors, supervisors).
func (s *Service) FundUse(ctx context.Context, a actor.Actor, f FundUseFilter) (FundUse, error) {
	if err := require(a, bookReaders...); err != nil {
		return FundUse{}, err
	}
	from, to, err := period(f, s.Clock.Now())
	if err != nil {
		return FundUse{}, err
	}
	tx, err := s.DB.R.BeginTxx(ctx, nil)
	if err != nil {
		return FundUse{}, err
	}
	defer tx.Rollback()
	out, err := fundUse(ctx, tx, a, from, to)
	out.From, out.To = f.From, f.To
	return out, err
}

// period turns the filter into [from, to) instants; a zero from is the beginning.
func period(f FundUseFilter, now time.Time) (time.Time, time.Time, error) {
	var from, to time.Time
	fields := map[string]string{}
	if f.From != "" {
		d, err := time.ParseInLocation("2006-01-02", f.From, clock.China)
		if err != nil {
			fields["from"] = "日期格式应为 2006-01-02"
		}
		from = d
	}
	to = now.Add(time.Microsecond)
	if f.To != "" {
		d, err := time.ParseInLocation("2006-01-02", f.To, clock.China)
		if err != nil {
			fields["to"] = "日期格式应为 2006-01-02"
		}
		to = d.AddDate(0, 0, 1)
	}
	if len(fields) > 0 {
		return from, to, apperr.FieldErrors(fields)
	}
	if f.To == "" && to.Before(from) {
		to = from // a period starting after now: nothing has happened in it yet
	}
	if f.To != "" && !from.IsZero() && !to.After(from) {
		return from, to, apperr.Invalid("to", "结束日期不能早于开始日期")
	}
	return from, to, nil
}

func fundUse(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, from, to time.Time) (FundUse, error) {
	out := FundUse{Funds: []FundUseRow{}, Lines: []FundUseRow{}, Allocations: []FundUseRow{}, Months: []Month{}}
	scope, args := a.Scope("org_path")
	var rows []FundUseRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, kind, name, org_id, org_path, year, aid_type, budget_line_id
		FROM fund_accounts WHERE kind IN ('fund', 'budget', 'allocation') AND unit = 'CNY' AND `+scope+` ORDER BY id`, args...); err != nil {
		return out, err
	}
	byID := make(map[int64]*FundUseRow, len(rows))
	orgs := idSet{}
	for i := range rows {
		byID[rows[i].AccountID] = &rows[i]
		orgs.add(rows[i].OrgID)
	}
	orgNames, err := names(ctx, q, "SELECT id, name FROM orgs WHERE id IN ", orgs)
	if err != nil {
		return out, err
	}
	months := map[int64]map[string]*Flows{}
	flow := func(acc int64, at string, apply func(*Flows)) {
		r := byID[acc]
		if r == nil {
			return
		}
		t, _ := store.ParseTime(at)
		if t.Before(from) || !t.Before(to) {
			return
		}
		apply(&r.Flows)
		m := t.In(clock.China).Format("2006-01")
		if months[acc] == nil {
			months[acc] = map[string]*Flows{}
		}
		if months[acc][m] == nil {
			months[acc][m] = &Flows{}
		}
		apply(months[acc][m])
	}
	end := store.FormatTime(to)
	rs, err := q.QueryxContext(ctx, `SELECT t.id, t.kind, t.debit_account_id, t.credit_account_id, t.amount, t.pending, t.created_at,
		s.state, s.created_at AS settled_at
		FROM fund_transfers t LEFT JOIN fund_settlements s ON s.transfer_id = t.id WHERE t.unit = 'CNY' AND t.created_at < ?`, end)
	if err != nil {
		return out, err
	}
	defer rs.Close()
	for rs.Next() {
		var t flowTransfer
		if err := rs.StructScan(&t); err != nil {
			return out, err
		}
		// When did it take effect, and how stands it at the end of the period?
		postedAt, pendingAtEnd := t.CreatedAt, false
		if t.Pending {
			settledBy := t.SettledAt != nil && *t.SettledAt < end
			switch {
			case !settledBy:
				pendingAtEnd, postedAt = true, ""
			case *t.State == "posted":
				postedAt = *t.SettledAt
			default:
				postedAt = "" // voided within the period: it never moved money
			}
		}
		if pendingAtEnd {
			if r := byID[t.Debit]; r != nil {
				r.ReservedFen += t.Amount
				r.AvailableFen -= t.Amount
			}
			continue
		}
		if postedAt == "" {
			continue
		}
		if r := byID[t.Credit]; r != nil {
			r.AvailableFen += t.Amount
		}
		if r := byID[t.Debit]; r != nil {
			r.AvailableFen -= t.Amount
		}
		amt := t.Amount
		switch t.Kind {
		case "receive", "budget", "allocate":
			flow(t.Credit, postedAt, func(f *Flows) { f.ReceivedFen += amt })
			if t.Kind != "receive" {
				flow(t.Debit, postedAt, func(f *Flows) { f.AllocatedFen += amt })
			}
		case "reverse":
			flow(t.Credit, postedAt, func(f *Flows) { f.ReversedFen += amt })
			flow(t.Debit, postedAt, func(f *Flows) { f.ReversedFen -= amt })
		default: // reserve posted, or a cost moved at once: a payment out of the line or allocation
			flow(t.Debit, postedAt, func(f *Flows) { f.PaidFen += amt })
		}
	}
	if err := rs.Err(); err != nil {
		return out, err
	}
	all := map[string]*Flows{}
	for i := range rows {
		r := &rows[i]
		r.OrgName = orgNames[r.OrgID]
		r.Months = sortedMonths(months[r.AccountID])
		if r.Kind != "fund" {
			for m, f := range months[r.AccountID] {
				if all[m] == nil {
					all[m] = &Flows{}
				}
				all[m].PaidFen += f.PaidFen
				all[m].ReversedFen += f.ReversedFen
			}
		}
		switch r.Kind {
		case "fund":
			out.Funds = append(out.Funds, *r)
		case "budget":
			out.Lines = append(out.Lines, *r)
		default:
			out.Allocations = append(out.Allocations, *r)
		}
	}
	// The funds' receipts go into the chart's series too: what came in beside what went out.
	for _, r := range out.Funds {
		for _, m := range r.Months {
			if all[m.Month] == nil {
				all[m.Month] = &Flows{}
			}
			all[m.Month].ReceivedFen += m.ReceivedFen
		}
	}
	out.Months = sortedMonths(all)
	return out, nil
}

func sortedMonths(m map[string]*Flows) []Month {
	out := make([]Month, 0, len(m))
	for k, f := range m {
		out = append(out, Month{Month: k, Flows: *f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out
}
