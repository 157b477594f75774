// Package money keeps yuan in one place: amounts are fen everywhere else (SPEC §9.2), as money.Fen when they
// are money; only text meant for people or spreadsheets turns them into yuan ("¥1,234.50", "1234.50"), and
// only ParseYuan reads yuan as people type them.
package money

import (
	"math"
	"strconv"
	"strings"
)

// Fen is an amount of renminbi in fen (分), the unit every amount is stored and sent in. Its JSON and its
// database value are the plain integer.
type Fen int64

// Yuan is y whole yuan in fen.
func Yuan(y int64) Fen { return Fen(y * 100) }

// String renders f as yuan with a thousands separator: 123450 → "¥1,234.50", -5 → "-¥0.05".
func (f Fen) String() string {
	sign, yuan, cents := f.parts()
	var b strings.Builder
	for i, c := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + "¥" + b.String() + "." + cents
}

// Decimal renders f as a plain yuan number for files other programs read: 123450 → "1234.50", -5 → "-0.05".
func (f Fen) Decimal() string {
	sign, yuan, cents := f.parts()
	return sign + yuan + "." + cents
}

// Float is f in yuan as a number, for spreadsheet cells; exact for every amount below 2^53 fen.
func (f Fen) Float() float64 { return float64(f) / 100 }

func (f Fen) parts() (sign, yuan, cents string) {
	n := int64(f)
	u := uint64(n)
	if n < 0 {
		sign, u = "-", uint64(-n) // for MinInt64 the wrap-around yields the right magnitude
	}
	c := u % 100
	return sign, strconv.FormatUint(u/100, 10), string(rune('0'+c/10)) + string(rune('0'+c%10))
}

// MaxParsed is the largest amount ParseYuan accepts: 1亿 yuan, above any amount a person types into bangfu.
const MaxParsed = Fen(100_000_000_00)

// ParseYuan reads an amount in yuan as people type it ("1500", "1,500.50", "¥1500", "￥1500", "1500元") into
// fen, rounded to the nearest fen. It refuses text that is no number, a negative amount and one above
// MaxParsed.
func ParseYuan(s string) (Fen, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "¥"), "￥"), "元")
	s = strings.ReplaceAll(s, ",", "")
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > MaxParsed.Float() {
		return 0, false
	}
	return Fen(math.Round(v * 100)), true
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
