package campaign

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Coverage is how far one campaign reached in the reader's scope (SPEC §8.1: the dashboard's campaigns'
// coverage; issue 10 item 5: the report across campaigns). Unlike Figures, which are the whole campaign's,
// the counts here are those of the reader's subtree: a sub-district union sees what reached its own unions.
// The budget figures are the campaign's own account and so the whole campaign's.
type Coverage struct {
	Header

	BudgetAvailableFen money.Fen `db:"budget_available_fen" json:"budget_available_fen"` // the whole campaign's
	SpentFen           money.Fen `db:"spent_fen" json:"spent_fen"`                       // the whole campaign's

	// Unions: planned are the grassroots unions the campaign is meant to reach in scope (cooling: every union
	// under the campaign's org; health check: those given a quota); reached are those that got something.
	UnionsPlanned int64 `db:"-" json:"unions_planned"`
	UnionsReached int64 `db:"-" json:"unions_reached"`

	// Cooling (送清凉): deliveries not reversed.
	Sites             int64           `db:"-" json:"sites"` // a site counted once however many deliveries reached it
	OutdoorSites      int64           `db:"-" json:"outdoor_sites"`
	RestStations      int64           `db:"-" json:"rest_stations"`
	Deliveries        int64           `db:"-" json:"deliveries"`
	Confirmed         int64           `db:"-" json:"confirmed"`
	Unconfirmed       int64           `db:"-" json:"unconfirmed"`
	WorkersCovered    int64           `db:"-" json:"workers_covered"`
	DeliveredValueFen money.Fen       `db:"-" json:"delivered_value_fen"`
	ValuePerSiteFen   money.Fen       `db:"-" json:"value_per_site_fen"`
	ValuePerWorkerFen money.Fen       `db:"-" json:"value_per_worker_fen"`
	Goods             []GoodDelivered `db:"-" json:"goods"`

	// Health check (免费体检).
	Quota            int64     `db:"-" json:"quota"`
	Enrolled         int64     `db:"-" json:"enrolled"` // alive: enrolled, checked or report delivered
	Checked          int64     `db:"-" json:"checked"`  // checked or report delivered
	ReportsDelivered int64     `db:"-" json:"reports_delivered"`
	Withdrawn        int64     `db:"-" json:"withdrawn"`
	ChecksCostFen    money.Fen `db:"-" json:"checks_cost_fen"` // checked × the price per check

	// Warmth (送温暖): the households of the campaign's list in scope and their warmth applications.
	Households   int64     `db:"-" json:"households"`
	Applications int64     `db:"-" json:"applications"` // created and alive
	Approved     int64     `db:"-" json:"approved"`     // approved, disbursed or received
	Paid         int64     `db:"-" json:"paid"`         // disbursed or received
	PaidFen      money.Fen `db:"-" json:"paid_fen"`
}

// GoodDelivered is how much of one good reached the sites in scope.
type GoodDelivered struct {
	CampaignID int64     `db:"campaign_id" json:"-"`
	GoodID     int64     `db:"good_id" json:"good_id"`
	Name       string    `db:"name" json:"name"`
	Unit       string    `db:"unit" json:"unit"`
	Quantity   int64     `db:"quantity" json:"quantity"`
	ValueFen   money.Fen `db:"value_fen" json:"value_fen"`
}

// CoveragePage is one page of campaigns' coverage, newest first, with the totals over every campaign the
// filter selects (not only this page). Totals add up per campaign: a site reached by two campaigns counts
// twice, as 点次.
type CoveragePage struct {
	Items  []Coverage `json:"items"`
	Total  int        `json:"total"`
	Totals Coverage   `json:"totals"`
}

