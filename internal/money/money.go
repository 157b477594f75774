// Package money keeps yuan formatting in one place: amounts are int64 fen everywhere else (SPEC §9.2), and
// only messages meant for people turn them into "¥1,234.50".
package money

import (
	"strconv"
	"strings"
)

// Fen is an amount of renminbi in fen (分), the unit every amount is stored and sent in.
type Fen int64

// String renders f as yuan with a thousands separator: 123450 → "¥1,234.50", -5 → "-¥0.05".
func (f Fen) String() string {
	n := int64(f)
	sign := ""
	if n < 0 {
		sign = "-"
	}
	u := uint64(n)
	if n < 0 {
		u = uint64(-n) // for MinInt64 the wrap-around yields the right magnitude
	}
	yuan := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	for i, c := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	cents := u % 100
	return sign + "¥" + b.String() + "." + string(rune('0'+cents/10)) + string(rune('0'+cents%10))
}

// Format renders an amount in a unit for people: fen as yuan, goods as "30 箱".
func Format(amount int64, unit string) string {
	if unit == CNY {
		return Fen(amount).String()
	}
	return strconv.FormatInt(amount, 10) + " " + unit
}

// CNY is the unit of money accounts; amounts in it are fen.
const CNY = "CNY"
