package ident

import "strings"

// MaskID shows the region (first 6) and last 4 characters of an ID number:
// "110101199003071234" → "110101********1234". Input shorter than 15 characters (not an ID number) keeps
// at most its last 4 characters and never more than half of it.
func MaskID(s string) string { return maskMiddle(s, 6, 4, 15) }

// MaskBankCard shows the first 6 (issuer) and last 4 digits and replaces the rest with stars, keeping the length:
// "6222021234567890123" → "622202*********0123". Input shorter than 12 characters is masked as in MaskID.
func MaskBankCard(s string) string { return maskMiddle(s, 6, 4, 12) }

// MaskPhone shows the first 3 and last 4 digits of a mobile number: "13812345678" → "138****5678".
// Input shorter than 11 characters is masked as in MaskID.
func MaskPhone(s string) string { return maskMiddle(s, 3, 4, 11) }

// MaskName keeps the first and last character of a name and stars the rest, counting characters, not bytes:
// "张三丰" → "张*丰", "欧阳娜娜" → "欧**娜", "张三" → "张*"; a one-character name is returned unchanged.
func MaskName(s string) string {
	r := []rune(s)
	switch len(r) {
	case 0, 1:
		return s
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// maskMiddle keeps head and tail characters of s when s has at least minLen characters. Shorter input is not
// the expected kind of number, so only its tail is kept: at most 4 characters and at most half of it.
func maskMiddle(s string, head, tail, minLen int) string {
	r := []rune(s)
	n := len(r)
	if n < minLen {
		head, tail = 0, min(4, n/2)
	}
	return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
}
