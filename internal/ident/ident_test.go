package ident

import (
	"errors"
	"testing"
	"time"

	"bangfu/internal/apperr"
)

// today is the fixed clock of these tests.
var today = time.Date(2025, 6, 15, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))

// The check digits below were computed independently of checkDigit (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2).
func TestParseResidentID_AcceptsValidNumbers(t *testing.T) {
	tests := []struct {
		in, number string
		birth      string
		gender     Gender
	}{
		{"11010519491231002X", "11010519491231002X", "1949-12-31", Female}, // the example of GB 11643-1999
		{"11010519491231002x", "11010519491231002X", "1949-12-31", Female}, // lowercase x is normalised
		{"31011519880615149X", "31011519880615149X", "1988-06-15", Male},   // X and male
		{"110101199003071233", "110101199003071233", "1990-03-07", Male},
		{"440304198511083312", "440304198511083312", "1985-11-08", Male},
		{"650102200002290044", "650102200002290044", "2000-02-29", Female}, // leap day
		{"810000199912310012", "810000199912310012", "1999-12-31", Male},   // Hong Kong
		{"46000319000101002X", "46000319000101002X", "1900-01-01", Female}, // earliest accepted
		{"110101202506150026", "110101202506150026", "2025-06-15", Female}, // born today
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseResidentID(tt.in, today)
			if err != nil {
				t.Fatalf("ParseResidentID(%q) = %v", tt.in, err)
			}
			if got.Number != tt.number || got.Region != tt.number[:6] || got.Gender != tt.gender ||
				got.Birth.Format(time.DateOnly) != tt.birth || got.Birth.Location() != time.UTC {
				t.Errorf("ParseResidentID(%q) = %+v, want number %s birth %s gender %s",
					tt.in, got, tt.number, tt.birth, tt.gender)
			}
		})
	}
}

func TestParseResidentID_RefusesWithTheReason(t *testing.T) {
	tests := []struct {
		name, in, message string
	}{
		{"empty", "", "身份证号应为18位"},
		{"17 digits", "11010519491231002", "身份证号应为18位"},
		{"19 characters", "11010519491231002X1", "身份证号应为18位"},
		{"old 15-digit number", "110105491231002", "身份证号应为18位"},
		{"18 runes but not 18 bytes", "1101051949123100２X", "身份证号应为18位"},
		{"letter inside", "11010519491231A02X", "身份证号前17位应为数字"},
		{"space inside", "110105 9491231002X", "身份证号前17位应为数字"},
		{"X not last", "X10105194912310021", "身份证号前17位应为数字"},
		{"bad last character", "11010519491231002Y", "身份证号最后一位应为数字或X"},
		{"bad check digit", "110105194912310021", "身份证号校验位错误"},
		{"bad check digit, X expected digit", "110101199003071234", "身份证号校验位错误"},
		{"transposed digits", "110105194921310021", "身份证号中的出生日期无效"},
		{"province 99", "990101199003071237", "身份证号地区码无效"},
		{"province 00", "000101199003071237", "身份证号地区码无效"},
		{"province 16", "160101199003071237", "身份证号地区码无效"},
		{"Feb 30", "110101202302300010", "身份证号中的出生日期无效"},
		{"Feb 29 not a leap year", "110101190002290010", "身份证号中的出生日期无效"},
		{"month 13", "110101199013071233", "身份证号中的出生日期无效"},
		{"month 00", "110101199000071233", "身份证号中的出生日期无效"},
		{"day 00", "110101199003001233", "身份证号中的出生日期无效"},
		{"day 32", "110101199001321233", "身份证号中的出生日期无效"},
		{"born tomorrow", "110101202506160013", "身份证号中的出生日期晚于今天"},
		{"born before 1900", "11010118991231001X", "身份证号中的出生日期早于1900年"},
		{"GB example of 1880", "440524188001010014", "身份证号中的出生日期早于1900年"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResidentID(tt.in, today)
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("ParseResidentID(%q) = %+v, %v; want *apperr.Error", tt.in, got, err)
			}
			if ae.Code != apperr.Validation || ae.Message != tt.message {
				t.Errorf("ParseResidentID(%q) error = %q %q, want validation %q", tt.in, ae.Code, ae.Message, tt.message)
			}
			if got != (ResidentID{}) {
				t.Errorf("ParseResidentID(%q) returned %+v with an error", tt.in, got)
			}
		})
	}
}

func TestParseResidentID_UsesTheCalendarDateOfToday(t *testing.T) {
	// 2025-06-15 00:30 in Beijing is still 2025-06-14 in UTC: the person born on the 15th is born today.
	beijing := time.Date(2025, 6, 15, 0, 30, 0, 0, time.FixedZone("CST", 8*3600))
	if _, err := ParseResidentID("110101202506150026", beijing); err != nil {
		t.Errorf("born on the local today: %v", err)
	}
}

func TestValidMobile(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"13812345678", true},
		{"19912345678", true},
		{"16600000000", true},
		{"12812345678", false}, // second digit 2
		{"10812345678", false},
		{"23812345678", false},
		{"1381234567", false},   // 10 digits
		{"138123456789", false}, // 12 digits
		{"1381234567a", false},
		{"138 1234 5678", false},
		{"+8613812345678", false},
		{"１３８１２３４５６７８", false}, // full-width digits
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidMobile(tt.in); got != tt.want {
			t.Errorf("ValidMobile(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidBankCard(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"6222021234567890128", true}, // 19 digits
		{"6228480040000000006", true},
		{"621226020000000009", true}, // 18 digits
		{"4111111111111111", true},   // 16 digits
		{"622588012345676", true},    // 15 digits
		{"123456789015", true},       // 12 digits
		{"6222021234567890123", false},
		{"4111111111111112", false},
		{"4111111111111121", false}, // transposed digits
		{"79927398713", false},      // passes Luhn but only 11 digits
		{"62220212345678901280", false},
		{"6222 0212 3456 7890 128", false},
		{"622202123456789012X", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidBankCard(tt.in); got != tt.want {
			t.Errorf("ValidBankCard(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
