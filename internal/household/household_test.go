package household

import (
	"strings"
	"testing"

	"bangfu/internal/policy"
)

func TestAssess_SuggestsEachCategoryWithItsArithmetic(t *testing.T) {
	p := policy.Policy{ID: 7, Params: policy.Params{DibaoMonthlyFen: 90000, RelativeMultiplier: 2, AccidentExpenseRatio: 0.8}}
	cases := []struct {
		name    string
		f       Fields
		persons int
		want    Category
		basis   string
	}{
		{"deep", Fields{IncomeWagesFen: 2205000}, 3, Deep, "人均月收入 ¥612.50 < 低保 ¥900.00 → 深度困难"},
		{"relative", Fields{IncomeWagesFen: 4320000}, 3, Relative, "人均月收入 ¥1,200.00 < 2 × 低保 ¥1,800.00 → 相对困难"},
		{"expenditure counts", Fields{IncomeWagesFen: 8000000, ExpenseHousingFen: 4000000}, 3, Relative, "¥1,111.11"},
		{"accident", Fields{IncomeWagesFen: 50000000, ExpenseMedicalFen: 45000000}, 1, Accident, "→ 意外致困"},
		{"ineligible", Fields{IncomeWagesFen: 10000000}, 1, Ineligible, "→ 不符合条件"},
		{"exclusion", Fields{IncomeWagesFen: 0, ExclCar: true}, 2, Ineligible, "家庭拥有机动车"},
		{"deficit", Fields{ExpenseMedicalFen: 100}, 1, Deep, "-¥0.09"},
	}
	for _, c := range cases {
		a := Assess(c.f, c.persons, p)
		if a.Suggested != c.want || !strings.Contains(a.Basis, c.basis) || a.PolicyID != 7 {
			t.Errorf("%s: %s %q", c.name, a.Suggested, a.Basis)
		}
	}
}

func TestAddWorkingDays_SkipsWeekendsAndHolidays(t *testing.T) {
	cases := []struct {
		start    string
		n        int
		holidays map[string]bool
		want     string
	}{
		{"2026-03-10", 5, nil, "2026-03-16"},
		{"2026-03-14", 1, nil, "2026-03-16"}, // a Saturday start counts from Monday
		{"2026-03-10", 5, map[string]bool{"2026-03-12": true}, "2026-03-17"},
		{"2026-04-30", 5, map[string]bool{"2026-05-01": true, "2026-05-04": true, "2026-05-05": true}, "2026-05-11"},
	}
	for _, c := range cases {
		got, err := AddWorkingDays(c.start, c.n, c.holidays)
		if err != nil || got != c.want {
			t.Errorf("%s + %d: %s %v, want %s", c.start, c.n, got, err, c.want)
		}
	}
}
