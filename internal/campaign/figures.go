package campaign

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
)

// Figures are a campaign's numbers as a chair quotes them in a year-end report (SPEC §5, issue 10 item 5).
// They are the whole campaign's, whoever reads them: stock and coverage are campaign-wide facts.
type Figures struct {
	BudgetAvailableFen money.Fen `json:"budget_available_fen"` // what the budget account still has
	SpentFen           money.Fen `json:"spent_fen"`            // posted to the campaign's expense account

	// Cooling.
	PurchasedValueFen  money.Fen `db:"-" json:"purchased_value_fen"`
	DeliveredValueFen  money.Fen `db:"delivered_value_fen" json:"delivered_value_fen"`
	Deliveries         int64     `db:"deliveries" json:"deliveries"`
	Unconfirmed        int64     `db:"unconfirmed" json:"unconfirmed"`
	Sites              int64     `db:"sites" json:"sites"`
	OutdoorSites       int64     `db:"outdoor_sites" json:"outdoor_sites"`
	RestStations       int64     `db:"rest_stations" json:"rest_stations"`
	WorkersCovered     int64     `db:"workers" json:"workers_covered"`
	ValuePerSiteFen    money.Fen `db:"-" json:"value_per_site_fen"`
	ValuePerWorkerFen  money.Fen `db:"-" json:"value_per_worker_fen"`
	Goods              []Good    `db:"-" json:"goods"`
	QuotaTotal         int64     `db:"-" json:"quota_total"`
	Enrolled           int64     `db:"-" json:"enrolled"` // alive: enrolled, checked or report delivered
	Checked            int64     `db:"-" json:"checked"`  // checked or report delivered
	ReportsDelivered   int64     `db:"-" json:"reports_delivered"`
	Withdrawn          int64     `db:"-" json:"withdrawn"`
	CommittedChecksFen money.Fen `db:"-" json:"committed_checks_fen"` // the price of the checks still to come

	// Warmth: the list and its applications (SPEC §5), as warmthCoverage counts them.
	Households   int64     `db:"-" json:"households"`
	Applications int64     `db:"-" json:"applications"`
	Approved     int64     `db:"-" json:"approved"`
	Paid         int64     `db:"-" json:"paid"`
	PaidFen      money.Fen `db:"-" json:"paid_fen"`
}

func figures(ctx context.Context, q sqlx.QueryerContext, c Campaign) (Figures, error) {
	var f Figures
	budget, err := ledger.GetAccount(ctx, q, c.BudgetAccountID)
	if err != nil {
		return f, err
	}
	exp, err := ledger.GetAccount(ctx, q, c.ExpenseAccountID)
	if err != nil {
		return f, err
	}
	f.BudgetAvailableFen, f.SpentFen = money.Fen(budget.Balance().Available), money.Fen(exp.Balance().Posted)
	switch c.Kind {
	case Cooling:
		// A site is counted once however many deliveries reached it: by its union, or by name and address.
		if err := sqlx.GetContext(ctx, q, &f, `SELECT coalesce(sum(value_fen), 0) AS delivered_value_fen, count(*) AS deliveries,
			coalesce(sum(status = 'unconfirmed'), 0) AS unconfirmed, coalesce(sum(workers), 0) AS workers,
			count(DISTINCT coalesce('o:' || site_org_id, 's:' || site_name || '|' || site_address)) AS sites,
			count(DISTINCT CASE WHEN outdoor = 1 THEN coalesce('o:' || site_org_id, 's:' || site_name || '|' || site_address) END) AS outdoor_sites,
			count(DISTINCT CASE WHEN site_kind = 'rest_station' THEN site_name || '|' || site_address END) AS rest_stations
			FROM campaign_deliveries WHERE campaign_id = ? AND status <> 'reversed'`, c.ID); err != nil {
			return f, err
		}
		if f.Goods, err = goodsOf(ctx, q, c.ID); err != nil {
			return f, err
		}
		if err := sqlx.GetContext(ctx, q, &f.PurchasedValueFen, `SELECT coalesce(sum(cost_fen), 0) FROM campaign_purchases
			WHERE campaign_id = ? AND reversed_at IS NULL`, c.ID); err != nil {
			return f, err
		}
		if f.Sites > 0 {
			f.ValuePerSiteFen = f.DeliveredValueFen / money.Fen(f.Sites)
		}
		if f.WorkersCovered > 0 {
			f.ValuePerWorkerFen = f.DeliveredValueFen / money.Fen(f.WorkersCovered)
		}
	case HealthCheck:
		var n struct {
			Quota     int64 `db:"quota"`
			Enrolled  int64 `db:"enrolled"`
			Checked   int64 `db:"checked"`
			Reported  int64 `db:"reported"`
			Withdrawn int64 `db:"withdrawn"`
		}
		if err := sqlx.GetContext(ctx, q, &n, `SELECT
			(SELECT coalesce(sum(quota), 0) FROM campaign_quotas WHERE campaign_id = ?1) AS quota,
			coalesce(sum(status <> 'withdrawn'), 0) AS enrolled,
			coalesce(sum(status IN ('checked', 'report_delivered')), 0) AS checked,
			coalesce(sum(status = 'report_delivered'), 0) AS reported,
			coalesce(sum(status = 'withdrawn'), 0) AS withdrawn
			FROM campaign_enrolments WHERE campaign_id = ?1`, c.ID); err != nil {
			return f, err
		}
		f.QuotaTotal, f.Enrolled, f.Checked, f.ReportsDelivered, f.Withdrawn = n.Quota, n.Enrolled, n.Checked, n.Reported, n.Withdrawn
		f.CommittedChecksFen = money.Fen(max(n.Quota-n.Checked, 0)) * c.PriceFen
	case Warmth:
		// The whole campaign's: the district sees every row (an actor at the root path).
		cov := map[int64]*Coverage{c.ID: {Header: Header{ID: c.ID}}}
		if err := warmthCoverage(ctx, q, actor.Actor{OrgPath: "/"}, []int64{c.ID}, cov); err != nil {
			return f, err
		}
		w := cov[c.ID]
		f.Households, f.Applications, f.Approved, f.Paid, f.PaidFen = w.Households, w.Applications, w.Approved, w.Paid, w.PaidFen
	}
	if f.Goods == nil {
		f.Goods = []Good{}
	}
	return f, nil
}

