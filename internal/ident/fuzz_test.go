package ident

import (
	"errors"
	"testing"

	"bangfu/internal/apperr"
)

func FuzzParseResidentID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "31011519880615149X", "110101199003071233", "110101199003071234",
		"110101202302300010", "110101202506160013", "990101199003071237", "11010118991231001X",
		"", "110105491231002", "1101051949123100２X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseResidentID(s, today)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Validation || ae.Message == "" {
				t.Fatalf("ParseResidentID(%q) error %#v is not a validation error with a message", s, err)
			}
			return
		}
		if len(id.Number) != 18 || id.Region != id.Number[:6] {
			t.Fatalf("ParseResidentID(%q) = %+v: bad number or region", s, id)
		}
		again, err := ParseResidentID(id.Number, today)
		if err != nil || again != id {
			t.Fatalf("re-parsing %q gave %+v, %v; want %+v", id.Number, again, err, id)
		}
		if want := mod11_2(id.Number[:17]); id.Number[17] != want {
			t.Fatalf("ParseResidentID(%q) accepted check digit %c, want %c", s, id.Number[17], want)
		}
		if id.Birth.Before(earliestBirth) || id.Birth.After(today) {
			t.Fatalf("ParseResidentID(%q) accepted birth date %s", s, id.Birth)
		}
	})
}

// mod11_2 recomputes the ISO 7064 MOD 11-2 check character from the weights printed in GB 11643-1999,
// independently of checkDigit.
func mod11_2(digits string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}
