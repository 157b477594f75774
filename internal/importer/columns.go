package importer

import (
	"strings"

	"bangfu/internal/household"
)

// key names a column the importer understands, whatever its header says.
type key int

const (
	colName key = iota
	colID
	colGender
	colBirth
	colPhone
	colEmployer
	colUnion
	colRelation
	colHeadID
	colMonthly
	colCause
	colCauses2
	colBank
	colCard
	colAddress
	colIndustry
	colEmployment
	colHealth
	colDisability
	colSchool
	colMigrant
	colMemberSince
	colNote
	numKeys
)

// column is a column of the survey list: its canonical header (the template's), the variants unions write,
// the JSON field of household.Input it fills on a head's row and on a member's row ("" where it fills none).
type column struct {
	key      key
	label    string
	variants []string
	head     string
	member   string
	vocab    map[string]string // Chinese name → code for coded columns
	example  string            // the template's example row (a head)
	required bool              // the template marks it; a file without it is refused
}

// A coded column reads the names the household area gives its codes — the names GET /api/v1/vocabulary
// serves and the household form shows — and the other words unions write for them (aliases). The names, in
// the household area's order, are also the template's drop-down list and what an error message offers.
var (
	genders, genderNames     = coded(household.Genders, household.GenderNames, nil)
	relations, relationNames = coded(household.Relations, household.RelationNames, map[string]string{"妻子": "spouse", "丈夫": "spouse",
		"儿子": "child", "女儿": "child", "子": "child", "女": "child", "父亲": "parent", "母亲": "parent", "兄弟": "sibling",
		"姐妹": "sibling", "孙子": "grandchild", "孙女": "grandchild", "外孙": "grandchild", "外孙女": "grandchild",
		"祖父": "grandparent", "祖母": "grandparent"})
	headWords          = map[string]bool{"": true, "本人": true, "户主": true}
	causes, causeNames = coded(household.Causes, household.CauseNames, map[string]string{"疫情影响": "pandemic", "疾病": "illness",
		"残疾": "disability", "灾害": "disaster", "疫情": "pandemic", "零就业": "zero_employment"})
	industries, industryNames = coded(household.Industries, household.IndustryNames, map[string]string{"制造业": "manufacturing",
		"建筑业": "construction"})
	employment, employmentNames = coded(household.EmploymentStatuses, household.EmploymentStatusNames, nil)
	health, healthNames         = coded(household.HealthStates, household.HealthStateNames, map[string]string{"大病": "serious"})
	disability, disabilityNames = coded(household.Disabilities, household.DisabilityNames, map[string]string{"轻度": "mild", "重度": "severe"})
	stages, stageNames          = coded(household.SchoolStages, household.SchoolStageNames, map[string]string{"大学": "higher_ed", "大专": "higher_ed"})
	yesNo                       = map[string]string{"是": "1", "否": "0"}
)

// coded returns a coded column's name → code map (names and aliases) and its names in order.
func coded(order []string, names, aliases map[string]string) (map[string]string, []string) {
	byName := make(map[string]string, len(order)+len(aliases))
	shown := make([]string, len(order))
	for i, code := range order {
		byName[names[code]], shown[i] = code, names[code]
	}
	for alias, code := range aliases {
		byName[alias] = code
	}
	return byName, shown
}

