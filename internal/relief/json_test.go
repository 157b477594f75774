package relief_test

import (
	"database/sql"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/ident"
	"bangfu/internal/ledger"
	"bangfu/internal/relief"
)

// reflective is the struct-tag encoding of an application that AppendJSON replaced, kept as its reference.
func reflective(a relief.Application) ([]byte, error) {
	type plain relief.Application
	p := plain(a)
	p.ApplicantIDNumber = ident.MaskID(p.ApplicantIDNumber)
	p.ApplicantPhone = ident.MaskPhone(p.ApplicantPhone)
	if p.MissingDocs == nil {
		p.MissingDocs = []string{}
	}
	return json.Marshal(struct {
		plain
		HouseholdID     int64  `json:"household_id"`
		StudentMemberID int64  `json:"student_member_id"`
		StudentIDNumber string `json:"student_id_number"`
		TypeName        string `json:"type_name"`
		StatusName      string `json:"status_name"`
		SubmittedAt     string `json:"submitted_at"`
		DecideBy        string `json:"decide_by"`
		FirstApprovedAt string `json:"first_approved_at"`
		ApprovedAt      string `json:"approved_at"`
		DecidedAt       string `json:"decided_at"`
		PolicyID        int64  `json:"policy_id"`
		TransferID      int64  `json:"transfer_id"`
		DocsDue         string `json:"docs_due"`
		DisbursedAt     string `json:"disbursed_at"`
		ReceivedAt      string `json:"received_at"`
		ReviewedAt      string `json:"reviewed_at"`
		RecoveredAt     string `json:"recovered_at"`
		RecoveryID      int64  `json:"recovery_transfer_id"`
	}{p, a.HouseholdID.Int64, a.StudentMemberID.Int64, ident.MaskID(a.StudentIDNumber), relief.TypeNames[a.Type],
		relief.StatusNames[a.Status], a.SubmittedAt.String, a.DecideBy.String, a.FirstApprovedAt.String, a.ApprovedAt.String,
		a.DecidedAt.String, a.PolicyID.Int64, a.TransferID.Int64, a.DocsDue.String, a.DisbursedAt.String,
		a.ReceivedAt.String, a.ReviewedAt.String, a.RecoveredAt.String, a.RecoveryID.Int64})
}

func TestApplicationJSON_IsTheReflectiveEncoding(t *testing.T) {
	full := relief.Application{ID: 7, AppNo: "JZ2026000007", Type: relief.Medical, Status: relief.Approved,
		HouseholdID: sql.NullInt64{Int64: 3, Valid: true}, ApplicantName: "王伟芳", ApplicantIDNumber: "33010819750402123X",
		ApplicantPhone: "13900001111", OrgID: 4, OrgName: "江汉街道<工会>", AidYear: 2026, AmountFen: 50000,
		OutOfPocketFen: 120000, Purpose: "住院 \"治疗\"\n费用", Green: true, GreenReason: "critical_illness",
		CreatedByName: "李&丽", CreatedAt: "2026-03-10T01:02:03.456789Z", SubmittedAt: sql.NullString{String: "2026-03-11", Valid: true},
		TransferID: sql.NullInt64{Int64: 9, Valid: true}, MissingDocs: []string{"receipt"}, DocsOverdue: true,
		StudentIDNumber: "330108201001011234"}
	for _, a := range []relief.Application{{}, full} {
		want, _ := reflective(a)
		got, err := json.Marshal(a)
		if err != nil || string(got) != string(want) {
			t.Errorf("json.Marshal:\n got %s %v\nwant %s", got, err, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Make[relief.Application]().Draw(t, "application")
		want, _ := reflective(a)
		if got := a.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("AppendJSON:\n got %s\nwant %s", got, want)
		}
	})
}

// A view's JSON, written by hand for the workflow's answers, is the one it replaced: the application's JSON
// with the actions and the transfers, each as json.Marshal encodes it, added before the closing brace.
func TestViewJSON_IsTheApplicationWithItsActionsAndTransfers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := relief.View{Application: rapid.Make[relief.Application]().Draw(t, "app"),
			Actions:   rapid.SliceOf(rapid.String()).Draw(t, "actions"),
			Transfers: rapid.SliceOf(rapid.Make[ledger.Transfer]()).Draw(t, "transfers")}
		if rapid.Bool().Draw(t, "nil") {
			v.Actions, v.Transfers = nil, nil
		}
		app, err := json.Marshal(v.Application)
		if err != nil {
			t.Fatal(err)
		}
		actions, _ := json.Marshal(v.Actions)
		transfers, err := json.Marshal(v.Transfers)
		if err != nil {
			t.Fatal(err)
		}
		want := string(app[:len(app)-1]) + `,"actions":` + string(actions) + `,"transfers":` + string(transfers) + "}"
		if got := string(v.AppendJSON(nil)); got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		var back map[string]any
		if err := json.Unmarshal(v.AppendJSON(nil), &back); err != nil {
			t.Fatal(err)
		}
	})
}
