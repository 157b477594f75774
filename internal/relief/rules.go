package relief

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/policy"
)

// Check is one rule of SPEC §4.1 and §4.3 applied to an application, with the numbers it compared: the
// decision dialog shows every one, and the decision snapshot keeps them.
type Check struct {
	Rule    string      `json:"rule"`
	Name    string      `json:"name"`
	OK      bool        `json:"ok"`
	Message string      `json:"message"`
	Code    apperr.Code `json:"-"`     // the refusal's code when not OK: validation for the input itself, conflict otherwise
	Field   string      `json:"field"` // the input field the refusal is about, if any
}

// Stage says when the rules run: at submission, or inside the approval transaction (SPEC §4.1: both).
type Stage int

const (
	AtSubmission Stage = iota
	AtApproval
)

// Paid are the amounts already committed (approved, disbursed or received) for the beneficiary in the
// application's year, besides the application itself.
type Paid struct {
	SameTypeFen money.Fen `db:"same_type_fen" json:"same_type_fen"` // of the application's type
	AllTypesFen money.Fen `db:"all_types_fen" json:"all_types_fen"` // all cash aid together
}

// facts is everything the rules read, gathered once.
type facts struct {
	app       *Application
	hh        *household.Household // nil for a holiday-duty worker without a file (送温暖)
	policy    policy.Policy
	paid      Paid
	docs      map[string]bool
	liveTwins int // other live applications that the once-only rules count
	greenUsed int // green-channel approvals this month in the policy's subtree (at approval)
	quotaOrg  string
}

func yuan(fen money.Fen) string { return fen.String() }

// paidSQL sums what is committed for a beneficiary in an aid year, of one type and of all (arguments: type,
// beneficiary, aid year, the application itself to leave out). It reads applications_beneficiary alone, which
// holds exactly the committed applications (migration 28); its status list is the index's, word for word, so
// that SQLite may use the partial index.
var paidSQL = `SELECT
		coalesce(sum(CASE WHEN type = ? THEN amount_fen END), 0) AS same_type_fen, coalesce(sum(amount_fen), 0) AS all_types_fen
		FROM applications WHERE beneficiary = ? AND aid_year = ? AND id <> ? AND status IN ('` +
	strings.Join(statusStrings(committed), "', '") + `')`

