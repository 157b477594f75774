package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// Applications writes about three hundred relief applications (SPEC §4) over the demo households and funds:
// every type and every status, large cases waiting for their second approval, and green-channel cases with
// the countdown running, documents overdue, retrospective reviews waiting or done, and one flagged. Each step
// is taken through the relief package by the demo user whose job it is — a caseworker drafts and submits,
// supervisor1 or supervisor2 decides (two different ones above ¥10,000, never the submitter), finance1 pays
// (never an approver) — so the cases obey every rule, move real money through the ledger and leave the
// audit trail. Every story happens in the past of now, within the current year whose budget pays it.
func Applications(ctx context.Context, db *store.DB, svc *auth.Service) error {
	d, err := newDistrict(ctx, db, svc.Clock.Now())
	if err != nil {
		return err
	}
	for _, p := range d.plans() {
		if err := d.tell(p); err != nil {
			return err
		}
	}
	return d.leads()
}

// story is how far one application gets, and when.
type story struct {
	cw     string // the caseworker who drafts and submits it
	in     relief.Input
	target relief.Status // where the story stops
	t0     time.Time     // drafted; submitted two hours later
	detour bool          // returned once and submitted again, with what was asked for, before the decision
	decide time.Duration // from submission to the (first) decision
	// green channel (SPEC §4.3)
	lateDocs bool   // the documents missing at approval are brought in ten days after it
	review   string // "", "confirmed" or "flagged": the retrospective review, twelve days after approval
	// a flagged payment that finance has not taken back yet: a lead on the anomaly report (SPEC §8.2)
	unrecovered bool
}

// district is what the stories need: the demo users, the households with the documents they already hold,
// and running numbers for vouchers and receipts.
type district struct {
	ctx       context.Context
	db        *store.DB
	now       time.Time
	yearStart time.Time
	users     map[string]actor.Actor
	homes     []household.Household
	docs      map[int64]map[string]bool
	told      int // stories told so far: who decides alternates with it
	voucher   int
}

