package demo

import (
	"fmt"
	"time"
)

// ResidentID makes a valid 18-character resident ID number (GB 11643): region, birth date, a three-digit
// sequence whose last digit is odd for men, and the ISO 7064 MOD 11-2 check character.
func ResidentID(region string, birth time.Time, seq int, male bool) string {
	seq = seq % 500 * 2
	if male {
		seq++
	}
	body := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// BankCard makes a 19-digit card number with the issuer prefix and serial n that passes the Luhn check.
func BankCard(prefix string, n int) string {
	body := fmt.Sprintf("%s%0*d", prefix, 18-len(prefix), n)
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 { // these digits are doubled once the check digit is appended
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}
