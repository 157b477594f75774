package audit

// EntityTypeNames are the Chinese names of the kinds of record an event is about (Entry.EntityType), for the
// audit page's filter and rows; EntityTypes lists them in the order the filter offers them.
// TestVocabulary_NamesEveryAuditEntityType in web fails on a type written somewhere and not named here.
var (
	EntityTypes = []string{"session", "user", "org", "policy", "household", "application", "fund_transfer",
		"fund_account", "referral", "campaign", "campaign_purchase", "campaign_delivery", "campaign_enrolment",
		"holiday", "import", "export", "audit_checkpoint", "report", "demo"}
	EntityTypeNames = map[string]string{
		"session": "登录会话", "user": "用户", "org": "组织", "policy": "政策参数", "household": "困难职工档案",
		"application": "救助申请", "fund_transfer": "经费转账", "fund_account": "经费账户", "referral": "转介",
		"campaign": "帮扶活动", "campaign_purchase": "采购", "campaign_delivery": "配送", "campaign_enrolment": "体检报名",
		"holiday": "节假日", "import": "导入", "export": "导出", "audit_checkpoint": "审计检查点", "report": "报表",
		"demo": "演示数据",
	}
)
