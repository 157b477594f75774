package relief

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/money"
)

// Preview is what an unsaved application form would become, by the same rules as Create, and the checks its
// submission would run now — so the form shows the policy's amount and the documents the case needs without
// restating the rules. Nothing is written.
type Preview struct {
	AmountFen         money.Fen `json:"amount_fen"`             // the policy's amount where it fixes one (education, warmth), else the input's
	AmountBasis       string    `json:"amount_basis,omitempty"` // what fixed it, e.g. 高等教育·已建档
	RequiredDocuments []string  `json:"required_documents"`     // in the household's file before submission
	LaterDocuments    []string  `json:"later_documents"`        // green channel: within green_docs_days of the approval
	Checks            []Check   `json:"checks"`                 // as a submission would run them now
}

// Documents returns the documents a case of type t needs before submission and, for the green channel (SPEC
// §4.3), those that may follow after the approval. A holiday-duty worker without a file needs none.
func Documents(t Type, green, worker bool) (now, later []string) {
	switch {
	case worker:
		return []string{}, []string{}
	case green:
		for _, k := range RequiredDocs[t] {
			if !slices.Contains(GreenDocs, k) {
				later = append(later, k)
			}
		}
		return slices.Clone(GreenDocs), append([]string{}, later...)
	}
	return append([]string{}, RequiredDocs[t]...), []string{}
}

// Check runs the rules of Create and of the submission over in inside a read-only transaction that is rolled
// back (a dry run, caseworkers only). The purpose enters no rule, so a blank one is not refused here; a file
// to be opened alongside is checked once it exists.
func (s *Service) Check(ctx context.Context, a actor.Actor, in Input) (Preview, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Preview{}, err
	}
	if strings.TrimSpace(in.Purpose) == "" {
		in.Purpose = "—"
	}
	if err := tags.Struct(&in); err != nil {
		return Preview{}, err
	}
	worker := in.HouseholdID == 0 && in.Household == nil && in.Type == Warmth
	out := Preview{AmountFen: in.AmountFen, Checks: []Check{}}
	out.RequiredDocuments, out.LaterDocuments = Documents(in.Type, in.Green, worker)
	if in.Household != nil {
		return out, nil
	}
	tx, err := s.DB.R.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Preview{}, err
	}
	defer tx.Rollback()
	now := s.Clock.Now()
	app := Application{Status: Draft, AidYear: now.In(clock.China).Year(), CreatedBy: a.UserID}
	if err := app.fill(ctx, tx, a, now, in); err != nil {
		return Preview{}, err
	}
	out.AmountFen = app.AmountFen
	snap, err := snapshotOf(ctx, tx, a, now, &app, AtSubmission)
	if err != nil {
		return Preview{}, err
	}
	out.Checks = snap.Checks
	if app.Type == Education {
		hh, err := householdOf(ctx, tx, a, &app, now)
		if err != nil {
			return Preview{}, err
		}
		_, out.AmountBasis = educationAmount(snap.Policy.Params, app.SchoolStage, hh != nil && hh.Filed())
	}
	return out, nil
}
