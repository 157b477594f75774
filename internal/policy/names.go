package policy

// ParamSpec describes one parameter of Params for the policy page: its JSON key, Chinese name, how it is
// entered (money: fen in JSON, yuan on screen; ratio: a decimal number; int: a whole number with Unit), the
// group it is shown under and, where the rule needs saying, a hint.
type ParamSpec struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
	Unit  string `json:"unit,omitempty"`
	Group string `json:"group"`
	Hint  string `json:"hint,omitempty"`
}

// ParamSpecs lists every parameter of Params in display order (SPEC §2); TestParamSpecs_NameEveryParameter
// fails on a field of Params without one.
var ParamSpecs = []ParamSpec{
	{Key: "dibao_monthly_fen", Label: "低保标准（每人每月）", Kind: "money", Group: "认定标准"},
	{Key: "relative_multiplier", Label: "相对困难倍数", Kind: "ratio", Unit: "倍", Group: "认定标准", Hint: "家庭人均月收入低于低保标准的此倍数，认定为相对困难。"},
	{Key: "accident_expense_ratio", Label: "意外致困支出比例", Kind: "ratio", Unit: "倍", Group: "认定标准", Hint: "当年自付医疗、意外支出超过家庭收入的此倍数，认定为意外致困。"},
	{Key: "living_cap_year_fen", Label: "生活救助年度上限（每户）", Kind: "money", Group: "救助标准"},
	{Key: "medical_cap_year_fen", Label: "大病/医疗救助年度上限（每户）", Kind: "money", Group: "救助标准"},
	{Key: "education_higher_filed_fen", Label: "金秋助学·高等教育（建档户）", Kind: "money", Group: "救助标准"},
	{Key: "education_higher_unfiled_fen", Label: "金秋助学·高等教育（非建档户）", Kind: "money", Group: "救助标准"},
	{Key: "education_senior_filed_fen", Label: "金秋助学·高中（建档户）", Kind: "money", Group: "救助标准"},
	{Key: "education_senior_unfiled_fen", Label: "金秋助学·高中（非建档户）", Kind: "money", Group: "救助标准"},
	{Key: "warmth_amount_fen", Label: "送温暖金额（每户每年）", Kind: "money", Group: "救助标准"},
	{Key: "household_cap_year_fen", Label: "每户年度现金救助总额上限", Kind: "money", Group: "救助标准"},
	{Key: "second_approval_above_fen", Label: "两级审批起点金额", Kind: "money", Group: "审批规则", Hint: "申请金额超过此数，须两名审批人先后批准。"},
	{Key: "publicity_days", Label: "公示期", Kind: "int", Unit: "个工作日", Group: "审批规则"},
	{Key: "green_max_amount_fen", Label: "绿色通道单笔上限", Kind: "money", Group: "绿色通道"},
	{Key: "green_sla_hours", Label: "绿色通道审批时限", Kind: "int", Unit: "小时", Group: "绿色通道"},
	{Key: "green_docs_days", Label: "绿色通道补交材料期限", Kind: "int", Unit: "天", Group: "绿色通道"},
	{Key: "green_monthly_quota", Label: "绿色通道每月审批名额", Kind: "int", Unit: "件", Group: "绿色通道", Hint: "每个组织辖区每月可批准的绿色通道申请数。"},
}