// Coverage returns the coverage of the campaigns a sees that f selects (kind, status, year, name), counted in
// a's scope. Readers of campaigns: caseworkers, supervisors, finance, auditors.
func (s *Service) Coverage(ctx context.Context, a actor.Actor, f Filter) (CoveragePage, error) {
	if err := a.Require(readers...); err != nil {
		return CoveragePage{}, err
	}
	out := CoveragePage{Items: []Coverage{}}
	out.Totals.Goods = []GoodDelivered{}
	if a.OrgPath == "" {
		return out, nil
	}
	w, args, err := filterWhere(a, f)
	if err != nil {
		return CoveragePage{}, err
	}
	all := []Coverage{}
	if err := sqlx.SelectContext(ctx, s.DB.R, &all, `SELECT c.id, c.kind, c.name, c.status, c.price_fen, c.starts_on, c.ends_on, c.org_id, c.org_path,
		(SELECT o.name FROM orgs o WHERE o.id = c.org_id) AS org_name,
		(SELECT b.name FROM fund_accounts b WHERE b.id = c.budget_account_id) AS budget_name,
		(SELECT b.credits_posted - b.debits_posted - b.debits_pending FROM fund_accounts b WHERE b.id = c.budget_account_id) AS budget_available_fen,
		(SELECT x.credits_posted - x.debits_posted FROM fund_accounts x WHERE x.id = c.expense_account_id) AS spent_fen
		FROM campaigns c WHERE `+w+` ORDER BY c.starts_on DESC, c.id DESC`, args...); err != nil {
		return CoveragePage{}, err
	}
	if err := coverageOf(ctx, s.DB.R, a, all); err != nil {
		return CoveragePage{}, err
	}
	out.Total = len(all)
	for _, c := range all {
		out.Totals.add(c)
	}
	page, per := store.Paging(f.Page, f.PerPage)
	if lo := (page - 1) * per; lo < len(all) {
		out.Items = all[lo:min(lo+per, len(all))]
	}
	return out, nil
}

