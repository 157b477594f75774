package relief

import (
	"database/sql"
	"slices"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/policy"
)

var (
	cw     = actor.Actor{UserID: 1, Username: "cw", Roles: []actor.Role{actor.Caseworker}, OrgPath: "/1/"}
	sup    = actor.Actor{UserID: 2, Username: "sup", Roles: []actor.Role{actor.Supervisor}, OrgPath: "/1/"}
	sup2   = actor.Actor{UserID: 3, Username: "sup2", Roles: []actor.Role{actor.Supervisor}, OrgPath: "/1/"}
	fin    = actor.Actor{UserID: 4, Username: "fin", Roles: []actor.Role{actor.Finance}, OrgPath: "/1/"}
	auditr = actor.Actor{UserID: 5, Username: "aud", Roles: []actor.Role{actor.Auditor}, OrgPath: "/1/"}
	admin  = actor.Actor{UserID: 6, Username: "admin", Roles: []actor.Role{actor.Admin}, OrgPath: "/1/"}
	cwSup  = actor.Actor{UserID: 7, Username: "cwsup", Roles: []actor.Role{actor.Caseworker, actor.Supervisor}, OrgPath: "/1/"}
	finSup = actor.Actor{UserID: 8, Username: "finsup", Roles: []actor.Role{actor.Finance, actor.Supervisor}, OrgPath: "/1/"}
)

func user(a actor.Actor) sql.NullInt64 { return sql.NullInt64{Int64: a.UserID, Valid: true} }

// The allowed (status, action) pairs of SPEC §4.2 written out by hand, not read from Workflow: every other
// pair is a conflict for the very user who may take the action elsewhere.
func TestWorkflow_EveryActionFromEveryStatus(t *testing.T) {
	allowed := map[Status][]string{
		Draft: {ActEdit, ActSubmit}, Returned: {ActEdit, ActSubmit},
		Submitted: {ActApprove, ActReturn, ActReject}, FirstApproved: {ActApprove, ActReturn, ActReject},
		Approved: {ActDisburse, ActVoid, ActReview}, Disbursed: {ActReceipt, ActReview, ActRecover}, Received: {ActReview, ActRecover},
		Rejected: {}, Cancelled: {}, Recovered: {},
	}
	who := map[string]actor.Actor{ActEdit: cw, ActSubmit: cw, ActApprove: sup2, ActReturn: sup2, ActReject: sup2,
		ActDisburse: fin, ActVoid: fin, ActReceipt: cw, ActReview: sup2, ActRecover: fin}
	if len(allowed) != len(StatusNames) {
		t.Fatalf("the table covers %d statuses, StatusNames %d", len(allowed), len(StatusNames))
	}
	for st, actions := range allowed {
		// a green case, flagged on review where it was paid, submitted and approved by others
		app := &Application{Status: st, Green: true, SubmittedBy: user(cw), ApprovedBy: user(sup)}
		if st == Disbursed || st == Received {
			app.ReviewOutcome = "flagged"
		}
		for action, a := range who {
			err := Can(a, app, action)
			switch {
			case slices.Contains(actions, action) && err != nil:
				t.Errorf("%s/%s by %s: %v, want allowed", st, action, a.Username, err)
			case !slices.Contains(actions, action) && apperr.CodeOf(err) != apperr.Conflict:
				t.Errorf("%s/%s by %s: %v, want a conflict", st, action, a.Username, err)
			}
		}
		if got := Actions(who[ActApprove], app); st == Recovered && len(got) != 0 {
			t.Errorf("actions on a recovered case: %v", got)
		}
	}
	if got := Actions(fin, &Application{Status: Recovered, Green: true, ReviewOutcome: "flagged"}); len(got) != 0 {
		t.Errorf("finance's actions on a recovered payment: %v, want none (no confirm-receipt, no second recovery)", got)
	}
}

// Each role may take only its own actions (SPEC §1.2); admin takes none.
func TestWorkflow_EachActionBelongsToItsRoles(t *testing.T) {
	for _, tr := range Workflow {
		for _, a := range []actor.Actor{cw, sup, fin, auditr, admin} {
			app := &Application{Status: tr.From[0], Green: true, ReviewOutcome: "flagged"}
			err := Can(a, app, tr.Action)
			mayRole := false
			for _, r := range tr.Roles {
				mayRole = mayRole || a.Has(r)
			}
			if !mayRole && apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s by %s: %v, want forbidden", tr.Action, a.Username, err)
			}
			if mayRole && err != nil {
				t.Errorf("%s by %s: %v, want allowed", tr.Action, a.Username, err)
			}
		}
	}
}

