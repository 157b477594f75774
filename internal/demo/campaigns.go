package demo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/campaign"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// demoGoods are the summer's cooling goods: name, unit, unit price (fen), bought (units), supplier.
var demoGoods = []struct {
	name, unit string
	priceFen   money.Fen
	qty        int64
	supplier   string
}{
	{"藿香正气水", "盒", 1200, 600, "滨江区国药大药房"},
	{"绿豆", "袋", 3500, 300, "杭州粮油批发市场联华商行"},
	{"毛巾", "条", 800, 1000, "萧山纺织品商贸有限公司"},
	{"矿泉水", "箱", 2800, 500, "农夫山泉杭州经销部"},
	{"清凉油", "盒", 500, 800, "滨江区国药大药房"},
}

// demoSites are the summer's deliveries: kind, union code (kind org) or site name and address, outdoor,
// workers, the recording caseworker, goods (index → quantity), and whether the receiver has confirmed.
var demoSites = []struct {
	kind, org, name, address string
	outdoor                  bool
	workers                  int64
	by                       string
	goods                    map[int]int64
	confirmed                bool
}{
	{"rest_station", "", "西兴街道江汉路劳动者驿站", "滨江区江汉路 1188 号", false, 120, "caseworker1", map[int]int64{0: 40, 3: 30, 2: 60}, true},
	{"rest_station", "", "官河社区劳动者驿站", "滨江区官河路 36 号", false, 90, "caseworker2", map[int]int64{0: 30, 3: 25, 4: 40}, true},
	{"org", "BJ-XX-JH-01", "", "", true, 260, "caseworker1", map[int]int64{0: 80, 1: 40, 2: 150, 3: 60}, true},
	{"site", "", "江南建设·滨江智慧城工地", "滨江区滨盛路与江汉路交叉口", true, 180, "caseworker1", map[int]int64{0: 60, 3: 50, 2: 120}, true},
	{"site", "", "长河环卫第三作业站", "滨江区长河路 512 号", true, 75, "caseworker1", map[int]int64{1: 30, 2: 80, 4: 60}, false},
	{"org", "BJ-XX-GH-01", "", "", true, 140, "caseworker2", map[int]int64{0: 50, 3: 40, 2: 100}, true},
	{"site", "", "顺达物流西兴分拣中心", "滨江区西兴路 2200 号", true, 210, "caseworker2", map[int]int64{3: 70, 4: 100, 1: 40}, true},
	{"org", "BJ-XX-JH-02", "", "", false, 85, "caseworker1", map[int]int64{1: 30, 4: 50}, true},
	{"org", "BJ-XX-GH-02", "", "", false, 60, "caseworker2", map[int]int64{0: 20, 2: 60}, false},
	{"site", "", "外卖骑手江汉路集散点", "滨江区江汉路 980 号", true, 95, "caseworker1", map[int]int64{3: 40, 4: 60, 2: 80}, false},
	{"rest_station", "", "星河湾户外劳动者服务站", "滨江区星河路 66 号", true, 110, "caseworker2", map[int]int64{0: 40, 3: 35, 1: 30}, true},
	{"site", "", "官河路道路养护作业点", "滨江区官河路与春晓路口", true, 45, "caseworker2", map[int]int64{0: 20, 2: 40, 4: 50}, false},
}

