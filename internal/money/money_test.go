package money

import (
	"encoding/json"
	"errors"
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

func TestFen_DecimalAndFloatAreYuanWithoutDecoration(t *testing.T) {
	for fen, want := range map[Fen]string{0: "0.00", 5: "0.05", 123450: "1234.50", 123456789: "1234567.89", -5: "-0.05"} {
		if got := fen.Decimal(); got != want {
			t.Errorf("Fen(%d).Decimal() = %q, want %q", fen, got, want)
		}
	}
	if got := Fen(123450).Float(); got != 1234.5 {
		t.Errorf("Float = %v", got)
	}
	if got := Yuan(1500); got != 150000 {
		t.Errorf("Yuan(1500) = %d fen", got)
	}
}

func TestParseYuan_ReadsAmountsAsPeopleTypeThem(t *testing.T) {
	for s, want := range map[string]Fen{
		"1500": 150000, "1,500.50": 150050, "¥1500": 150000, "￥1500": 150000, "1500元": 150000, " 1500 元 ": 150000,
		"0": 0, "0.125": 13, "100000000": MaxParsed,
	} {
		if got, ok := ParseYuan(s); !ok || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "一千", "-1", "100000000.01", "NaN", "Inf", "1500美元"} {
		if got, ok := ParseYuan(s); ok {
			t.Errorf("ParseYuan(%q) = %d, want refused", s, got)
		}
	}
}

// The JSON of a Fen is the bare integer, both ways: clients send and read fen (SPEC §9.2), and a Stringer
// must never leak "¥1.50" into an API body or let "1.50" in.
func TestFen_JSONIsThePlainInteger(t *testing.T) {
	type in struct {
		AmountFen Fen  `json:"amount_fen"`
		Cap       *Fen `json:"cap,omitempty"`
	}
	b, err := json.Marshal(in{AmountFen: 150})
	if err != nil || string(b) != `{"amount_fen":150}` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	var got in
	if err := json.Unmarshal([]byte(`{"amount_fen":-30000,"cap":7}`), &got); err != nil || got.AmountFen != -30000 || got.Cap == nil || *got.Cap != 7 {
		t.Fatalf("unmarshal: %+v, %v", got, err)
	}
	for _, body := range []string{`{"amount_fen":"150"}`, `{"amount_fen":1.5}`, `{"amount_fen":"¥1.50"}`} {
		var x in
		var typ *json.UnmarshalTypeError
		if err := json.Unmarshal([]byte(body), &x); !errors.As(err, &typ) || typ.Field != "amount_fen" {
			t.Errorf("%s: %v, want a type error on amount_fen", body, err)
		}
	}
}
