package demo

import (
	"context"
	"fmt"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/referral"
	"bangfu/internal/store"
)

var (
	familyNames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜")
	givenNames  = []string{"建华", "秀英", "桂兰", "志强", "海燕", "春梅", "德明", "金凤", "国庆", "丽娟", "建军", "玉兰", "小红", "永福", "淑珍", "卫东", "红霞", "明亮", "翠花", "长林"}
	childNames  = []string{"子涵", "浩然", "欣怡", "宇轩", "梓萱", "俊杰", "诗琪", "一鸣"}
	demoPNG     = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
)

// Households writes about 200 household files across every status and category, with members, visits,
// documents and referrals, through the household package so that they obey its rules and leave its audit
// trail. Each file's story happens in the past of now.
func Households(ctx context.Context, db *store.DB, svc *auth.Service) error {
	now := svc.Clock.Now()
	users := map[string]actor.Actor{}
	for i, u := range Users {
		a, err := auth.ActorFor(ctx, db.R, int64(i+1), "demo")
		if err != nil {
			return err
		}
		users[u.Username] = a
	}
	unions := map[string][]string{"caseworker1": {"BJ-XX-JH-01", "BJ-XX-JH-02"}, "caseworker2": {"BJ-XX-GH-01", "BJ-XX-GH-02"}}
	industries := []string{"construction", "catering", "logistics", "accommodation", "retail", "manufacturing", "other"}
	causes := []string{"illness", "disability", "unemployment", "laid_off", "schooling", "disaster", "accident", "pandemic", "zero_employment", "other"}
	for i := range 200 {
		cwName := []string{"caseworker1", "caseworker2"}[i%2]
		cw := users[cwName]
		sup := users[[]string{"supervisor1", "supervisor2"}[i/2%2]]
		o, err := org.ByCode(ctx, db.R, unions[cwName][i/2%2])
		if err != nil {
			return err
		}
		male := i%3 != 0
		gender := map[bool]string{true: "male", false: "female"}[male]
		birth := time.Date(1966+i%32, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		in := household.Input{Fields: household.Fields{
			OrgID: o.ID, Name: string(familyNames[i%len(familyNames)]) + givenNames[i*7%len(givenNames)], Gender: gender,
			IDNumber: ResidentID("330108", birth, i, male), BirthDate: birth.Format("2006-01-02"),
			Phone: fmt.Sprintf("13%d%08d", 5+i%5, 10000000+i*7919%90000000), Employer: o.Name, Industry: industries[i%len(industries)],
			EmploymentStatus: []string{"employed", "flexible", "unemployed", "laid_off"}[i%4], Migrant: i%4 == 1,
			Address: fmt.Sprintf("滨江区%s%d号", []string{"江汉路", "官河路", "西兴路", "滨盛路"}[i%4], 10+i), BankCard: BankCard("622202", 100000+i),
			Health: []string{"healthy", "chronic", "serious"}[i%3], Disability: []string{"none", "none", "mild", "severe"}[i%4],
			MainCause: causes[i%len(causes)], SecondaryCauses: household.CauseList{},
			// Incomes spread the households over the categories: deep, relative, accident and ineligible.
			IncomeWagesFen:    money.Fen([]int{1800000, 3000000, 6000000, 9000000, 4500000}[i%5]) + money.Fen(i%7)*50000,
			IncomeTransferFen: money.Fen(i%3) * 120000,
		}}
		if i%5 == 2 {
			// A good income swallowed by an out-of-pocket illness cost: 意外致困.
			in.IncomeWagesFen, in.ExpenseMedicalFen = 60000000, 49000000
		}
		in.ExclCar = i%23 == 0
		// Two leads for the anomaly report (SPEC §8.2): a file that gives another family's bank card, and one
		// that gives a phone already on another file — mistakes, or worse, that an auditor must see.
		switch i {
		case 41:
			in.BankCard = BankCard("622202", 100000+16)
		case 58:
			in.Phone = fmt.Sprintf("13%d%08d", 5+23%5, 10000000+23*7919%90000000)
		}
		if c := causes[(i+3)%len(causes)]; c != in.MainCause {
			in.SecondaryCauses = append(in.SecondaryCauses, c)
		}
		if i%4 != 3 {
			in.Members = append(in.Members, household.Member{Name: string(familyNames[(i+5)%len(familyNames)]) + givenNames[(i+3)%len(givenNames)],
				Relation: "spouse", IDNumber: ResidentID("330109", birth.AddDate(1, 2, 3), i, !male), Health: "healthy",
				Disability: "none", EmploymentStatus: "flexible", SchoolStage: "none", MonthlyIncomeFen: 150000})
		}
		if i%3 != 2 {
			cb := time.Date(2007+i%14, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			stage := []string{"primary", "junior_high", "senior_high", "vocational", "higher_ed"}[i%5]
			in.Members = append(in.Members, household.Member{Name: string(familyNames[i%len(familyNames)]) + childNames[i%len(childNames)],
				Relation: "child", IDNumber: ResidentID("330110", cb, i, i%2 == 0), Health: "healthy", Disability: "none",
				EmploymentStatus: "student", SchoolStage: stage})
		}
		// Status by i: the story stops at a different step for each.
		status := []household.Status{household.Draft, household.Submitted, household.Visited, household.Publicizing,
			household.Filed, household.ReviewDue, household.Exited, household.Rejected, household.Filed, household.Filed}[i%10]
		days := 30 + i%40
		if status == household.ReviewDue {
			days = 400 + i%30
		}
		if status == household.Publicizing {
			days = 2
		}
		t0 := now.AddDate(0, 0, -days)
		at := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
		h, err := householdsAt(db, t0).Create(ctx, cw, in)
		if err != nil {
			return fmt.Errorf("demo household %d: %w", i, err)
		}
		act := func(a actor.Actor, when time.Time, action string, ai household.ActionInput) error {
			_, err := householdsAt(db, when).Act(ctx, a, h.ID, action, ai)
			if err != nil {
				return fmt.Errorf("demo household %d %s: %w", i, action, err)
			}
			return nil
		}
		if _, err := householdsAt(db, t0).AddDocument(ctx, cw, h.ID, "id_scan", "身份证.png", demoPNG); err != nil {
			return err
		}
		if status == household.Draft {
			continue
		}
		if err := act(cw, at(1), household.ActSubmit, household.ActionInput{}); err != nil {
			return err
		}
		if status == household.Rejected {
			if err := act(sup, at(2), household.ActReject, household.ActionInput{Reason: "经核实家庭收入超过认定标准"}); err != nil {
				return err
			}
			continue
		}
		if status == household.Submitted {
			continue
		}
		visitDay := at(1)
		if status == household.Publicizing {
			visitDay = now
		}
		if err := act(cw, visitDay, household.ActVisit, household.ActionInput{VisitDate: visitDay.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"),
			Visitors: cw.Name + "、社区干部", Findings: "家中陈设简单，主要劳动力收入低，情况属实", ConsentSigned: true}); err != nil {
			return err
		}
		if _, err := householdsAt(db, visitDay).AddDocument(ctx, cw, h.ID, "consent", "核对授权书.png", demoPNG); err != nil {
			return err
		}
		if status == household.Visited {
			continue
		}
		pubDay := visitDay
		if err := act(cw, pubDay, household.ActPublicize, household.ActionInput{StartDate: pubDay.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")}); err != nil {
			return err
		}
		if status == household.Publicizing {
			if i%20 == 3 {
				if err := act(cw, now, household.ActObject, household.ActionInput{Content: "反映其配偶有稳定收入", RaisedBy: "匿名群众"}); err != nil {
					return err
				}
			}
			continue
		}
		ai := household.ActionInput{}
		if h.SuggestedCategory == household.Ineligible {
			ai = household.ActionInput{Category: string(household.Relative), Reason: "入户核实有大额刚性支出未计入，改定为相对困难"}
		}
		if err := act(sup, at(12), household.ActFile, ai); err != nil {
			return err
		}
		if status == household.Exited {
			if err := act(sup, at(20), household.ActExit, household.ActionInput{ExitReason: []string{"recovered", "retired", "moved"}[i%3], Reason: "年度走访核实"}); err != nil {
				return err
			}
		}
	}
	// Referrals: workers who missed the criteria, some already overdue for their follow-up.
	for i := range 12 {
		cwName := []string{"caseworker1", "caseworker2"}[i%2]
		o, err := org.ByCode(ctx, db.R, unions[cwName][i%2])
		if err != nil {
			return err
		}
		when := now.AddDate(0, 0, -20+i)
		r, err := referralsAt(db, when).Create(ctx, users[cwName], referral.New{
			Name: string(familyNames[(i+11)%len(familyNames)]) + givenNames[(i+5)%len(givenNames)], Phone: fmt.Sprintf("1370000%04d", i),
			IDNumber: ResidentID("330108", time.Date(1975+i, 3, 3, 0, 0, 0, 0, time.UTC), 300+i, true), OrgID: o.ID,
			Reason: "收入略高于认定标准，但近期家庭突发困难", FollowUpDate: when.AddDate(0, 0, 14).Format("2006-01-02")})
		if err != nil {
			return fmt.Errorf("demo referral %d: %w", i, err)
		}
		if i%3 == 0 {
			if _, err := referralsAt(db, when.AddDate(0, 0, 5)).Finish(ctx, users[cwName], r.ID, referral.Close{Outcome: "helped", AmountFen: 80000, Note: "企业工会送慰问金"}); err != nil {
				return err
			}
		}
	}
	return nil
}
