package household_test

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/household"
	"bangfu/internal/ident"
)

// reflectiveMember and reflective are the struct-tag encodings of a member and a household that AppendJSON
// replaced, kept as their reference.
func reflectiveMember(m household.Member) ([]byte, error) {
	type plain household.Member
	p := plain(m)
	p.IDNumber = ident.MaskID(p.IDNumber)
	return json.Marshal(p)
}

type refMember household.Member

func (m refMember) MarshalJSON() ([]byte, error) { return reflectiveMember(household.Member(m)) }

func reflective(h household.Household) ([]byte, error) {
	type plain household.Household
	p := plain(h)
	if p.Status == "" {
		p.Status = p.Stored
	}
	p.IDNumber = ident.MaskID(p.IDNumber)
	if p.BankCard != "" {
		p.BankCard = ident.MaskBankCard(p.BankCard)
	}
	p.Phone = ident.MaskPhone(p.Phone)
	if p.Members == nil {
		p.Members = []household.Member{}
	}
	if p.SecondaryCauses == nil {
		p.SecondaryCauses = household.CauseList{}
	}
	// The members through the reflective encoding too, in the place the Members field has.
	members := make([]refMember, len(p.Members))
	for i, m := range p.Members {
		members[i] = refMember(m)
	}
	b, err := json.Marshal(struct {
		plain
		SubmittedAt    string `json:"submitted_at"`
		PublicityStart string `json:"publicity_start"`
		PublicityEnd   string `json:"publicity_end"`
		FirstFiledAt   string `json:"first_filed_at"`
		FiledAt        string `json:"filed_at"`
		ReopenedFrom   int64  `json:"reopened_from"`
		ReopenedAs     int64  `json:"reopened_as"`
	}{p, h.SubmittedAt.String, h.PublicityStart.String, h.PublicityEnd.String, h.FirstFiledAt.String,
		h.FiledAt.String, h.ReopenedFrom.Int64, h.ReopenedAs.Int64})
	if err != nil {
		return nil, err
	}
	got, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	want, err := json.Marshal(p.Members)
	if err != nil {
		return nil, err
	}
	// The reflective members array sits in b where json.Marshal put the members' own MarshalJSON output.
	// A key cannot occur inside a JSON string, whose quotes are escaped.
	return []byte(strings.Replace(string(b), `"members":`+string(want), `"members":`+string(got), 1)), nil
}

func TestHouseholdJSON_IsTheReflectiveEncoding(t *testing.T) {
	full := household.Household{ID: 7, FileNo: "KN2026000007", Stored: household.Filed,
		Fields: household.Fields{OrgID: 4, Name: "王<伟>芳", Gender: "female", IDNumber: "33010819750402123X",
			BirthDate: "1975-04-02", Phone: "13900001111", Employer: "江南 \"建设\"\n公司", Industry: "construction",
			Migrant: true, BankCard: "6222021234567890123", IncomeWagesFen: 2400000, MainCause: "illness",
			SecondaryCauses: household.CauseList{"schooling", "other"}, ExclHomes: true, Note: "a&b\u2028"},
		OrgName: "江汉街道工会", SuggestedCategory: household.Deep, CategoryPolicyID: 3, PerCapitaFen: 61250,
		Members: []household.Member{{ID: 9, Name: "李秀英", Relation: "spouse", IDNumber: "330109196201011234",
			BirthDate: "1962-01-01", Gender: "female", MonthlyIncomeFen: 100}},
		FiledAt: sql.NullString{String: "2026-03-11", Valid: true}, ReopenedFrom: sql.NullInt64{Int64: 2, Valid: true},
		OpenObjections: 1}
	for _, h := range []household.Household{{}, full} {
		want, _ := reflective(h)
		got, err := json.Marshal(h)
		if err != nil || string(got) != string(want) {
			t.Errorf("json.Marshal:\n got %s %v\nwant %s", got, err, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		h := rapid.Make[household.Household]().Draw(t, "household")
		want, err := reflective(h)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("AppendJSON:\n got %s\nwant %s", got, want)
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.Make[household.Member]().Draw(t, "member")
		want, _ := reflectiveMember(m)
		if got := m.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("AppendJSON:\n got %s\nwant %s", got, want)
		}
	})
}

// TestDetailJSON_IsTheHouseholdWithItsActions holds the detail's encoding to what it replaced: the household's
// members and "actions" beside them, in one object.
func TestDetailJSON_IsTheHouseholdWithItsActions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := household.Detail{Household: rapid.Make[household.Household]().Draw(t, "household"),
			Actions: rapid.SliceOf(rapid.SampledFrom([]string{"edit", "submit", "visit"})).Draw(t, "actions")}
		if rapid.Bool().Draw(t, "nil actions") {
			d.Actions = nil
		}
		hb, err := reflective(d.Household)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		if err := json.Unmarshal(hb, &want); err != nil {
			t.Fatal(err)
		}
		var actions any
		ab, _ := json.Marshal(d.Actions)
		json.Unmarshal(ab, &actions)
		want["actions"] = actions
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]any{}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("detail:\n got %v\nwant %v", got, want)
		}
	})
}
