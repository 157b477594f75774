package demo

import (
	"testing"
	"time"

	"bangfu/internal/ident"
)

func TestResidentIDAndBankCard_AreValid(t *testing.T) {
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		birth := time.Date(1960+i%40, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		id := ResidentID("330108", birth, i*7, i%2 == 0)
		got, err := ident.ParseResidentID(id, today)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if (got.Gender == ident.Male) != (i%2 == 0) || !got.Birth.Equal(birth) {
			t.Fatalf("%s: gender %s birth %v", id, got.Gender, got.Birth)
		}
		if c := BankCard("622202", i*1234567); !ident.ValidBankCard(c) || len(c) != 19 {
			t.Fatalf("bank card %s fails Luhn", c)
		}
	}
}
