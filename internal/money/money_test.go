package money

import (
	"math"
	"testing"
)

func TestFen_StringGroupsThousandsAndShowsTwoDecimals(t *testing.T) {
	for fen, want := range map[int64]string{
		0: "¥0.00", 5: "¥0.05", 120000: "¥1,200.00", 123456789: "¥1,234,567.89", -200000: "-¥2,000.00",
		math.MinInt64: "-¥92,233,720,368,547,758.08",
	} {
		if got := Fen(fen).String(); got != want {
			t.Errorf("Fen(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestFormat_ShowsGoodsInTheirUnit(t *testing.T) {
	if got := Format(30, "箱"); got != "30 箱" {
		t.Errorf("got %q", got)
	}
	if got := Format(150, CNY); got != "¥1.50" {
		t.Errorf("got %q", got)
	}
}
