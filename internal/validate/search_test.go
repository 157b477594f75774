package validate_test

import (
	"strings"
	"testing"

	"bangfu/internal/apperr"
	"bangfu/internal/validate"
)

func TestSearchTerm_AcceptsFortyCharactersAndRefusesMore(t *testing.T) {
	for _, ok := range []string{"", "张建华", strings.Repeat("张", 40), "  " + strings.Repeat("a", 40) + "  ", "110101199003071234", `50%_\`} {
		if err := validate.SearchTerm(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{strings.Repeat("张", 41), strings.Repeat("a", 50001), "a\x00b", "x\ny"} {
		err := validate.SearchTerm(bad)
		if apperr.CodeOf(err) != apperr.Validation || apperr.From(err).Fields["q"] == "" {
			t.Errorf("%.20q: %v, want a validation error on q", bad, err)
		}
	}
}