// The guards of the table, one rule each: segregation of duties is forbidden, a case the action does not
// concern a conflict.
func TestWorkflow_Guards(t *testing.T) {
	cases := []struct {
		name   string
		a      actor.Actor
		app    Application
		action string
		want   apperr.Code
	}{
		{"the submitter may not approve", cwSup, Application{Status: Submitted, SubmittedBy: user(cwSup)}, ActApprove, apperr.Forbidden},
		{"the submitter may not return", cwSup, Application{Status: Submitted, SubmittedBy: user(cwSup)}, ActReturn, apperr.Forbidden},
		{"the submitter may not reject", cwSup, Application{Status: FirstApproved, SubmittedBy: user(cwSup)}, ActReject, apperr.Forbidden},
		{"the first approver may not give the second approval", sup, Application{Status: FirstApproved, SubmittedBy: user(cw), FirstApprovedBy: user(sup)}, ActApprove, apperr.Forbidden},
		{"another supervisor gives the second approval", sup2, Application{Status: FirstApproved, SubmittedBy: user(cw), FirstApprovedBy: user(sup)}, ActApprove, ""},
		{"the first approver may still return", sup, Application{Status: FirstApproved, SubmittedBy: user(cw), FirstApprovedBy: user(sup)}, ActReturn, ""},
		{"the approver may not pay", finSup, Application{Status: Approved, ApprovedBy: user(finSup)}, ActDisburse, apperr.Forbidden},
		{"the first approver may not pay", finSup, Application{Status: Approved, FirstApprovedBy: user(finSup), ApprovedBy: user(sup)}, ActDisburse, apperr.Forbidden},
		{"the approver may void", finSup, Application{Status: Approved, ApprovedBy: user(finSup)}, ActVoid, ""},
		{"only a green case is reviewed", sup2, Application{Status: Approved, ApprovedBy: user(sup)}, ActReview, apperr.Conflict},
		{"a review is done once", sup2, Application{Status: Disbursed, Green: true, ApprovedBy: user(sup), ReviewedAt: sql.NullString{String: "2026-03-12T01:00:00Z", Valid: true}}, ActReview, apperr.Conflict},
		{"the approver may not review", sup, Application{Status: Approved, Green: true, ApprovedBy: user(sup)}, ActReview, apperr.Forbidden},
		{"the submitter may not review", cwSup, Application{Status: Approved, Green: true, SubmittedBy: user(cwSup), ApprovedBy: user(sup)}, ActReview, apperr.Forbidden},
		{"only a flagged payment is recovered", fin, Application{Status: Received, Green: true, ReviewOutcome: "confirmed"}, ActRecover, apperr.Conflict},
		{"a flagged payment is recovered", fin, Application{Status: Received, Green: true, ReviewOutcome: "flagged"}, ActRecover, ""},
		{"an unknown action", sup, Application{Status: Submitted}, "pay", apperr.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := apperr.CodeOf(Can(c.a, &c.app, c.action)); got != c.want {
				t.Errorf("code %q, want %q", got, c.want)
			}
		})
	}
}

// Every row of the table is complete: it has roles and a function (edit is Update's), its to-statuses are
// statuses, its required fields are fields of ActionInput, and the money effects are where SPEC §4.2 puts them.
func TestWorkflow_TheTableIsComplete(t *testing.T) {
	money := map[string]Effect{ActApprove: ReserveMoney, ActDisburse: PostMoney, ActVoid: VoidMoney, ActRecover: ReverseMoney}
	for _, tr := range Workflow {
		if len(tr.Roles) == 0 || len(tr.From) == 0 || (tr.do == nil) != (tr.Action == ActEdit) {
			t.Errorf("%s: incomplete row %+v", tr.Action, tr)
		}
		for _, s := range append(slices.Clone(tr.From), tr.To...) {
			if _, ok := StatusNames[s]; !ok {
				t.Errorf("%s: unknown status %q", tr.Action, s)
			}
		}
		for _, r := range tr.Requires {
			_ = ActionInput{}.value(r.Field) // panics on a field ActionInput lacks
		}
		if tr.Money != money[tr.Action] {
			t.Errorf("%s moves money %q, want %q", tr.Action, tr.Money, money[tr.Action])
		}
		if _, ok := ActionNames[tr.Action]; !ok {
			t.Errorf("%s has no Chinese name", tr.Action)
		}
	}
}

// SPEC §9.2 (issue 15 item 6): a green-channel amount over green_max_amount and a medical amount over the
// out-of-pocket cost are cap refusals — conflicts with the numbers — while an amount the policy fixes
// otherwise is a validation error of the input.
func TestRules_CapRefusalsAreConflictsWithTheNumbers(t *testing.T) {
	p := policy.Policy{Params: policy.Params{GreenMaxAmountFen: 500000, MedicalCapYearFen: 3000000, HouseholdCapYearFen: 10000000,
		LivingCapYearFen: 1080000, WarmthAmountFen: 100000, GreenMonthlyQuota: 50}}
	cases := []struct {
		name, rule string
		app        Application
		want       apperr.Code
		says       string
	}{
		{"green over its maximum", "green_max", Application{Type: Warmth, AmountFen: 500001, Green: true, GreenReason: "accident"}, apperr.Conflict, "申请 ¥5,000.01，绿色通道单笔上限 ¥5,000.00"},
		{"medical over the out-of-pocket cost", "medical_out_of_pocket", Application{Type: Medical, AmountFen: 300000, OutOfPocketFen: 200000}, apperr.Conflict, "申请 ¥3,000.00，票据载明自付费用 ¥2,000.00"},
		{"warmth over the standard", "warmth_amount", Application{Type: Warmth, AmountFen: 100001}, apperr.Validation, "申请 ¥1,000.01，标准 ¥1,000.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &facts{app: &c.app, policy: p}
			for _, ch := range f.evaluate(AtSubmission) {
				if ch.Rule != c.rule {
					continue
				}
				if ch.OK || ch.Code != c.want || ch.Message != c.says {
					t.Fatalf("check %+v, want refused as %q saying %q", ch, c.want, c.says)
				}
				if err := refusal([]Check{ch}); apperr.CodeOf(err) != c.want || apperr.From(err).Fields["amount_fen"] != c.says {
					t.Fatalf("refusal %v", err)
				}
				return
			}
			t.Fatalf("no %s check", c.rule)
		})
	}
}
