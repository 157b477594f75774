package household

import (
	"fmt"
	"strings"
	"time"

	"bangfu/internal/apperr"
	"bangfu/internal/ident"
	"bangfu/internal/validate"
)

// tags checks the struct tags of inputs that did not come through the web layer's validator (demo data,
// imports, other areas); it never sees the clock because every date rule is checked in check below.
var tags = validate.New(time.Now)

// keepMasked lets an edit form send back the masked numbers it was shown: a value equal to the mask of the
// stored one keeps the stored one. Anything else is taken as typed and checked.
func keepMasked(typed, stored string, mask func(string) string) string {
	if stored != "" && strings.Contains(typed, "*") && typed == mask(stored) {
		return stored
	}
	return typed
}

// resolve replaces masked values in an update with the stored numbers of old.
func (in *Input) resolve(old *Household) error {
	in.IDNumber = keepMasked(in.IDNumber, old.IDNumber, ident.MaskID)
	in.Phone = keepMasked(in.Phone, old.Phone, ident.MaskPhone)
	in.BankCard = keepMasked(in.BankCard, old.BankCard, ident.MaskBankCard)
	byID := map[int64]Member{}
	for _, m := range old.Members {
		byID[m.ID] = m
	}
	for i := range in.Members {
		m := &in.Members[i]
		if m.ID == 0 {
			continue
		}
		stored, ok := byID[m.ID]
		if !ok {
			return apperr.Invalid(fmt.Sprintf("members[%d].id", i), "家庭成员不属于本档案")
		}
		m.IDNumber = keepMasked(m.IDNumber, stored.IDNumber, ident.MaskID)
	}
	return nil
}

// check normalises in and applies the rules of SPEC §3.1 that struct tags cannot express: ID numbers by
// GB 11643 with birth date and gender derived and compared with what was typed, mobile and bank card checks,
// at most one spouse, no ID number twice in one household, causes without repeats. Errors name JSON paths.
func (in *Input) check(today time.Time) error {
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, s := range []*string{&in.Name, &in.IDNumber, &in.Phone, &in.BankCard, &in.Employer, &in.Address, &in.Note, &in.BirthDate} {
		trim(s)
	}
	in.IDNumber = strings.ToUpper(in.IDNumber)
	for i := range in.Members {
		m := &in.Members[i]
		trim(&m.Name)
		trim(&m.IDNumber)
		m.IDNumber = strings.ToUpper(m.IDNumber)
		m.Seq = i + 1
	}
	if err := tags.Struct(in); err != nil {
		return err
	}
	bad := map[string]string{}
	if id, err := ident.ParseResidentID(in.IDNumber, today); err != nil {
		bad["id_number"] = apperr.From(err).Message
	} else {
		if string(id.Gender) != in.Gender {
			bad["gender"] = "与身份证号不符（身份证号显示为" + genderName(string(id.Gender)) + "）"
		}
		if birth := id.Birth.Format("2006-01-02"); in.BirthDate != birth {
			bad["birth_date"] = "与身份证号不符（身份证号中的出生日期为 " + birth + "）"
		}
	}
	if !ident.ValidMobile(in.Phone) {
		bad["phone"] = "手机号格式不正确，应为11位手机号码"
	}
	if in.BankCard == "" {
		bad["bank_card"] = "此项为必填"
	} else if !ident.ValidBankCard(in.BankCard) {
		bad["bank_card"] = "银行卡号校验未通过，请核对卡号"
	}
	seenCause := map[string]bool{in.MainCause: true}
	for i, c := range in.SecondaryCauses {
		if seenCause[c] {
			bad[fmt.Sprintf("secondary_causes[%d]", i)] = "致困原因重复（次要原因不能与主要原因或彼此相同）"
		}
		seenCause[c] = true
	}
	seenID := map[string]string{in.IDNumber: "户主"}
	spouses := 0
	for i := range in.Members {
		m := &in.Members[i]
		p := fmt.Sprintf("members[%d].", i)
		if m.Relation == "spouse" {
			if spouses++; spouses > 1 {
				bad[p+"relation"] = "配偶最多只能有一人"
			}
		}
		id, err := ident.ParseResidentID(m.IDNumber, today)
		if err != nil {
			bad[p+"id_number"] = apperr.From(err).Message
			continue
		}
		if who, dup := seenID[m.IDNumber]; dup {
			bad[p+"id_number"] = "与" + who + "的身份证号重复"
		}
		seenID[m.IDNumber] = fmt.Sprintf("第%d位成员", i+1)
		birth := id.Birth.Format("2006-01-02")
		if m.BirthDate != "" && m.BirthDate != birth {
			bad[p+"birth_date"] = "与身份证号不符（身份证号中的出生日期为 " + birth + "）"
		}
		m.BirthDate, m.Gender = birth, string(id.Gender)
	}
	if len(bad) > 0 {
		return apperr.FieldErrors(bad)
	}
	return nil
}

func genderName(g string) string {
	if g == "male" {
		return "男"
	}
	return "女"
}

// ids lists every ID number of the household: the head's first, then the members' with their JSON paths.
func (in *Input) ids() (numbers, paths []string) {
	numbers, paths = []string{in.IDNumber}, []string{"id_number"}
	for i, m := range in.Members {
		numbers = append(numbers, m.IDNumber)
		paths = append(paths, fmt.Sprintf("members[%d].id_number", i))
	}
	return numbers, paths
}