// Campaigns writes the demo campaigns through the campaign service: a summer cooling campaign with its goods,
// purchases and a dozen deliveries (some still unconfirmed), and a health check with a few hundred enrolments
// in every state, and a warmth campaign whose list a supervisor approved in bulk (warmth.go).
func Campaigns(ctx context.Context, db *store.DB, svc *auth.Service) error {
	now := svc.Clock.Now()
	local := now.In(clock.China)
	year := local.Year()
	cs := &campaign.Service{DB: db, Clock: clock.NewManual(now)}
	who := func(username string) (actor.Actor, error) {
		var id int64
		if err := db.R.GetContext(ctx, &id, "SELECT id FROM users WHERE username = ?", username); err != nil {
			return actor.Actor{}, fmt.Errorf("demo campaigns: %s: %w", username, err)
		}
		return auth.ActorFor(ctx, db.R, id, "demo")
	}
	fin, err := who("finance1")
	if err != nil {
		return err
	}
	cws := map[string]actor.Actor{}
	for _, u := range []string{"caseworker1", "caseworker2"} {
		if cws[u], err = who(u); err != nil {
			return err
		}
	}
	district := int64(1)
	line := func(kind string) (int64, error) {
		acc, err := ledger.FindBudgetLine(ctx, db.R, district, int64(year), kind)
		return acc.ID, err
	}
	// The story is told up to today: the campaign runs from the start of summer, or of the year if summer is
	// still to come, and each record is dated today or earlier.
	start := fmt.Sprintf("%d-06-01", year)
	if local.Before(time.Date(year, 7, 1, 0, 0, 0, 0, clock.China)) {
		start = fmt.Sprintf("%d-01-01", year)
	}
	day := func(back int) string {
		d := local.AddDate(0, 0, -back).Format("2006-01-02")
		if d < start {
			return start
		}
		return d
	}

	coolLine, err := line("cooling")
	if err != nil {
		return err
	}
	cool, err := cs.Create(ctx, fin, campaign.New{Kind: campaign.Cooling, Name: fmt.Sprintf("%d年夏季“送清凉”活动", year),
		StartsOn: start, EndsOn: fmt.Sprintf("%d-12-31", year), BudgetAccountID: coolLine, Note: "为户外和高温作业一线职工、劳动者驿站配送防暑降温物资"})
	if err != nil {
		return fmt.Errorf("demo cooling campaign: %w", err)
	}
	goods := make([]campaign.Good, len(demoGoods))
	for i, g := range demoGoods {
		if goods[i], err = cs.AddGood(ctx, fin, cool.ID, campaign.NewGood{Name: g.name, Unit: g.unit, UnitPriceFen: g.priceFen}); err != nil {
			return fmt.Errorf("demo good %s: %w", g.name, err)
		}
	}
	if _, err := cs.Act(ctx, fin, cool.ID, campaign.ActOpen, campaign.ActionInput{}); err != nil {
		return err
	}
	for i, g := range demoGoods {
		// A supplier's price is a little under the list price the slips value the goods at.
		if _, err := cs.Buy(ctx, fin, cool.ID, campaign.NewPurchase{GoodID: goods[i].ID, Supplier: g.supplier,
			InvoiceNo: fmt.Sprintf("330%d%05d", year, 1201+i*37), Quantity: g.qty, CostFen: money.Fen(g.qty) * g.priceFen * 95 / 100,
			PurchasedOn: day(20)}); err != nil {
			return fmt.Errorf("demo purchase %s: %w", g.name, err)
		}
	}
	receivers := []string{"张建华", "李秀梅", "王国强", "刘海峰", "陈美玲", "杨志明", "赵春燕", "黄文斌", "周丽华", "吴永刚", "徐晓东", "孙桂英"}
	for i, st := range demoSites {
		in := campaign.NewDelivery{SiteKind: st.kind, SiteName: st.name, SiteAddress: st.address, Outdoor: st.outdoor, Workers: st.workers,
			DeliveredOn: day(15 - i), ReceiverName: receivers[i], ReceiverPhone: fmt.Sprintf("139%08d", 57120000+i*7)}
		if st.kind == "org" {
			o, err := org.ByCode(ctx, db.R, st.org)
			if err != nil {
				return err
			}
			in.SiteOrgID = o.ID
		}
		for g := range demoGoods {
			if q, ok := st.goods[g]; ok {
				in.Items = append(in.Items, campaign.NewItem{GoodID: goods[g].ID, Quantity: q})
			}
		}
		d, err := cs.Deliver(ctx, cws[st.by], cool.ID, in)
		if err != nil {
			return fmt.Errorf("demo delivery %d: %w", i, err)
		}
		if !st.confirmed {
			continue
		}
		if i%2 == 0 {
			_, err = cs.ConfirmByCode(ctx, campaign.CodeInput{Code: d.Code}, "demo", "demo-phone")
		} else {
			_, err = cs.ActOnDelivery(ctx, cws[st.by], d.ID, campaign.ActConfirm, campaign.DeliveryAction{SignatureRef: fmt.Sprintf("签收单 %s", d.DeliveryNo)})
		}
		if err != nil {
			return fmt.Errorf("demo confirmation %d: %w", i, err)
		}
	}
	if err := healthDemo(ctx, db, cs, fin, cws, year, line, day); err != nil {
		return err
	}
	sup, err := who("supervisor2")
	if err != nil {
		return err
	}
	return warmthDemo(ctx, db, cs, fin, sup, cws, year, line)
}

