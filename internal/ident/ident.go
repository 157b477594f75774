// Package ident owns the identity numbers bangfu stores about people: resident ID numbers (GB 11643-1999),
// mainland mobile numbers and bank card numbers — parsing, checks, and masking them for display.
package ident

import (
	"time"
	"unicode/utf8"

	"bangfu/internal/apperr"
)

// Gender is derived from a resident ID number.
type Gender string

const (
	Male   Gender = "male"
	Female Gender = "female"
)

// ResidentID is a parsed, checked 18-character resident ID number (居民身份证号码).
type ResidentID struct {
	Number string    // 18 characters; a lowercase check digit x is normalised to X
	Region string    // administrative division code: the first 6 digits
	Birth  time.Time // date of birth at 00:00 UTC
	Gender Gender    // from the 17th digit: odd is male
}

// earliestBirth is the oldest birth date accepted: anyone older is a typing error, not a living worker.
var earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// ParseResidentID checks s as a GB 11643-1999 resident ID number: 17 digits and a check digit (0-9 or X),
// a real province-level region, a birth date that exists and lies between 1900-01-01 and today (the calendar
// date of today in its own location), and the ISO 7064 MOD 11-2 check digit.
// Errors are *apperr.Error with code Validation and a Chinese message naming the reason.
func ParseResidentID(s string, today time.Time) (ResidentID, error) {
	if utf8.RuneCountInString(s) != 18 || len(s) != 18 {
		return ResidentID{}, invalid("身份证号应为18位")
	}
	b := []byte(s)
	for _, c := range b[:17] {
		if c < '0' || c > '9' {
			return ResidentID{}, invalid("身份证号前17位应为数字")
		}
	}
	switch c := b[17]; {
	case c == 'x':
		b[17] = 'X'
	case c == 'X', c >= '0' && c <= '9':
	default:
		return ResidentID{}, invalid("身份证号最后一位应为数字或X")
	}
	if !provinces[atoi(b[0:2])] {
		return ResidentID{}, invalid("身份证号地区码无效")
	}

	y, m, d := atoi(b[6:10]), atoi(b[10:12]), atoi(b[12:14])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || birth.Day() != d { // time.Date normalises 02-30 to 03-02
		return ResidentID{}, invalid("身份证号中的出生日期无效")
	}
	ty, tm, td := today.Date()
	if birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return ResidentID{}, invalid("身份证号中的出生日期晚于今天")
	}
	if birth.Before(earliestBirth) {
		return ResidentID{}, invalid("身份证号中的出生日期早于1900年")
	}

	if checkDigit(b[:17]) != b[17] {
		return ResidentID{}, invalid("身份证号校验位错误")
	}

	gender := Female
	if (b[16]-'0')%2 == 1 {
		gender = Male
	}
	return ResidentID{Number: string(b), Region: string(b[:6]), Birth: birth, Gender: gender}, nil
}

// provinces holds the first two digits of the province-level division codes (GB/T 2260), plus 71 Taiwan,
// 81 Hong Kong, 82 Macao and 83 (residence permits for Taiwan residents).
var provinces = func() map[int]bool {
	m := map[int]bool{}
	for _, r := range [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}, {71, 71}, {81, 83}} {
		for c := r[0]; c <= r[1]; c++ {
			m[c] = true
		}
	}
	return m
}()

// checkDigit computes the ISO 7064 MOD 11-2 check character of the first 17 digits.
func checkDigit(digits []byte) byte {
	sum, w := 0, 1
	for i := 16; i >= 0; i-- { // weight of position i is 2^(17-i) mod 11
		w = w * 2 % 11
		sum += int(digits[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

func atoi(digits []byte) int {
	n := 0
	for _, c := range digits {
		n = n*10 + int(c-'0')
	}
	return n
}

func invalid(message string) error {
	return &apperr.Error{Code: apperr.Validation, Message: message}
}

// ValidMobile reports whether s is a mainland mobile number: 11 digits matching ^1[3-9]\d{9}$.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return false
	}
	return allDigits(s)
}

// ValidBankCard reports whether s is 12 to 19 digits and passes the Luhn check.
func ValidBankCard(s string) bool {
	if len(s) < 12 || len(s) > 19 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := range len(s) {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 { // every second digit from the right is doubled
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