// coverageOf fills the counts of cs in a's scope, a few grouped queries for all of them.
func coverageOf(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, cs []Coverage) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	byID := make(map[int64]*Coverage, len(cs))
	for i := range cs {
		c := &cs[i]
		c.fill()
		c.Goods = []GoodDelivered{}
		ids[i], byID[c.ID] = c.ID, c
	}
	_, scopeArgs := a.Scope("")
	type cooling struct {
		CampaignID   int64     `db:"campaign_id"`
		Deliveries   int64     `db:"deliveries"`
		Confirmed    int64     `db:"confirmed"`
		Unconfirmed  int64     `db:"unconfirmed"`
		Workers      int64     `db:"workers"`
		ValueFen     money.Fen `db:"value_fen"`
		Sites        int64     `db:"sites"`
		OutdoorSites int64     `db:"outdoor_sites"`
		RestStations int64     `db:"rest_stations"`
		Unions       int64     `db:"unions"`
	}
	scope, _ := a.Scope("d.org_path")
	// A site is its union, or its name and address (figures counts it the same way).
	rows, err := store.SelectIn[cooling](ctx, q, `SELECT d.campaign_id, count(*) AS deliveries,
		coalesce(sum(d.status = 'confirmed'), 0) AS confirmed, coalesce(sum(d.status = 'unconfirmed'), 0) AS unconfirmed,
		coalesce(sum(d.workers), 0) AS workers, coalesce(sum(d.value_fen), 0) AS value_fen,
		count(DISTINCT coalesce('o:' || d.site_org_id, 's:' || d.site_name || '|' || d.site_address)) AS sites,
		count(DISTINCT CASE WHEN d.outdoor = 1 THEN coalesce('o:' || d.site_org_id, 's:' || d.site_name || '|' || d.site_address) END) AS outdoor_sites,
		count(DISTINCT CASE WHEN d.site_kind = 'rest_station' THEN d.site_name || '|' || d.site_address END) AS rest_stations,
		count(DISTINCT d.site_org_id) AS unions
		FROM campaign_deliveries d WHERE d.campaign_id IN (?) AND d.status <> 'reversed' AND `+scope+` GROUP BY d.campaign_id`,
		ids, scopeArgs...)
	if err != nil {
		return err
	}
	for _, r := range rows {
		c := byID[r.CampaignID]
		c.Deliveries, c.Confirmed, c.Unconfirmed, c.WorkersCovered = r.Deliveries, r.Confirmed, r.Unconfirmed, r.Workers
		c.DeliveredValueFen, c.Sites, c.OutdoorSites, c.RestStations, c.UnionsReached = r.ValueFen, r.Sites, r.OutdoorSites, r.RestStations, r.Unions
		if c.Sites > 0 {
			c.ValuePerSiteFen = c.DeliveredValueFen / money.Fen(c.Sites)
		}
		if c.WorkersCovered > 0 {
			c.ValuePerWorkerFen = c.DeliveredValueFen / money.Fen(c.WorkersCovered)
		}
	}
	goods, err := store.SelectIn[GoodDelivered](ctx, q, `SELECT d.campaign_id, i.good_id,
		(SELECT g.name FROM campaign_goods g WHERE g.id = i.good_id) AS name, (SELECT g.unit FROM campaign_goods g WHERE g.id = i.good_id) AS unit,
		sum(i.quantity) AS quantity, sum(i.value_fen) AS value_fen
		FROM campaign_delivery_items i JOIN campaign_deliveries d ON d.id = i.delivery_id
		WHERE d.campaign_id IN (?) AND d.status <> 'reversed' AND `+scope+` GROUP BY d.campaign_id, i.good_id ORDER BY i.good_id`,
		ids, scopeArgs...)
	if err != nil {
		return err
	}
	for _, g := range goods {
		byID[g.CampaignID].Goods = append(byID[g.CampaignID].Goods, g)
	}

	type health struct {
		CampaignID int64 `db:"campaign_id"`
		Enrolled   int64 `db:"enrolled"`
		Checked    int64 `db:"checked"`
		Reported   int64 `db:"reported"`
		Withdrawn  int64 `db:"withdrawn"`
		Unions     int64 `db:"unions"`
	}
	scope, _ = a.Scope("e.org_path")
	hs, err := store.SelectIn[health](ctx, q, `SELECT e.campaign_id, coalesce(sum(e.status <> 'withdrawn'), 0) AS enrolled,
		coalesce(sum(e.status IN ('checked', 'report_delivered')), 0) AS checked, coalesce(sum(e.status = 'report_delivered'), 0) AS reported,
		coalesce(sum(e.status = 'withdrawn'), 0) AS withdrawn, count(DISTINCT CASE WHEN e.status <> 'withdrawn' THEN e.org_id END) AS unions
		FROM campaign_enrolments e WHERE e.campaign_id IN (?) AND `+scope+` GROUP BY e.campaign_id`, ids, scopeArgs...)
	if err != nil {
		return err
	}
	for _, h := range hs {
		c := byID[h.CampaignID]
		c.Enrolled, c.Checked, c.ReportsDelivered, c.Withdrawn, c.UnionsReached = h.Enrolled, h.Checked, h.Reported, h.Withdrawn, h.Unions
	}
	type quota struct {
		CampaignID int64 `db:"campaign_id"`
		Quota      int64 `db:"quota"`
		Unions     int64 `db:"unions"`
	}
	scope, _ = a.Scope("o.path")
	qs, err := store.SelectIn[quota](ctx, q, `SELECT k.campaign_id, sum(k.quota) AS quota, coalesce(sum(k.quota > 0), 0) AS unions
		FROM campaign_quotas k JOIN orgs o ON o.id = k.org_id WHERE k.campaign_id IN (?) AND `+scope+` GROUP BY k.campaign_id`,
		ids, scopeArgs...)
	if err != nil {
		return err
	}
	for _, k := range qs {
		byID[k.CampaignID].Quota, byID[k.CampaignID].UnionsPlanned = k.Quota, k.Unions
	}

	// Cooling and warmth plan every grassroots union under the campaign's org that a sees: the deeper of the two
	// paths, since a campaign a sees lies on a's branch of the tree.
	unions := map[string]int64{}
	for i := range cs {
		c := &cs[i]
		switch c.Kind {
		case HealthCheck:
			c.ChecksCostFen = money.Fen(c.Checked) * c.PriceFen
		case Cooling, Warmth:
			base := c.OrgPath
			if len(a.OrgPath) > len(base) {
				base = a.OrgPath
			}
			n, ok := unions[base]
			if !ok {
				under := actor.Actor{OrgPath: base}
				cond, args := under.Scope("path")
				if err := sqlx.GetContext(ctx, q, &n, "SELECT count(*) FROM orgs WHERE level = ? AND "+cond,
					append([]any{org.Grassroots}, args...)...); err != nil {
					return err
				}
				unions[base] = n
			}
			c.UnionsPlanned = n
		}
	}
	return warmthCoverage(ctx, q, a, ids, byID)
}