func healthDemo(ctx context.Context, db *store.DB, cs *campaign.Service, fin actor.Actor, cws map[string]actor.Actor, year int,
	line func(string) (int64, error), day func(int) string) error {
	hcLine, err := line("health_check")
	if err != nil {
		return err
	}
	hc, err := cs.Create(ctx, fin, campaign.New{Kind: campaign.HealthCheck, Name: fmt.Sprintf("%d年一线职工和农民工免费体检", year),
		StartsOn: fmt.Sprintf("%d-01-01", year), EndsOn: fmt.Sprintf("%d-12-31", year), BudgetAccountID: hcLine,
		Provider: "滨江区第一人民医院健康管理中心", PriceFen: 26000})
	if err != nil {
		return fmt.Errorf("demo health check: %w", err)
	}
	unions := []struct {
		code, by string
		quota    int64
	}{{"BJ-XX-JH-01", "caseworker1", 90}, {"BJ-XX-JH-02", "caseworker1", 70}, {"BJ-XX-GH-01", "caseworker2", 80}, {"BJ-XX-GH-02", "caseworker2", 60}}
	var q campaign.QuotaInput
	ids := map[string]int64{}
	for _, u := range unions {
		o, err := org.ByCode(ctx, db.R, u.code)
		if err != nil {
			return err
		}
		ids[u.code] = o.ID
		q.Quotas = append(q.Quotas, struct {
			OrgID int64 `json:"org_id"`
			Quota int64 `json:"quota"`
		}{o.ID, u.quota})
	}
	if _, err := cs.SetQuotas(ctx, fin, hc.ID, q); err != nil {
		return fmt.Errorf("demo quotas: %w", err)
	}
	if _, err := cs.Act(ctx, fin, hc.ID, campaign.ActOpen, campaign.ActionInput{}); err != nil {
		return err
	}
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []string{"建国", "秀英", "志强", "丽华", "海波", "春梅", "永刚", "桂兰", "晓东", "玉珍", "明辉", "翠花"}
	// Workers are enrolled side by side, as several caseworkers' browsers would: the writes share commits.
	type job struct {
		i    int
		unit int
	}
	jobs := make(chan job)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := enrolOne(ctx, cs, cws[unions[j.unit].by], hc.ID, ids[unions[j.unit].code], j.i, surnames, given, day); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	n := 0
	for u := range unions {
		for k := int64(0); k < unions[u].quota-8; k++ {
			jobs <- job{n, u}
			n++
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// enrolOne enrols worker i and moves them along: most are checked, half of those have their report, a few
// withdrew, the rest are still to be checked.
func enrolOne(ctx context.Context, cs *campaign.Service, cw actor.Actor, campaignID, orgID int64, i int, surnames []rune, given []string,
	day func(int) string) error {
	birth := time.Date(1966+i%32, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	e, err := cs.Enrol(ctx, cw, campaignID, campaign.NewEnrolment{OrgID: orgID, Name: string(surnames[i%len(surnames)]) + given[i%len(given)],
		IDNumber: ResidentID([]string{"330108", "341221", "511324", "430524"}[i%4], birth, 100+i, i%2 == 0), Migrant: i%3 != 0})
	if err != nil {
		return fmt.Errorf("demo enrolment %d: %w", i, err)
	}
	switch {
	case i%10 == 9:
		_, err = cs.ActOnEnrolment(ctx, cw, e.ID, campaign.ActWithdraw, campaign.EnrolmentAction{Reason: "已离职返乡"})
	case i%10 >= 7:
		// still to be checked
	default:
		if _, err = cs.ActOnEnrolment(ctx, cw, e.ID, campaign.ActCheck, campaign.EnrolmentAction{Date: day(10)}); err == nil && i%2 == 0 {
			_, err = cs.ActOnEnrolment(ctx, cw, e.ID, campaign.ActReport, campaign.EnrolmentAction{Date: day(3)})
		}
	}
	if err != nil {
		return fmt.Errorf("demo enrolment %d: %w", i, err)
	}
	return nil
}
