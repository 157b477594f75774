package importer

import (
	"strings"

	"bangfu/internal/household"
	"bangfu/internal/ident"
	"bangfu/internal/money"
)

// Defaults for a new household's columns that a survey list may not carry; the caseworker corrects them on
// the draft before submitting. Columns the household rules require with no sensible default (address, bank
// card, cause) are required columns of the file instead.
var (
	newHead   = household.Fields{Industry: "other", EmploymentStatus: "employed", Health: "healthy", Disability: "none"}
	newMember = household.Member{Health: "healthy", Disability: "none", EmploymentStatus: "none", SchoolStage: "none"}
)

// input is what a real run would save for f: the stored household (or the defaults) with the file's
// non-blank cells laid over it. ok is false when a cell could not be read; the problems are recorded.
func (p *plan) input(f *family) (household.Input, bool) {
	var in household.Input
	stored := map[string]household.Member{}
	if f.old != nil {
		in.Fields = f.old.Fields
		for _, m := range f.old.Members {
			stored[m.IDNumber] = m
		}
	} else {
		in.Fields = newHead
	}
	in.SecondaryCauses = append(household.CauseList{}, in.SecondaryCauses...)
	h := f.head
	in.OrgID = f.org.ID
	ok := true
	text := func(pe *person, k key, dst *string) {
		if v := pe.cell(k); v != "" {
			*dst = v
		}
	}
	code := func(pe *person, k key, dst *string) {
		v := pe.cell(k)
		if v == "" {
			return
		}
		c, found := lookupCode(byKey[k], v)
		if !found {
			p.refuse(cellProblem(pe, k, "「"+v+"」无法识别，可填："+strings.Join(vocabNames(byKey[k]), "、")), pe, f)
			ok = false
			return
		}
		*dst = c
	}
	text(h, colName, &in.Name)
	in.IDNumber = h.cell(colID)
	code(h, colGender, &in.Gender)
	text(h, colBirth, &in.BirthDate)
	if id, err := ident.ParseResidentID(in.IDNumber, p.today); err == nil {
		if h.cell(colGender) == "" {
			in.Gender = string(id.Gender)
		}
		if h.cell(colBirth) == "" {
			in.BirthDate = id.Birth.Format("2006-01-02")
		}
	}
	text(h, colPhone, &in.Phone)
	text(h, colEmployer, &in.Employer)
	code(h, colIndustry, &in.Industry)
	code(h, colEmployment, &in.EmploymentStatus)
	text(h, colAddress, &in.Address)
	text(h, colCard, &in.BankCard)
	in.BankCard = strings.ReplaceAll(in.BankCard, " ", "")
	code(h, colHealth, &in.Health)
	code(h, colDisability, &in.Disability)
	text(h, colMemberSince, &in.UnionMemberSince)
	var migrant string
	code(h, colMigrant, &migrant)
	if migrant != "" {
		in.Migrant = migrant == "1"
	}
	text(h, colNote, &in.Note)
	if bank := h.cell(colBank); bank != "" && h.cell(colNote) == "" {
		in.Note = "开户银行：" + bank
	}
	// 困难原因: the first is the main cause, the others (and 次要困难原因) the secondary ones.
	var cs []string
	for _, k := range []key{colCause, colCauses2} {
		for _, v := range splitList(h.cell(k)) {
			c, found := lookupCode(byKey[k], v)
			if !found {
				p.refuse(cellProblem(h, k, "「"+v+"」无法识别，可填："+strings.Join(vocabNames(byKey[k]), "、")), h, f)
				ok = false
				continue
			}
			cs = append(cs, c)
		}
	}
	if len(cs) > 0 {
		in.MainCause, in.SecondaryCauses = cs[0], append(household.CauseList{}, cs[1:]...)
	}
	monthly, anyIncome := money.Fen(0), false
	income := func(pe *person) money.Fen {
		v := pe.cell(colMonthly)
		if v == "" {
			return 0
		}
		fen, good := money.ParseYuan(v)
		if !good {
			p.refuse(cellProblem(pe, colMonthly, "「"+v+"」不是有效的金额（元），请填写不小于 0 的数字"), pe, f)
			ok = false
			return 0
		}
		anyIncome = true
		return fen
	}
	monthly += income(h)
	for _, pe := range f.members {
		m, seen := stored[pe.cell(colID)]
		if !seen {
			m = newMember
		}
		m.ID, m.HouseholdID, m.Seq = 0, 0, 0
		text(pe, colName, &m.Name)
		m.IDNumber = pe.cell(colID)
		code(pe, colRelation, &m.Relation)
		text(pe, colBirth, &m.BirthDate)
		code(pe, colEmployment, &m.EmploymentStatus)
		code(pe, colHealth, &m.Health)
		code(pe, colDisability, &m.Disability)
		code(pe, colSchool, &m.SchoolStage)
		if pe.cell(colMonthly) != "" {
			m.MonthlyIncomeFen = income(pe)
		}
		monthly += m.MonthlyIncomeFen
		in.Members = append(in.Members, m)
	}
	// 月收入 of everyone in the household, over 12 months, is its wage income (SPEC §3.2 per-capita income).
	if anyIncome {
		in.IncomeWagesFen = monthly * 12
	}
	return in, ok
}

func lookupCode(c *column, v string) (string, bool) {
	if code, ok := c.vocab[v]; ok {
		return code, true
	}
	for _, code := range c.vocab { // the code itself, as the API spells it
		if code == v {
			return code, true
		}
	}
	return "", false
}

// splitList splits "因病、因学" at the separators people type.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == '/' || r == ' '
	})
}
