package household

import (
	"fmt"
	"math"
	"strings"

	"bangfu/internal/money"
	"bangfu/internal/policy"
)

// Assessment is the category the numbers suggest (SPEC §3.2), with its arithmetic in words and the policy
// version it used.
type Assessment struct {
	Suggested    Category
	PerCapitaFen money.Fen
	Basis        string
	PolicyID     int64
}

// IncomeFen is the household's income over the last 12 months, all kinds together.
func (f *Fields) IncomeFen() money.Fen {
	return f.IncomeWagesFen + f.IncomeBusinessFen + f.IncomePropertyFen + f.IncomeTransferFen
}

// ExpenseFen is the household's unavoidable expenditure (刚性支出) over the same 12 months.
func (f *Fields) ExpenseFen() money.Fen {
	return f.ExpenseMedicalFen + f.ExpenseDisabilityFen + f.ExpenseSchoolingFen + f.ExpenseHousingFen
}

// exclusions names the exclusion answers that are yes.
func (f *Fields) exclusions() []string {
	var out []string
	for _, e := range []struct {
		yes  bool
		name string
	}{
		{f.ExclCar, "家庭拥有机动车"}, {f.ExclHomes, "拥有两套及以上住房"}, {f.ExclShareholder, "为企业控股股东"},
		{f.ExclChildAbroad, "子女自费出国留学"}, {f.ExclRefusedChecks, "拒绝配合经济状况核查"},
	} {
		if e.yes {
			out = append(out, e.name)
		}
	}
	return out
}

// Assess computes the suggested category of SPEC §3.2 for a household of persons people:
// per-capita monthly income = (12-month income − unavoidable expenditure) / persons / 12, compared with
// 低保 (deep) and relative_multiplier × 低保 (relative); failing both, out-of-pocket medical cost above
// accident_expense_ratio × income makes it accident; any exclusion makes it ineligible.
func Assess(f Fields, persons int, p policy.Policy) Assessment {
	if persons < 1 {
		persons = 1
	}
	income, expense := f.IncomeFen(), f.ExpenseFen()
	perCapita := money.Fen(floorDiv(int64(income-expense), int64(persons)*12))
	dibao := p.Params.DibaoMonthlyFen
	relative := money.Fen(math.Round(p.Params.RelativeMultiplier * float64(dibao)))
	a := Assessment{PerCapitaFen: perCapita, PolicyID: p.ID}
	pc := "人均月收入 " + perCapita.String()
	switch {
	case len(f.exclusions()) > 0:
		a.Suggested = Ineligible
		a.Basis = "存在排除情形（" + strings.Join(f.exclusions(), "、") + "）→ " + CategoryNames[Ineligible]
	case perCapita < dibao:
		a.Suggested = Deep
		a.Basis = fmt.Sprintf("%s < 低保 %s → %s", pc, dibao, CategoryNames[Deep])
	case perCapita < relative:
		a.Suggested = Relative
		a.Basis = fmt.Sprintf("%s < %g × 低保 %s → %s", pc, p.Params.RelativeMultiplier, relative, CategoryNames[Relative])
	case float64(f.ExpenseMedicalFen) > p.Params.AccidentExpenseRatio*float64(income):
		a.Suggested = Accident
		a.Basis = fmt.Sprintf("%s ≥ %g × 低保 %s；自付医疗支出 %s > %g × 家庭年收入 %s → %s", pc,
			p.Params.RelativeMultiplier, relative, f.ExpenseMedicalFen, p.Params.AccidentExpenseRatio,
			income, CategoryNames[Accident])
	default:
		a.Suggested = Ineligible
		a.Basis = fmt.Sprintf("%s ≥ %g × 低保 %s，自付医疗支出 %s ≤ %g × 家庭年收入 %s → %s", pc,
			p.Params.RelativeMultiplier, relative, f.ExpenseMedicalFen, p.Params.AccidentExpenseRatio,
			income, CategoryNames[Ineligible])
	}
	return a
}

// floorDiv divides rounding toward minus infinity, so that a deficit stays below zero after division.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
