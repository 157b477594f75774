package web

import (
	qrcode "github.com/skip2/go-qrcode"
)

// qrPNG draws text as a QR code to print beside a record on paper and scan back: an audit checkpoint (SPEC
// §7), the phone confirmation of a delivery slip (SPEC §5).
func qrPNG(text string) ([]byte, error) { return qrcode.Encode(text, qrcode.Medium, 320) }
