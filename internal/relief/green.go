package relief

import (
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/org"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// NormalDecisionDays is the decision deadline of an ordinary application in working days (SPEC §2: 15).
const NormalDecisionDays = 15

// decideBy is the decision deadline of an application submitted at now (SPEC §4.3): green_sla_hours for a
// green-channel case, otherwise the end of the 15th working day after the submission.
func decideBy(ctx context.Context, q sqlx.QueryerContext, green bool, p policy.Params, now time.Time) (string, error) {
	if green {
		return store.FormatTime(now.Add(time.Duration(p.GreenSLAHours) * time.Hour)), nil
	}
	next := now.In(clock.China).AddDate(0, 0, 1).Format("2006-01-02")
	last, err := household.PublicityEnd(ctx, q, next, NormalDecisionDays)
	if err != nil {
		return "", err
	}
	d, _ := time.ParseInLocation("2006-01-02", last, clock.China)
	return store.FormatTime(d.AddDate(0, 0, 1).Add(-time.Second)), nil
}

// greenApprovalsThisMonth counts the green-channel approvals of the current month (China time) in the
// subtree of the org the policy version is set for — the whole district for a district-wide version — which
// green_monthly_quota bounds (SPEC §2). It also names that subtree for the refusal.
func greenApprovalsThisMonth(ctx context.Context, q sqlx.QueryerContext, p policy.Policy, now time.Time) (int, string, error) {
	path, name := "/", "全区"
	if p.OrgID != nil {
		o, err := org.Get(ctx, q, *p.OrgID)
		if err != nil {
			return 0, "", err
		}
		path, name = o.Path, o.Name
	}
	t := now.In(clock.China)
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, clock.China)
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM applications
		WHERE green = 1 AND approved_at >= ? AND approved_at < ? AND substr(org_path, 1, length(?)) = ?
		AND status IN ('approved', 'disbursed', 'received', 'recovered')`,
		store.FormatTime(start), store.FormatTime(start.AddDate(0, 1, 0)), path, path)
	return n, name, err
}

// At works out what the application's stored dates mean at now: the documents still missing, and which
// deadlines have passed. docs are the kinds its household holds (nil: not read).
func (a *Application) At(now time.Time, docs map[string]bool) *Application {
	nowS := store.FormatTime(now)
	a.MissingDocs = []string{}
	if a.HouseholdID.Valid && docs != nil {
		need := RequiredDocs[a.Type]
		if a.Green && !a.decided() {
			need = GreenDocs // only these up front; the rest are due within green_docs_days of approval
		} else if a.Green {
			need = union(GreenDocs, need)
		}
		a.MissingDocs = missingKinds(need, docs)
	}
	a.Overdue = (a.Status == Submitted || a.Status == FirstApproved) && a.DecideBy.Valid && nowS > a.DecideBy.String
	a.DocsOverdue = a.Green && a.approved() && len(a.MissingDocs) > 0 && a.DocsDue.Valid && clock.Date(now) > a.DocsDue.String
	a.ReviewDue = a.Green && a.approved() && !a.ReviewedAt.Valid
	return a
}

// approved reports whether the application was approved and not voided.
func (a *Application) approved() bool {
	return a.Status == Approved || a.Status == Disbursed || a.Status == Received
}

// wasApproved reports whether the application was approved at some point and not voided: approved, or
// paid and perhaps taken back since.
func (a *Application) wasApproved() bool { return a.approved() || a.Status == Recovered }

func (a *Application) decided() bool { return a.wasApproved() || a.Status == Cancelled }

func union(a, b []string) []string {
	out := append([]string{}, a...)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
