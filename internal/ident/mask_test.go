package ident

import "testing"

func TestMask(t *testing.T) {
	tests := []struct {
		name string
		mask func(string) string
		in   string
		want string
	}{
		{"MaskID", MaskID, "110101199003071234", "110101********1234"},
		{"MaskID", MaskID, "11010519491231002X", "110105********002X"},
		{"MaskID", MaskID, "110105491231002", "110105*****1002"}, // old 15-digit number
		{"MaskID", MaskID, "12345678", "****5678"},
		{"MaskID", MaskID, "12345", "***45"},
		{"MaskID", MaskID, "1234", "**34"},
		{"MaskID", MaskID, "1", "*"},
		{"MaskID", MaskID, "", ""},
		{"MaskID", MaskID, "张三丰李四", "***李四"},
		{"MaskBankCard", MaskBankCard, "6222021234567890123", "622202*********0123"},
		{"MaskBankCard", MaskBankCard, "4111111111111111", "411111******1111"},
		{"MaskBankCard", MaskBankCard, "123456789015", "123456**9015"},
		{"MaskBankCard", MaskBankCard, "12345678", "****5678"},
		{"MaskBankCard", MaskBankCard, "", ""},
		{"MaskPhone", MaskPhone, "13812345678", "138****5678"},
		{"MaskPhone", MaskPhone, "+8613812345678", "+86*******5678"},
		{"MaskPhone", MaskPhone, "1381234", "****234"},
		{"MaskPhone", MaskPhone, "", ""},
		{"MaskName", MaskName, "张三丰", "张*丰"},
		{"MaskName", MaskName, "张三", "张*"},
		{"MaskName", MaskName, "欧阳娜娜", "欧**娜"},
		{"MaskName", MaskName, "买买提·艾力", "买****力"},
		{"MaskName", MaskName, "张", "张"},
		{"MaskName", MaskName, "Li Lei", "L****i"},
		{"MaskName", MaskName, "", ""},
	}
	for _, tt := range tests {
		if got := tt.mask(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestMask_KeepsTheLengthInCharacters(t *testing.T) {
	for _, s := range []string{"", "1", "12", "张三", "1234567890123456789012", "\xff\xfe", "身份证号码一二三四五六七八九十"} {
		for name, mask := range map[string]func(string) string{
			"MaskID": MaskID, "MaskBankCard": MaskBankCard, "MaskPhone": MaskPhone, "MaskName": MaskName,
		} {
			if got := []rune(mask(s)); len(got) != len([]rune(s)) {
				t.Errorf("%s(%q) = %q: %d characters, want %d", name, s, string(got), len(got), len([]rune(s)))
			}
		}
	}
}