// columns is every column the importer reads, in the template's order.
var columns = []column{
	{key: colName, label: "姓名", variants: []string{"成员姓名", "职工姓名"}, head: "name", member: "name", example: "张建华", required: true},
	{key: colID, label: "身份证号", variants: []string{"身份证号码", "公民身份号码", "身份证", "证件号码"}, head: "id_number", member: "id_number", example: exampleID, required: true},
	{key: colRelation, label: "与户主关系", variants: []string{"家庭关系", "关系"}, member: "relation", vocab: relations, example: "本人"},
	{key: colHeadID, label: "户主身份证号", variants: []string{"户主身份证号码"}},
	{key: colGender, label: "性别", head: "gender", member: "gender", vocab: genders, example: "男"},
	{key: colBirth, label: "出生日期", head: "birth_date", member: "birth_date"},
	{key: colPhone, label: "联系电话", variants: []string{"手机号", "手机号码", "手机", "联系方式", "电话"}, head: "phone", example: "13812345678"},
	{key: colUnion, label: "所属工会", variants: []string{"工会名称", "基层工会"}, head: "org_id", example: "江南建设工程有限公司工会"},
	{key: colEmployer, label: "工作单位", variants: []string{"单位名称", "所在单位", "单位"}, head: "employer", example: "江南建设工程有限公司"},
	{key: colIndustry, label: "行业", variants: []string{"所属行业"}, head: "industry", vocab: industries, example: "建筑"},
	{key: colEmployment, label: "就业状况", variants: []string{"就业状态"}, head: "employment_status", member: "employment_status", vocab: employment, example: "在岗"},
	{key: colAddress, label: "家庭住址", variants: []string{"住址", "家庭地址", "居住地址", "现住址"}, head: "address", example: "滨江区西兴街道江汉路 1 号", required: true},
	{key: colMonthly, label: "月收入", variants: []string{"个人月收入", "月收入（元）", "月收入(元)"}, member: "monthly_income_fen", example: "1500"},
	{key: colCause, label: "困难原因", variants: []string{"致困原因", "主要困难原因", "主要致困原因"}, head: "main_cause", vocab: causes, example: "因病", required: true},
	{key: colCauses2, label: "次要困难原因", variants: []string{"其他困难原因", "次要致困原因"}, head: "secondary_causes", vocab: causes},
	{key: colHealth, label: "健康状况", variants: []string{"身体状况"}, head: "health", member: "health", vocab: health, example: "慢性病"},
	{key: colDisability, label: "残疾情况", variants: []string{"残疾状况"}, head: "disability", member: "disability", vocab: disability, example: "无"},
	{key: colSchool, label: "就学阶段", variants: []string{"在读阶段", "受教育阶段"}, member: "school_stage", vocab: stages},
	{key: colMigrant, label: "是否农民工", variants: []string{"农民工"}, head: "migrant", vocab: yesNo, example: "否"},
	{key: colMemberSince, label: "入会时间", variants: []string{"入会日期"}, head: "union_member_since"},
	{key: colBank, label: "开户银行", variants: []string{"开户行"}, example: "中国工商银行"},
	{key: colCard, label: "银行卡号", variants: []string{"银行账号", "卡号", "银行卡"}, head: "bank_card", example: "6222020000000000000", required: true},
	{key: colNote, label: "备注", head: "note"},
}

var byHeader = func() map[string]*column {
	m := map[string]*column{}
	for i := range columns {
		c := &columns[i]
		m[normHeader(c.label)] = c
		for _, v := range c.variants {
			m[normHeader(v)] = c
		}
	}
	return m
}()

var byKey = func() map[key]*column {
	m := map[key]*column{}
	for i := range columns {
		m[columns[i].key] = &columns[i]
	}
	return m
}()

// normHeader strips what people add around a header: spaces, the template's required mark, a unit in brackets.
func normHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u3000', '*', '＊', '\r', '\n':
			return -1
		}
		return r
	}, s)
	for _, unit := range []string{"（元）", "(元)", "（元/月）", "(元/月)"} {
		s = strings.TrimSuffix(s, unit)
	}
	return s
}

// fieldLabels turns the JSON paths of household errors and changes into the column a person reads.
var fieldLabels = func() map[string]string {
	m := map[string]string{"income_wages_fen": "月收入（工资性收入）", "income_business_fen": "经营性收入",
		"income_property_fen": "财产性收入", "income_transfer_fen": "转移性收入", "expense_medical_fen": "医疗支出",
		"members": "家庭成员", "suggested_category": "建议类别"}
	for _, c := range columns {
		if c.head != "" {
			m[c.head] = c.label
		}
	}
	return m
}()

// vocabNames lists the Chinese names of a coded column for its drop-down list and its error message:
// the household area's names (a head's row says 本人), without the aliases.
func vocabNames(c *column) []string {
	switch c.key {
	case colGender:
		return genderNames
	case colRelation:
		return append([]string{"本人"}, relationNames...)
	case colCause, colCauses2:
		return causeNames
	case colIndustry:
		return industryNames
	case colEmployment:
		return employmentNames
	case colHealth:
		return healthNames
	case colDisability:
		return disabilityNames
	case colSchool:
		return stageNames
	case colMigrant:
		return []string{"是", "否"}
	}
	return nil
}
