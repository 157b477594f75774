package validate

import (
	"strings"

	"bangfu/internal/apperr"
)

// MaxSearchRunes is the longest search term (q) a list accepts: a name, an ID number, a phone, a file or
// voucher number all fit, and a longer term only makes SQLite's LIKE work harder (a 50,000-character one
// fails as "pattern too complex").
const MaxSearchRunes = 40

// SearchTerm is the one rule for every list's q parameter (SPEC §9.2): at most MaxSearchRunes characters
// once trimmed, and no control characters.
func SearchTerm(q string) error {
	t := strings.TrimSpace(q)
	if len(t) > 4*MaxSearchRunes || len([]rune(t)) > MaxSearchRunes {
		return apperr.Invalid("q", "搜索词不能超过 40 个字")
	}
	if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return apperr.Invalid("q", "搜索词不能包含控制字符")
	}
	return nil
}