// warmthCoverage fills the warmth figures from the campaign's list and the applications the relief area
// keeps for it: alive (not rejected, cancelled or left in draft), approved and after, paid.
func warmthCoverage(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64, byID map[int64]*Coverage) error {
	type warmth struct {
		CampaignID   int64     `db:"campaign_id"`
		Households   int64     `db:"households"`
		Applications int64     `db:"applications"`
		Approved     int64     `db:"approved"`
		Paid         int64     `db:"paid"`
		PaidFen      money.Fen `db:"paid_fen"`
		Unions       int64     `db:"unions"`
	}
	scope, args := a.Scope("w.org_path")
	rows, err := store.SelectIn[warmth](ctx, q, `SELECT w.campaign_id, count(*) AS households,
		coalesce(sum(x.status IN ('submitted', 'first_approved', 'approved', 'disbursed', 'received')), 0) AS applications,
		coalesce(sum(x.status IN ('approved', 'disbursed', 'received')), 0) AS approved,
		coalesce(sum(x.status IN ('disbursed', 'received')), 0) AS paid,
		coalesce(sum(CASE WHEN x.status IN ('disbursed', 'received') THEN x.amount_fen END), 0) AS paid_fen,
		count(DISTINCT CASE WHEN x.status IN ('disbursed', 'received') THEN w.org_id END) AS unions
		FROM campaign_warmth w JOIN applications x ON x.id = w.application_id
		WHERE w.campaign_id IN (?) AND `+scope+` GROUP BY w.campaign_id`, ids, args...)
	if err != nil {
		return err
	}
	for _, r := range rows {
		c := byID[r.CampaignID]
		c.Households, c.Applications, c.Approved, c.Paid, c.PaidFen, c.UnionsReached = r.Households, r.Applications, r.Approved, r.Paid, r.PaidFen, r.Unions
	}
	return nil
}

// add sums c into the totals.
func (t *Coverage) add(c Coverage) {
	t.BudgetAvailableFen += c.BudgetAvailableFen
	t.SpentFen += c.SpentFen
	t.UnionsPlanned += c.UnionsPlanned
	t.UnionsReached += c.UnionsReached
	t.Sites += c.Sites
	t.OutdoorSites += c.OutdoorSites
	t.RestStations += c.RestStations
	t.Deliveries += c.Deliveries
	t.Confirmed += c.Confirmed
	t.Unconfirmed += c.Unconfirmed
	t.WorkersCovered += c.WorkersCovered
	t.DeliveredValueFen += c.DeliveredValueFen
	t.Quota += c.Quota
	t.Enrolled += c.Enrolled
	t.Checked += c.Checked
	t.ReportsDelivered += c.ReportsDelivered
	t.Withdrawn += c.Withdrawn
	t.ChecksCostFen += c.ChecksCostFen
	t.Households += c.Households
	t.Applications += c.Applications
	t.Approved += c.Approved
	t.Paid += c.Paid
	t.PaidFen += c.PaidFen
	if t.Sites > 0 {
		t.ValuePerSiteFen = t.DeliveredValueFen / money.Fen(t.Sites)
	}
	if t.WorkersCovered > 0 {
		t.ValuePerWorkerFen = t.DeliveredValueFen / money.Fen(t.WorkersCovered)
	}
}