func newDistrict(ctx context.Context, db *store.DB, now time.Time) (*district, error) {
	local := now.In(clock.China)
	d := &district{ctx: ctx, db: db, now: now, users: map[string]actor.Actor{}, docs: map[int64]map[string]bool{},
		yearStart: time.Date(local.Year(), 1, 1, 8, 30, 0, 0, clock.China)}
	for _, u := range Users {
		var id int64
		if err := db.R.GetContext(ctx, &id, "SELECT id FROM users WHERE username = ?", u.Username); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.Username, err)
		}
		a, err := auth.ActorFor(ctx, db.R, id, "demo")
		if err != nil {
			return nil, err
		}
		d.users[u.Username] = a
	}
	var ids []int64
	if err := db.R.SelectContext(ctx, &ids, "SELECT id FROM households ORDER BY id"); err != nil {
		return nil, err
	}
	for _, id := range ids {
		h, err := household.Get(ctx, db.R, actor.System("demo"), id)
		if err != nil {
			return nil, err
		}
		if !h.Stored.Open() {
			continue // exited and rejected files take no new applications
		}
		d.homes = append(d.homes, *h.At(now))
		if d.docs[id], err = household.DocumentKindsOf(ctx, db.R, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// at is now minus days and hours, kept inside the current year (whose budget lines pay) and before now.
func (d *district) at(t time.Time) time.Time {
	if t.Before(d.yearStart) {
		return d.yearStart
	}
	if t.After(d.now) {
		return d.now
	}
	return t
}

func (d *district) ago(days, hours int) time.Time {
	return d.at(d.now.Add(-time.Duration(days*24+hours) * time.Hour))
}

func (d *district) caseworker(h *household.Household) string {
	for name, a := range d.users {
		if a.UserID == h.CreatedBy {
			return name
		}
	}
	return "caseworker1"
}

// The ordinary stories cycle through these endings: most cases are paid and signed for, the rest are spread
// over every other status. "detour" is a case returned once and then paid.
var endings = []string{"received", "received", "disbursed", "received", "approved", "submitted", "received", "draft",
	"disbursed", "received", "rejected", "received", "returned", "approved", "detour", "cancelled", "disbursed",
	"submitted", "received", "received"}

var (
	livingPurposes = map[string]string{
		"illness":         "本人患慢性病长期服药，家庭收入难以维持基本生活，申请生活救助",
		"disability":      "家中有重度残疾成员需长期照护，配偶无法外出务工，申请生活救助",
		"unemployment":    "企业经营困难本人失业，家庭失去主要收入来源，申请生活救助",
		"laid_off":        "企业改制下岗后靠打零工维持生活，收入不稳定，申请生活救助",
		"schooling":       "子女在读教育支出大，家庭人均收入低于标准，申请生活救助",
		"disaster":        "台风暴雨致住房受损，家庭财产损失较大，申请生活救助",
		"accident":        "本人工伤后尚在康复期，收入大幅减少，申请生活救助",
		"pandemic":        "所在企业受疫情影响停业数月，收入锐减，申请生活救助",
		"zero_employment": "家庭无就业人员，生活来源仅靠低保，申请生活救助",
		"other":           "家庭人均收入低于相对困难标准，申请年度生活救助",
	}
	medicalPurposes = []string{
		"本人确诊恶性肿瘤，住院化疗自付费用较高，申请医疗救助",
		"配偶患尿毒症需定期透析，医保报销后自付部分负担沉重，申请医疗救助",
		"子女患白血病住院治疗，申请大病医疗救助",
		"本人突发脑梗住院，自付医疗费用较大，申请医疗救助",
		"因工受伤手术治疗，医保目录外自费部分较多，申请医疗救助",
		"长期患糖尿病并发症，全年门诊及住院自付费用较高，申请医疗救助",
	}
	schools = map[string][]string{
		"higher_ed":   {"浙江工业大学", "杭州电子科技大学", "浙江农林大学", "中国计量大学"},
		"senior_high": {"杭州市滨江高级中学", "杭州第二中学滨江校区"},
		"vocational":  {"杭州市交通职业高级中学", "杭州市中策职业学校"},
	}
	warmthPurposes     = []string{"元旦春节走访慰问困难职工家庭，发放送温暖慰问金", "春节送温暖活动，慰问困难职工家庭", "节前入户走访，送去慰问金和年货"}
	condolencePurposes = []string{"职工因病住院，工会前往医院慰问", "职工直系亲属去世，按规定发放慰问金", "职工遭遇交通事故受伤，送去慰问金", "职工子女重病住院，工会上门慰问"}
	rejectReasons      = []string{"经核实家庭人均收入已超过认定标准", "提供的医疗费用已通过商业保险全额理赔", "申请事由与入户核实情况不符"}
	returnReasons      = []string{"请补充近三个月收入证明并说明配偶收入情况", "票据金额与申请金额不一致，请核对后重新提交", "申请事由过于简略，请补充家庭困难的具体情况"}
	voidReasons        = []string{"申请人已通过民政渠道获得同类救助，经协商作废", "收款银行卡已注销，待核实后重新申请", "申请人主动放弃本次救助"}
	stageNames         = map[string]string{"higher_ed": "大学", "senior_high": "高中", "vocational": "中等职业学校"}
	medicalOutOfPocket = []int64{12_000, 25_000, 48_000, 8_000, 36_000, 15_000} // yuan, from the receipts
	livingYuan         = []int64{2_000, 3_000, 3_600, 4_500, 5_000, 6_000}
	secondLivingYuan   = []int64{1_500, 2_400, 3_000, 4_000} // a second living case in the year stays under the cap
	condolenceYuan     = []int64{500, 800, 1_000, 2_000}
	holidayDutyWorkers = []struct{ name, org, duty string }{
		{"韩立新", "BJ-XX-JH-02", "春节期间坚守后厨岗位，保障职工食堂供餐"}, {"罗春燕", "BJ-XX-GH-02", "除夕夜坚守酒店前台岗位"},
		{"邓建平", "BJ-XX-GH-01", "春节期间坚守物流配送一线"}, {"冯晓东", "BJ-XX-JH-01", "节日期间坚守工地值守岗位"},
		{"曹玉梅", "BJ-XX-GH-01", "春节期间坚守快递分拣岗位"}, {"彭志华", "BJ-XX-JH-02", "春节期间坚守门店收银岗位"},
	}
	greenNotes          = map[string]string{"pandemic": "疫情期间所在企业停业，连续三个月无工资收入", "accident": "家中突发火灾，房屋及家具损毁严重", "critical_illness": "突发重大疾病住院，急需治疗费用"}
	greenPendingHours   = []int{2, 7, 13, 21, 30} // the last is past green_sla_hours: overdue in the queue
	greenLateDays       = []int{38, 45, 52}       // approved so long ago that the documents are overdue
	greenUnreviewedDays = []int{1, 3, 6, 9}
	greenFlaggedDays    = 19
	// Reviewed cases were approved within green_docs_days, so that no document is due yet for any of them.
	greenConfirmedDays = []int{14, 17, 21, 24, 27}
)

// plans lays out every story: the green-channel cases on households kept apart for them, then the ordinary
// cases household by household, then warmth payments to holiday-duty workers without a file.
func (d *district) plans() []story {
	var ps []story
	greenHomes := map[int64]bool{}
	// Green channel: unfiled households that meet the criteria on their numbers (生活救助, the file filed later)
	// and filed households with a serious illness (医疗救助).
	var unfiled, ill []*household.Household
	for i := range d.homes {
		h := &d.homes[i]
		switch {
		case !h.Filed() && h.SuggestedCategory != household.Ineligible && len(unfiled) < 13:
			unfiled = append(unfiled, h)
		case h.Filed() && h.Health == "serious" && len(ill) < 5:
			ill = append(ill, h)
		}
	}
	greenCases := []story{}
	for _, h := range append(unfiled, ill...) {
		greenHomes[h.ID] = true
		in := relief.Input{Type: relief.Living, HouseholdID: h.ID, AmountFen: money.Fen(300_000 + int64(len(greenCases)%5)*50_000), Green: true}
		switch {
		case h.Filed():
			in.Type, in.OutOfPocketFen, in.GreenReason = relief.Medical, 2_600_000, "critical_illness"
			in.Purpose = "突发重大疾病住院，先行申请绿色通道医疗救助，其余票据出院后补交"
		case contains(household.PandemicIndustries, h.Industry):
			in.GreenReason, in.Purpose = "pandemic", "所在企业受疫情影响停业，家庭断了收入来源，申请绿色通道生活救助"
		case h.MainCause == "accident" || h.MainCause == "disaster":
			in.GreenReason, in.Purpose = "accident", "家中突遭意外，生活一时无着，申请绿色通道生活救助"
		default:
			in.GreenReason, in.Purpose = "critical_illness", "家庭主要劳动力突发重病，生活陷入困境，申请绿色通道生活救助"
		}
		in.GreenNote = greenNotes[in.GreenReason]
		greenCases = append(greenCases, story{cw: d.caseworker(h), in: in, decide: 5 * time.Hour})
	}
	// Give the green cases their endings, in order: pending, documents overdue, review waiting, reviewed.
	next := 0
	take := func(target relief.Status, t0 time.Time, lateDocs bool, review string) {
		if next >= len(greenCases) {
			return
		}
		s := &greenCases[next]
		next++
		s.target, s.t0, s.lateDocs, s.review = target, t0, lateDocs, review
		ps = append(ps, *s)
	}
	for _, h := range greenPendingHours {
		take(relief.Submitted, d.ago(0, h+2), false, "")
	}
	for i, days := range greenLateDays {
		take([]relief.Status{relief.Disbursed, relief.Received, relief.Disbursed}[i], d.ago(days, 7), false, "")
	}
	// One reviewed and flagged early on, so that the anomaly report has one even when the district has few
	// unfiled households to give green cases to.
	take(relief.Received, d.ago(greenFlaggedDays, 7), true, "flagged")
	if len(ps) > 0 && ps[len(ps)-1].review == "flagged" {
		ps[len(ps)-1].unrecovered = true
	}
	for i, days := range greenUnreviewedDays {
		take([]relief.Status{relief.Approved, relief.Disbursed, relief.Disbursed, relief.Received}[i], d.ago(days, 7), i == 3, "")
	}
	for i, days := range greenConfirmedDays {
		review := "confirmed"
		if i == 2 {
			review = "flagged"
		}
		take(relief.Received, d.ago(days, 7), true, review)
	}
	take(relief.Rejected, d.ago(4, 7), false, "")
	// Two workers without a file: it is opened alongside the application (SPEC §4.3).
	for j, w := range []struct{ org, name, industry string }{{"BJ-XX-JH-02", "沈桂芳", "catering"}, {"BJ-XX-GH-02", "姚建明", "accommodation"}} {
		o, err := org.ByCode(d.ctx, d.db.R, w.org)
		if err != nil {
			continue
		}
		birth := time.Date(1981+j*4, time.Month(4+j), 12+j, 0, 0, 0, 0, time.UTC)
		male := j == 1
		hh := &household.Input{Fields: household.Fields{OrgID: o.ID, Name: w.name, Gender: map[bool]string{true: "male", false: "female"}[male],
			IDNumber: ResidentID("330108", birth, 420+j, male), BirthDate: birth.Format("2006-01-02"), Phone: fmt.Sprintf("1385710%04d", 20+j),
			Employer: o.Name, Industry: w.industry, EmploymentStatus: "unemployed", Address: fmt.Sprintf("滨江区长河路%d号", 300+j*17),
			BankCard: BankCard("622848", 900000+j), Health: "healthy", Disability: "none", MainCause: "pandemic",
			SecondaryCauses: household.CauseList{}, IncomeWagesFen: 1_200_000},
			Members: []household.Member{{Name: w.name[:3] + "小雨", Relation: "child", IDNumber: ResidentID("330110", birth.AddDate(24, 1, 1), 420+j, !male),
				Health: "healthy", Disability: "none", EmploymentStatus: "student", SchoolStage: "primary"}}}
		s := story{cw: map[bool]string{true: "caseworker2", false: "caseworker1"}[j == 1], decide: 4 * time.Hour,
			in: relief.Input{Type: relief.Living, Household: hh, AmountFen: 400_000, Green: true, GreenReason: "pandemic",
				GreenNote: greenNotes["pandemic"], Purpose: "所在企业受疫情影响停业，本人失去收入，家中尚无档案，申请绿色通道生活救助并同步建档"}}
		s.target, s.t0 = relief.Submitted, d.ago(0, 6)
		if j == 1 {
			s.target, s.t0 = relief.Disbursed, d.ago(5, 7)
		}
		ps = append(ps, s)
	}

	// Ordinary cases.
	k := 0
	end := func(s story) story {
		e := endings[k%len(endings)]
		s.decide = time.Duration(26+k%5*12) * time.Hour
		// v spreads the dates of the cases that share an ending (k alone repeats with the cycle's length).
		v := k + k/len(endings)*7
		days := map[string]int{"draft": 1 + v%6, "submitted": 2 + v%9, "returned": 3 + v%8, "approved": 5 + v%4,
			"disbursed": 10 + v%10, "rejected": 10 + v%40, "cancelled": 10 + v%30, "received": 14 + v*7%60, "detour": 16 + v%30}[e]
		if e == "submitted" && k/len(endings)%4 == 1 {
			days = 32 // past the 15 working days: overdue in the approval queue
		}
		s.t0 = d.ago(days, 3+v%6)
		s.target = relief.Status(e)
		if e == "detour" {
			s.target, s.detour = relief.Received, true
		}
		// Above second_approval_above a case needs two supervisors: some wait for the second.
		if s.in.AmountFen > 1_000_000 && s.target == relief.Submitted {
			s.target, s.t0 = relief.FirstApproved, d.ago(4+k%5, 3)
		}
		k++
		return s
	}
	for i := range d.homes {
		h := &d.homes[i]
		cw := d.caseworker(h)
		add := func(in relief.Input) { in.HouseholdID = h.ID; ps = append(ps, end(story{cw: cw, in: in})) }
		n := int(h.ID)
		// 送温暖 goes to half the filed households and to some of the files still being assessed.
		if (h.Filed() && n%2 == 0) || n%5 == 0 {
			add(relief.Input{Type: relief.Warmth, Purpose: warmthPurposes[n%len(warmthPurposes)]})
		}
		if greenHomes[h.ID] {
			continue
		}
		if h.Filed() {
			yuan := livingYuan[n%len(livingYuan)]
			if n%11 == 0 {
				yuan = 10_800 // the whole year's cap at once: two supervisors approve it
			}
			add(relief.Input{Type: relief.Living, AmountFen: money.Yuan(yuan), Purpose: livingPurposes[h.MainCause]})
			if n%3 == 0 && n%11 != 0 {
				add(relief.Input{Type: relief.Living, AmountFen: money.Yuan(secondLivingYuan[n%len(secondLivingYuan)]),
					Purpose: "年中家庭困难加重，再次申请生活救助"})
			}
		}
		if h.Health == "serious" || h.ExpenseMedicalFen > 0 {
			oop := medicalOutOfPocket[n%len(medicalOutOfPocket)]
			add(relief.Input{Type: relief.Medical, OutOfPocketFen: money.Yuan(oop), AmountFen: money.Yuan(min(oop/2, 30_000) / 100 * 100),
				Purpose: medicalPurposes[n%len(medicalPurposes)]})
		}
		for _, m := range h.Members {
			if names, ok := schools[m.SchoolStage]; ok {
				add(relief.Input{Type: relief.Education, StudentMemberID: m.ID,
					Purpose: fmt.Sprintf("子女考入%s就读%s，家庭无力承担学费和生活费，申请金秋助学", names[n%len(names)], stageNames[m.SchoolStage])})
			}
		}
		if n%6 == 1 {
			add(relief.Input{Type: relief.Condolence, AmountFen: money.Yuan(condolenceYuan[n%len(condolenceYuan)]),
				Purpose: condolencePurposes[n%len(condolencePurposes)]})
		}
	}
	// Warmth to holiday-duty workers without a file (节日坚守岗位职工).
	for i, w := range holidayDutyWorkers {
		o, err := org.ByCode(d.ctx, d.db.R, w.org)
		if err != nil {
			continue
		}
		cw := "caseworker1"
		if w.org[:8] == "BJ-XX-GH" {
			cw = "caseworker2"
		}
		birth := time.Date(1978+i*3, time.Month(2+i), 5+i, 0, 0, 0, 0, time.UTC)
		ps = append(ps, end(story{cw: cw, in: relief.Input{Type: relief.Warmth, OrgID: o.ID, ApplicantName: w.name,
			ApplicantIDNumber: ResidentID("330106", birth, 450+i, i%2 == 0), ApplicantPhone: fmt.Sprintf("1396800%04d", i),
			DutyNote: w.duty, Purpose: "慰问节日期间坚守岗位的一线职工"}}))
	}
	return ps
}

// tell runs one story through the relief package as the users whose job each step is. The steps of a story
// share one write transaction (CreateTx, ActTx: the same rules and audit events as Create and Act, one fsync
// instead of six, which keeps `serve --demo` quick); documents are uploaded apart, as they are in real work.
func (d *district) tell(s story) error {
	cw := d.users[s.cw]
	n := d.told
	d.told++
	approver, second := d.users["supervisor1"], d.users["supervisor2"]
	if n%2 == 1 {
		approver, second = second, approver
	}
	what := fmt.Sprintf("demo application (%s, household %d, to %s)", s.in.Type, s.in.HouseholdID, s.target)
	if s.target != relief.Draft {
		need := relief.RequiredDocs[s.in.Type]
		if s.in.Green {
			need = relief.GreenDocs
		}
		if err := d.bring(cw, s.in.HouseholdID, need, s.t0); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	var (
		tx         *sqlx.Tx
		app        relief.Application
		t          = s.t0
		approvedAt time.Time
	)
	write := func(steps func() error) error {
		return d.db.Write(d.ctx, func(x *sqlx.Tx) error { tx = x; return steps() })
	}
	act := func(a actor.Actor, when time.Time, action string, in relief.ActionInput) error {
		t = d.at(when)
		var err error
		if app, err = relief.ActTx(d.ctx, tx, a, t, app.ID, action, in); err != nil {
			return fmt.Errorf("%s: %s by %s: %w", what, action, a.Username, err)
		}
		return nil
	}
	// From submission to the end of the story.
	rest := func() error {
		if s.target == relief.Draft {
			return nil
		}
		if err := act(cw, t.Add(2*time.Hour), relief.ActSubmit, relief.ActionInput{}); err != nil {
			return err
		}
		if s.target == relief.Returned || s.detour {
			if err := act(approver, t.Add(s.decide), relief.ActReturn, relief.ActionInput{Reason: returnReasons[n%len(returnReasons)]}); err != nil {
				return err
			}
			if s.target == relief.Returned {
				return nil
			}
			if err := act(cw, t.Add(26*time.Hour), relief.ActSubmit, relief.ActionInput{}); err != nil {
				return err
			}
		}
		switch s.target {
		case relief.Submitted:
			return nil
		case relief.Rejected:
			reason := rejectReasons[n%len(rejectReasons)]
			if s.in.Green {
				reason = "经核实，申请人家庭另有稳定收入，不符合绿色通道先行救助条件，请按一般程序申请"
			}
			return act(approver, t.Add(s.decide), relief.ActReject, relief.ActionInput{Reason: reason})
		}
		note := ""
		if n%3 == 0 {
			note = "经核实情况属实，同意救助"
		}
		if err := act(approver, t.Add(s.decide), relief.ActApprove, relief.ActionInput{Reason: note}); err != nil {
			return err
		}
		approvedAt = t
		if app.Status == relief.FirstApproved {
			if s.target == relief.FirstApproved {
				return nil
			}
			if err := act(second, t.Add(24*time.Hour), relief.ActApprove, relief.ActionInput{Reason: "大额救助，复审同意"}); err != nil {
				return err
			}
		}
		return d.pay(s, act, app.HouseholdID.Valid, approvedAt, n)
	}
	opens := s.in.Household != nil
	if err := write(func() (err error) {
		if app, err = relief.CreateTx(d.ctx, tx, cw, t, s.in); err != nil {
			return fmt.Errorf("%s: create: %w", what, err)
		}
		if opens {
			return nil // the new file needs its documents before the case is submitted
		}
		return rest()
	}); err != nil {
		return err
	}
	if opens {
		s.in.HouseholdID = app.HouseholdID.Int64
		if err := d.bring(cw, s.in.HouseholdID, relief.GreenDocs, t); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := write(rest); err != nil {
			return err
		}
	}
	if s.in.Green && !approvedAt.IsZero() {
		if err := d.greenFollowUp(s, app.ID, cw, second, approvedAt); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// pay takes an approved story on as finance1 (who approved nothing): a void, or the payment — a bank
// transfer to the real-name card, or cash against a signature — and then the receipt.
func (d *district) pay(s story, act func(actor.Actor, time.Time, string, relief.ActionInput) error, hasFile bool, approvedAt time.Time, n int) error {
	fin := d.users["finance1"]
	switch s.target {
	case relief.Approved:
		return nil
	case relief.Cancelled:
		return act(fin, approvedAt.Add(48*time.Hour), relief.ActVoid, relief.ActionInput{Reason: voidReasons[n%len(voidReasons)]})
	}
	d.voucher++
	method := "bank"
	if !hasFile || d.voucher%5 == 0 {
		method = "cash" // 现金签字领取
	}
	paidAt := approvedAt.Add(48 * time.Hour)
	if err := act(fin, paidAt, relief.ActDisburse, relief.ActionInput{
		VoucherNo: fmt.Sprintf("付-%d-%04d", d.yearStart.Year(), d.voucher), PaymentMethod: method}); err != nil {
		return err
	}
	if s.target == relief.Disbursed {
		return nil
	}
	receipt := relief.ActionInput{ReceiptKind: "bank_receipt", ReceiptRef: fmt.Sprintf("HZB%d%06d", d.yearStart.Year(), 381200+d.voucher)}
	by := fin
	if method == "cash" {
		receipt, by = relief.ActionInput{ReceiptKind: "signature", ReceiptRef: fmt.Sprintf("签领-%04d", d.voucher)}, d.users[s.cw]
	}
	return act(by, paidAt.Add(72*time.Hour), relief.ActReceipt, receipt)
}

// greenFollowUp is what follows a green-channel approval (SPEC §4.3): the documents still missing brought
// into the file, and the retrospective review by the supervisor who did not approve.
func (d *district) greenFollowUp(s story, id int64, cw, other actor.Actor, approvedAt time.Time) error {
	if s.lateDocs {
		if err := d.bring(cw, s.in.HouseholdID, relief.RequiredDocs[s.in.Type], d.at(approvedAt.Add(10*24*time.Hour))); err != nil {
			return err
		}
	}
	if s.review == "" {
		return nil
	}
	in := relief.ActionInput{Outcome: s.review, Note: "材料已补齐，入户核实情况属实"}
	if s.review == "flagged" {
		in.Note = "复核发现申请人配偶在外地有稳定工资收入未如实申报，建议追回救助金并纳入异常台账"
	}
	return d.db.Write(d.ctx, func(tx *sqlx.Tx) error {
		if _, err := relief.ActTx(d.ctx, tx, other, d.at(approvedAt.Add(12*24*time.Hour)), id, relief.ActReview, in); err != nil {
			return err
		}
		if s.review != "flagged" || s.unrecovered {
			return nil
		}
		// Finance takes the flagged payment back two days later: the case leaves the workflow as recovered.
		_, err := relief.ActTx(d.ctx, tx, d.users["finance1"], d.at(approvedAt.Add(14*24*time.Hour)), id, relief.ActRecover,
			relief.ActionInput{Reason: "复核存疑，申请人家庭收入未如实申报，追回救助金", VoucherNo: fmt.Sprintf("追-%d-001", d.yearStart.Year())})
		return err
	})
}

// bring uploads into household id the documents of kinds it does not hold yet, as caseworker cw.
func (d *district) bring(cw actor.Actor, id int64, kinds []string, when time.Time) error {
	if id == 0 {
		return nil
	}
	if d.docs[id] == nil {
		d.docs[id] = map[string]bool{}
	}
	for _, k := range kinds {
		if d.docs[id][k] {
			continue
		}
		if _, err := householdsAt(d.db, when).AddDocument(d.ctx, cw, id, k, household.DocumentKinds[k]+".png", demoPNG); err != nil {
			return fmt.Errorf("document %s: %w", k, err)
		}
		d.docs[id][k] = true
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
