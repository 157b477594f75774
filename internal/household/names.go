package household

// The coded fields of a household and its members that have no table of their own, in display order with
// their Chinese names (SPEC §3.1). The validate tags of Fields and Member accept exactly these codes;
// TestVocabulary_NamesEveryCodeAFieldAccepts in web holds them to it.
var (
	Genders     = []string{"male", "female"}
	GenderNames = map[string]string{"male": "男", "female": "女"}

	RelationNames = map[string]string{"spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姐妹",
		"grandchild": "孙辈", "grandparent": "祖父母", "other": "其他"}
	SchoolStageNames = map[string]string{"none": "无", "primary": "小学", "junior_high": "初中", "senior_high": "高中",
		"vocational": "中职", "higher_ed": "高等教育"}

	// EmploymentStatuses are a member's; a head of household is one of the first five (of working age).
	EmploymentStatuses    = []string{"employed", "flexible", "unemployed", "laid_off", "retired", "student", "preschool", "none"}
	EmploymentStatusNames = map[string]string{"employed": "在岗", "flexible": "灵活就业", "unemployed": "失业", "laid_off": "下岗",
		"retired": "退休", "student": "在校", "preschool": "学龄前", "none": "无"}

	HealthStates     = []string{"healthy", "chronic", "serious"}
	HealthStateNames = map[string]string{"healthy": "健康", "chronic": "慢性病", "serious": "重病"}

	Disabilities    = []string{"none", "mild", "severe"}
	DisabilityNames = map[string]string{"none": "无", "mild": "轻度残疾", "severe": "重度残疾"}

	// ReviewDecisions are the conclusions of the annual review (SPEC §3.3), the review step's decision.
	ReviewDecisions     = []string{"confirm", "recategorize", "exit"}
	ReviewDecisionNames = map[string]string{"confirm": "确认维持", "recategorize": "改定类别", "exit": "撤档"}
)