// Site is one work site of a cooling campaign with what reached it, for the report (SPEC §5: the value
// delivered per site and per worker).
type Site struct {
	SiteKind          string    `db:"site_kind" json:"site_kind"`
	SiteName          string    `db:"site_name" json:"site_name"`
	SiteAddress       string    `db:"site_address" json:"site_address"`
	Outdoor           bool      `db:"outdoor" json:"outdoor"`
	Deliveries        int64     `db:"deliveries" json:"deliveries"`
	Unconfirmed       int64     `db:"unconfirmed" json:"unconfirmed"`
	Confirmed         bool      `db:"-" json:"confirmed"`
	Workers           int64     `db:"workers" json:"workers"`
	ValueFen          money.Fen `db:"value_fen" json:"value_fen"`
	ValuePerWorkerFen money.Fen `db:"-" json:"value_per_worker_fen"`
}

// Report is a campaign's figures with its sites (cooling) or its quotas (health check).
type Report struct {
	Campaign Campaign `json:"campaign"`
	Figures  Figures  `json:"figures"`
	Sites    []Site   `json:"sites"`
	Quotas   []Quota  `json:"quotas"`
}

// Report returns the report of campaign id: the figures and, per site or per union, the detail. The sites
// and quotas are those of a's scope.
func (s *Service) Report(ctx context.Context, a actor.Actor, id int64) (Report, error) {
	c, err := s.readable(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	f, err := figures(ctx, s.DB.R, c)
	if err != nil {
		return Report{}, err
	}
	out := Report{Campaign: c, Figures: f, Sites: []Site{}, Quotas: []Quota{}}
	scope, args := a.Scope("org_path")
	if err := sqlx.SelectContext(ctx, s.DB.R, &out.Sites, `SELECT site_kind, site_name, site_address, max(outdoor) AS outdoor,
		count(*) AS deliveries, coalesce(sum(status = 'unconfirmed'), 0) AS unconfirmed, sum(workers) AS workers, sum(value_fen) AS value_fen
		FROM campaign_deliveries WHERE campaign_id = ? AND status <> 'reversed' AND `+scope+`
		GROUP BY coalesce('o:' || site_org_id, 's:' || site_name || '|' || site_address) ORDER BY value_fen DESC, site_name`,
		append([]any{id}, args...)...); err != nil {
		return Report{}, err
	}
	for i := range out.Sites {
		st := &out.Sites[i]
		st.Confirmed = st.Unconfirmed == 0
		if st.Workers > 0 {
			st.ValuePerWorkerFen = st.ValueFen / money.Fen(st.Workers)
		}
	}
	if c.Kind == HealthCheck {
		if out.Quotas, err = quotasOf(ctx, s.DB.R, a, c.ID); err != nil {
			return Report{}, err
		}
	}
	return out, nil
}