// gather reads the facts for app at now in q (the caller's transaction at approval).
func gather(ctx context.Context, q sqlx.QueryerContext, app *Application, hh *household.Household, stage Stage, now time.Time) (*facts, error) {
	p, err := policy.Current(ctx, q, app.OrgID, now)
	if err != nil {
		return nil, err
	}
	f := &facts{app: app, hh: hh, policy: p, docs: map[string]bool{}}
	if err := sqlx.GetContext(ctx, q, &f.paid, paidSQL, app.Type, app.Beneficiary, app.AidYear, app.ID); err != nil {
		return nil, err
	}
	if hh != nil {
		if f.docs, err = household.DocumentKindsOf(ctx, q, hh.ID); err != nil {
			return nil, err
		}
	}
	switch app.Type {
	case Education:
		err = sqlx.GetContext(ctx, q, &f.liveTwins, `SELECT count(*) FROM applications WHERE type = 'education'
			AND student_id_number = ? AND school_year = ? AND id <> ? AND status IN (`+live+`)`,
			app.StudentIDNumber, app.SchoolYear, app.ID)
	case Warmth:
		err = sqlx.GetContext(ctx, q, &f.liveTwins, `SELECT count(*) FROM applications WHERE type = 'warmth'
			AND beneficiary = ? AND aid_year = ? AND id <> ? AND status IN (`+live+`)`, app.Beneficiary, app.AidYear, app.ID)
	}
	if err != nil {
		return nil, err
	}
	if app.Green && stage == AtApproval {
		if f.greenUsed, f.quotaOrg, err = greenApprovalsThisMonth(ctx, q, p, now); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// live are the statuses of an application still alive for the once-only rules (the unique indexes of
// migration 7, and of the migration that added recovered, say the same): a recovered payment still counts.
const live = "'submitted','first_approved','approved','disbursed','received','recovered'"

func statusStrings(ss []Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// evaluate applies every rule that concerns app to f, in the order a supervisor reads them.
func (f *facts) evaluate(stage Stage) []Check {
	app, p := f.app, f.policy.Params
	var cs []Check
	add := func(rule, name string, ok bool, code apperr.Code, field, msg string) {
		cs = append(cs, Check{Rule: rule, Name: name, OK: ok, Message: msg, Code: code, Field: field})
	}
	typeName := TypeNames[app.Type]

	if f.hh != nil {
		st := f.hh.Status
		add("household_open", "档案状态", st.Open(), apperr.Conflict, "household_id",
			fmt.Sprintf("困难职工档案 %s 状态为「%s」", f.hh.FileNo, household.StatusNames[st]))
	}
	if app.Type == Living {
		filed := f.hh != nil && f.hh.Filed()
		switch {
		case filed:
			add("living_filed", "生活救助限已建档困难职工", true, apperr.Conflict, "household_id", "档案已建档")
		case app.Green && f.hh != nil && f.hh.SuggestedCategory != household.Ineligible:
			add("living_filed", "生活救助限已建档困难职工", true, apperr.Conflict, "household_id",
				fmt.Sprintf("绿色通道：档案尚未建档，按所填数据测算为「%s」（%s），可先行救助、同步建档",
					household.CategoryNames[f.hh.SuggestedCategory], f.hh.CategoryBasis))
		default:
			msg := "生活救助仅限已建档的困难职工家庭，该档案尚未建档"
			if app.Green && f.hh != nil {
				msg = fmt.Sprintf("该档案尚未建档，且按所填数据测算为「不符合条件」（%s），不能走绿色通道先行救助", f.hh.CategoryBasis)
			}
			add("living_filed", "生活救助限已建档困难职工", false, apperr.Conflict, "household_id", msg)
		}
		f.capCheck(add, "living_cap", typeName, p.LivingCapYearFen, f.paid.SameTypeFen)
	}
	if app.Type == Medical {
		// SPEC §9.2: a cap refusal is a conflict, with the numbers.
		add("medical_out_of_pocket", "不超过自付医疗费用", app.AmountFen <= app.OutOfPocketFen, apperr.Conflict, "amount_fen",
			fmt.Sprintf("申请 %s，票据载明自付费用 %s", yuan(app.AmountFen), yuan(app.OutOfPocketFen)))
		f.capCheck(add, "medical_cap", typeName, p.MedicalCapYearFen, f.paid.SameTypeFen)
	}
	if app.Type == Education {
		want, label := educationAmount(p, app.SchoolStage, f.hh != nil && f.hh.Filed())
		add("education_amount", "助学金额按政策标准", want > 0 && app.AmountFen == want, apperr.Validation, "amount_fen",
			educationMessage(want, label, app.AmountFen))
		add("education_once", "每名学生每学年一次", f.liveTwins == 0, apperr.Conflict, "student_member_id",
			onceMessage(f.liveTwins, "该学生 "+app.SchoolYear+" 学年"))
	}
	if app.Type == Warmth {
		add("warmth_amount", "送温暖金额", app.AmountFen <= p.WarmthAmountFen, apperr.Validation, "amount_fen",
			fmt.Sprintf("申请 %s，标准 %s", yuan(app.AmountFen), yuan(p.WarmthAmountFen)))
		add("warmth_once", "每户每年一次", f.liveTwins == 0, apperr.Conflict, "household_id",
			onceMessage(f.liveTwins, fmt.Sprintf("%d 年度", app.AidYear)))
	}
	f.capCheck(add, "household_cap", "各类现金救助合计", p.HouseholdCapYearFen, f.paid.AllTypesFen)

	if app.Green {
		add("green_max", "绿色通道单笔上限", app.AmountFen <= p.GreenMaxAmountFen, apperr.Conflict, "amount_fen",
			fmt.Sprintf("申请 %s，绿色通道单笔上限 %s", yuan(app.AmountFen), yuan(p.GreenMaxAmountFen)))
		if app.GreenReason == "pandemic" {
			industry := ""
			if f.hh != nil {
				industry = f.hh.Industry
			}
			ok := slices.Contains(household.PandemicIndustries, industry)
			add("green_reason", "绿色通道事由", ok, apperr.Validation, "green_reason",
				fmt.Sprintf("受疫情影响行业限餐饮、住宿、零售，该职工所在行业：%s", household.IndustryName(industry)))
		}
		if stage == AtApproval {
			add("green_quota", "绿色通道月度限额", f.greenUsed < p.GreenMonthlyQuota, apperr.Conflict, "",
				fmt.Sprintf("%s本月已批准绿色通道 %d 件，月度限额 %d 件", f.quotaOrg, f.greenUsed, p.GreenMonthlyQuota))
		}
	}
	if f.hh != nil {
		need := RequiredDocs[app.Type]
		name := "申请材料齐全"
		if app.Green {
			need, name = GreenDocs, "绿色通道：身份证明和签字承诺书"
		}
		missing := missingKinds(need, f.docs)
		msg := "材料齐全"
		if len(missing) > 0 {
			msg = "缺少材料：" + strings.Join(docNames(missing), "、") + "（请在档案中上传）"
		}
		add("documents", name, len(missing) == 0, apperr.Validation, "documents", msg)
	}
	return cs
}

// capCheck adds the check of a yearly cap: what was committed before, plus this amount, within the cap.
func (f *facts) capCheck(add func(rule, name string, ok bool, code apperr.Code, field, msg string), rule, what string, capFen, usedFen money.Fen) {
	amount := f.app.AmountFen
	ok := usedFen+amount <= capFen
	verdict := "未超出"
	if !ok {
		verdict = "超出"
	}
	add(rule, fmt.Sprintf("%s年度上限", what), ok, apperr.Conflict, "amount_fen",
		fmt.Sprintf("本年度%s已发放 %s，上限 %s，本次 %s %s", what, yuan(usedFen), yuan(capFen), yuan(amount), verdict))
}

func onceMessage(n int, period string) string {
	if n == 0 {
		return period + "尚无其他有效申请"
	}
	return fmt.Sprintf("%s已有 %d 件有效申请，不能重复申请", period, n)
}

// EducationStages are the school stages 金秋助学 covers (SPEC §4.1): the UI offers their students.
var EducationStages = []string{"senior_high", "vocational", "higher_ed"}

// educationAmount is the policy amount for a student at stage (SPEC §2: education_amounts), with its label;
// 0 for a stage the programme does not cover.
func educationAmount(p policy.Params, stage string, filed bool) (money.Fen, string) {
	filedName := "未建档"
	if filed {
		filedName = "已建档"
	}
	switch stage {
	case "higher_ed":
		if filed {
			return p.EducationHigherFiledFen, "高等教育·" + filedName
		}
		return p.EducationHigherUnfiledFen, "高等教育·" + filedName
	case "senior_high", "vocational":
		if filed {
			return p.EducationSeniorFiledFen, "高中阶段·" + filedName
		}
		return p.EducationSeniorUnfiledFen, "高中阶段·" + filedName
	}
	return 0, ""
}

func educationMessage(want money.Fen, label string, got money.Fen) string {
	if want == 0 {
		return "金秋助学面向高中阶段（含中职）和高等教育在读学生"
	}
	return fmt.Sprintf("政策标准 %s（%s），申请 %s", yuan(want), label, yuan(got))
}

func missingKinds(need []string, have map[string]bool) []string {
	out := []string{}
	for _, k := range need {
		if !have[k] {
			out = append(out, k)
		}
	}
	return out
}

func docNames(kinds []string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = household.DocumentKinds[k]
	}
	return out
}

// refusal turns the first failed check into the error the caller gets; nil when all pass.
func refusal(cs []Check) error {
	for _, c := range cs {
		if c.OK {
			continue
		}
		e := &apperr.Error{Code: c.Code, Message: c.Name + "：" + c.Message}
		if c.Field != "" {
			e.Fields = map[string]string{c.Field: c.Message}
		}
		return e
	}
	return nil
}

// schoolYear is the school year a date falls in: from September 1 ("2026-2027").
func schoolYear(now time.Time) string {
	t := now.In(clock.China)
	y := t.Year()
	if t.Month() < time.September {
		y--
	}
	return fmt.Sprintf("%d-%d", y, y+1)
}
