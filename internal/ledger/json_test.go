package ledger

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/money"
)

// TestTransferJSON_IsTheReflectiveEncoding holds Transfer.AppendJSON to the encoding it replaced: the
// struct-tag encoding of the transfer with its amount added by withAmounts.
func TestTransferJSON_IsTheReflectiveEncoding(t *testing.T) {
	type plain Transfer
	rapid.Check(t, func(t *rapid.T) {
		tr := rapid.Make[Transfer]().Draw(t, "transfer")
		if rapid.Bool().Draw(t, "money") {
			tr.Unit = money.CNY
		}
		want, err := withAmounts(plain(tr), tr.Unit, map[string]int64{"amount": tr.Amount})
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(tr)
		if err != nil || string(got) != string(want) {
			t.Fatalf("got  %s %v\nwant %s", got, err, want)
		}
	})
}

func TestContentJSON_IsTheReflectiveEncoding(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.Make[content]().Draw(t, "content")
		want, _ := json.Marshal(c)
		if got := c.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
