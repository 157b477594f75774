package relief

// The coded fields of an application and its actions that have no table of their own, in display order
// with their Chinese names (SPEC §4). The validate tags of the inputs accept exactly these codes;
// TestVocabulary_NamesEveryCodeAFieldAccepts in web holds them to it.
var (
	// GreenReasons are why a case may take the green channel (SPEC §4.3).
	GreenReasons     = []string{"pandemic", "accident", "critical_illness"}
	GreenReasonNames = map[string]string{"pandemic": "受疫情影响行业（餐饮、住宿、零售）", "accident": "突发意外或灾害",
		"critical_illness": "重大疾病"}

	// ReceiptKinds are what proves a payment was received (confirm-receipt).
	ReceiptKinds     = []string{"signature", "bank_receipt"}
	ReceiptKindNames = map[string]string{"signature": "签字领取记录", "bank_receipt": "银行回单"}

	// ReviewOutcomes are the retrospective review's conclusions of a green-channel case (SPEC §4.3).
	ReviewOutcomes     = []string{"confirmed", "flagged"}
	ReviewOutcomeNames = map[string]string{"confirmed": "确认无误", "flagged": "存疑标记"}
)
