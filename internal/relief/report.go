package relief

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// Lane is one side of the green-channel report: green-channel or ordinary applications.
type Lane struct {
	Submitted     int       `json:"submitted"`       // submitted in the period
	Pending       int       `json:"pending"`         // not yet decided
	Overdue       int       `json:"overdue"`         // undecided past the deadline
	Approved      int       `json:"approved"`        // approved (and perhaps paid since)
	Rejected      int       `json:"rejected"`        //
	Decided       int       `json:"decided"`         // approved or rejected: the decision times are over these
	WithinSLA     int       `json:"within_deadline"` // decided by the deadline
	MedianHours   float64   `json:"median_hours"`
	P90Hours      float64   `json:"p90_hours"`
	AmountFen     money.Fen `json:"approved_amount_fen"`
	DocsOverdue   int       `json:"docs_overdue"`   // green: documents past due
	ReviewPending int       `json:"review_pending"` // green: approved, not yet reviewed
	Flagged       int       `json:"flagged"`        // green: flagged by the retrospective review
}

// GreenReport compares green-channel and ordinary applications submitted in [From, To] (SPEC §4.3).
type GreenReport struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Green  Lane   `json:"green"`
	Normal Lane   `json:"normal"`
}

// GreenChannelReport reads the applications in a's scope submitted between from and to (calendar dates,
// inclusive; empty: the current year up to today).
func GreenChannelReport(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, from, to string) (GreenReport, error) {
	today := clock.Date(now)
	if from == "" {
		from = today[:4] + "-01-01"
	}
	if to == "" {
		to = today
	}
	start, err1 := time.ParseInLocation("2006-01-02", from, clock.China)
	end, err2 := time.ParseInLocation("2006-01-02", to, clock.China)
	if err1 != nil || err2 != nil || end.Before(start) {
		return GreenReport{}, apperr.Invalid("from", "统计期间应为 2006-01-02 格式，且起始日不晚于截止日")
	}
	scope, args := a.Scope("a.org_path")
	var apps []Application
	if err := sqlx.SelectContext(ctx, q, &apps, selectApplication+" WHERE "+scope+
		" AND a.submitted_at >= ? AND a.submitted_at < ?", append(args, store.FormatTime(start), store.FormatTime(end.AddDate(0, 0, 1)))...); err != nil {
		return GreenReport{}, err
	}
	r := GreenReport{From: from, To: to}
	hours := map[bool][]float64{}
	ptrs := make([]*Application, len(apps))
	for i := range apps {
		ptrs[i] = &apps[i]
	}
	if err := atAll(ctx, q, ptrs, now); err != nil {
		return GreenReport{}, err
	}
	for i := range apps {
		app := &apps[i]
		l := &r.Normal
		if app.Green {
			l = &r.Green
		}
		l.Submitted++
		switch {
		case app.Status == Submitted || app.Status == FirstApproved:
			l.Pending++
			if app.Overdue {
				l.Overdue++
			}
		case app.Status == Rejected:
			l.Rejected++
		case app.wasApproved():
			l.Approved++
			l.AmountFen += app.AmountFen
		}
		if app.DocsOverdue {
			l.DocsOverdue++
		}
		if app.ReviewDue {
			l.ReviewPending++
		}
		if app.ReviewOutcome == "flagged" {
			l.Flagged++
		}
		if app.DecidedAt.Valid && app.SubmittedAt.Valid {
			s, _ := store.ParseTime(app.SubmittedAt.String)
			d, _ := store.ParseTime(app.DecidedAt.String)
			hours[app.Green] = append(hours[app.Green], d.Sub(s).Hours())
			l.Decided++
			if app.DecideBy.Valid && app.DecidedAt.String <= app.DecideBy.String {
				l.WithinSLA++
			}
		}
	}
	r.Green.MedianHours, r.Green.P90Hours = quantile(hours[true], 0.5), quantile(hours[true], 0.9)
	r.Normal.MedianHours, r.Normal.P90Hours = quantile(hours[false], 0.5), quantile(hours[false], 0.9)
	return r, nil
}

// quantile is the nearest-rank quantile of xs, rounded to a tenth of an hour; 0 for none.
func quantile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(math.Ceil(p*float64(len(xs)))) - 1
	if i < 0 {
		i = 0
	}
	return math.Round(xs[i]*10) / 10
}
