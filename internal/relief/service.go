package relief

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/jsonenc"
	"bangfu/internal/ledger"
	"bangfu/internal/store"
)

// Service is the relief area as the web, the CLI, bulk actions and imports call it: every method takes the
// actor, checks its role before it looks at the input and its scope before it reveals a record, and writes
// through store.InTx, so that an application, its ledger transfers and its audit event commit together.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// readers are the roles that may read applications and their money. Admin manages users, orgs and policy
// versions and reads no case or money data (SPEC §1.2).
var readers = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}

// View is an application as its page shows it: with the actions the actor may take now and the ledger
// transfers that move its money (the reservation, and a recovery's reversing transfer).
type View struct {
	Application
	Actions   []string          `json:"actions"`
	Transfers []ledger.Transfer `json:"transfers"`
}

// MarshalJSON is the application's own JSON with the actions and transfers added.
func (v View) MarshalJSON() ([]byte, error) { return v.AppendJSON(make([]byte, 0, 4096)), nil }

// AppendJSON appends the view's JSON (as MarshalJSON gives it) to b: the application's own, written by hand,
// with the actions and transfers added. Every approval and payment answers with one (SPEC §10), so the
// handler writes these bytes as they are rather than have encoding/json check and compact them again.
func (v View) AppendJSON(b []byte) []byte {
	b = v.Application.AppendJSON(b)
	b = append(b[:len(b)-1], `,"actions":`...) // the object without its closing brace
	if v.Actions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range v.Actions {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.String(b, a)
		}
		b = append(b, ']')
	}
	b = append(b, `,"transfers":`...)
	if v.Transfers == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range v.Transfers {
			if i > 0 {
				b = append(b, ',')
			}
			b = t.AppendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// ViewPage is one page of a list of applications.
type ViewPage struct {
	Items []View `json:"items"`
	Total int    `json:"total"`
}

// List returns the applications in a's scope that match f, each with the actions a may take (a list shows
// no transfers).
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (ViewPage, error) {
	if err := a.Require(readers...); err != nil {
		return ViewPage{}, err
	}
	page, err := List(ctx, s.DB.R, a, s.Clock.Now(), f)
	if err != nil {
		return ViewPage{}, err
	}
	out := ViewPage{Items: make([]View, len(page.Items)), Total: page.Total}
	for i := range page.Items {
		out.Items[i] = View{Application: page.Items[i], Actions: Actions(a, &page.Items[i]), Transfers: []ledger.Transfer{}}
	}
	return out, nil
}

// Get returns application id as its detail page shows it.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (View, error) {
	if err := a.Require(readers...); err != nil {
		return View{}, err
	}
	app, err := Detail(ctx, s.DB.R, a, id, s.Clock.Now())
	if err != nil {
		return View{}, err
	}
	ts, err := transfersOf(ctx, s.DB.R, &app)
	if err != nil {
		return View{}, err
	}
	return View{Application: app, Actions: Actions(a, &app), Transfers: ts}, nil
}

// transfersOf asks the ledger for the transfers of app: those written for it (its reservation), then the
// reversing transfer of a recovery, which names the transfer it reverses rather than the application.
func transfersOf(ctx context.Context, q sqlx.QueryerContext, app *Application) ([]ledger.Transfer, error) {
	ts, err := ledger.TransfersByRef(ctx, q, "application", strconv.FormatInt(app.ID, 10))
	if err != nil {
		return nil, err
	}
	if app.RecoveryID.Valid {
		t, err := ledger.GetTransfer(ctx, q, app.RecoveryID.Int64)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// written answers a write with the application read again after the commit: the view reads the household's
// documents and the ledger as they now stand.
func (s *Service) written(ctx context.Context, a actor.Actor, app Application, err error) (View, error) {
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, a, app.ID)
}

// Create drafts an application (caseworkers only).
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (View, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return View{}, err
	}
	app, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Application, error) {
		return CreateTx(ctx, tx, a, s.Clock.Now(), in)
	})
	return s.written(ctx, a, app, err)
}

// Update saves a caseworker's edit of a draft or returned application.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, in Input) (View, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return View{}, err
	}
	app, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Application, error) {
		return UpdateTx(ctx, tx, a, s.Clock.Now(), id, in)
	})
	return s.written(ctx, a, app, err)
}

// Act takes a workflow action on application id in its own transaction (store.InTx: the transaction
// boundary; every rule of the action is checked inside it, and a refusal rolls back all the action wrote).
//
// The answer is the application as the action left it. When the action knows the application's transfers
// (approve, disburse, void wrote or settled its one transfer), the view is built from the transaction's own
// results and only the household's documents are read, from a read connection after the commit; otherwise
// the application is read again (Get). Either way it is the view Get would give after the commit
// (TestAct_AnswersAsGetReadsAfterwards).
func (s *Service) Act(ctx context.Context, a actor.Actor, id int64, action string, in ActionInput) (View, error) {
	out, err := s.act(ctx, a, id, action, in)
	if err != nil {
		return View{}, err
	}
	if out.transfers == nil {
		return s.Get(ctx, a, id)
	}
	app := out.app
	docs := out.docs
	if app.HouseholdID.Valid && !out.docsKnown { // an approval read them in its transaction already
		if docs, err = household.DocumentKindsOf(ctx, s.DB.R, app.HouseholdID.Int64); err != nil {
			return View{}, err
		}
	}
	app.At(s.Clock.Now(), docs)
	return View{Application: app, Actions: Actions(a, &app), Transfers: out.transfers}, nil
}

func (s *Service) act(ctx context.Context, a actor.Actor, id int64, action string, in ActionInput) (acted, error) {
	if err := mayTake(a, action); err != nil { // who before what: the role before the body
		return acted{}, err
	}
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (acted, error) {
		return actTx(ctx, tx, a, s.Clock.Now(), id, action, in)
	})
}

// Checks evaluates every rule for application id as an approval would now, for the decision dialog.
func (s *Service) Checks(ctx context.Context, a actor.Actor, id int64) (Snapshot, error) {
	if err := a.Require(readers...); err != nil {
		return Snapshot{}, err
	}
	return Checks(ctx, s.DB.R, a, s.Clock.Now(), id)
}

// Decisions lists the decisions on application id with their snapshots, oldest first.
func (s *Service) Decisions(ctx context.Context, a actor.Actor, id int64) ([]Decision, error) {
	if err := a.Require(readers...); err != nil {
		return nil, err
	}
	return Decisions(ctx, s.DB.R, a, id)
}

// History is the audit timeline of application id, newest first.
func (s *Service) History(ctx context.Context, a actor.Actor, id int64, p audit.Paging) (audit.EventPage, error) {
	if err := a.Require(readers...); err != nil {
		return audit.EventPage{}, err
	}
	if _, err := Get(ctx, s.DB.R, a, id); err != nil {
		return audit.EventPage{}, err
	}
	return audit.History(ctx, s.DB.R, a, "application", id, p)
}

// Revealed are the full numbers of an application, for the roles that may read them.
type Revealed struct {
	ApplicantIDNumber string `json:"applicant_id_number"`
	ApplicantPhone    string `json:"applicant_phone"`
	StudentIDNumber   string `json:"student_id_number"`
}

// Reveal returns the full numbers of application id and writes the audit event SPEC §7 asks of every read
// of a full ID number. The roles that keep, decide, pay or audit a case may; admins never do.
func (s *Service) Reveal(ctx context.Context, a actor.Actor, id int64) (Revealed, error) {
	if err := a.Require(readers...); err != nil {
		return Revealed{}, err
	}
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Revealed, error) {
		app, err := Get(ctx, tx, a, id)
		if err != nil {
			return Revealed{}, err
		}
		out := Revealed{ApplicantIDNumber: app.ApplicantIDNumber, ApplicantPhone: app.ApplicantPhone, StudentIDNumber: app.StudentIDNumber}
		return out, audit.Record(ctx, tx, a, s.Clock.Now(), audit.Entry{Action: "application.read_full", EntityType: "application",
			EntityID: fmt.Sprint(id), OrgID: app.OrgID, OrgPath: app.OrgPath, Reason: "查看完整证件号码和手机号"})
	})
}

// Period is the period of a report: calendar dates, inclusive; empty: the current year up to today.
type Period struct {
	From string `query:"from"`
	To   string `query:"to"`
}

// GreenChannelReport compares green-channel and ordinary applications in a's scope submitted in period p.
func (s *Service) GreenChannelReport(ctx context.Context, a actor.Actor, p Period) (GreenReport, error) {
	if err := a.Require(readers...); err != nil {
		return GreenReport{}, err
	}
	return GreenChannelReport(ctx, s.DB.R, a, s.Clock.Now(), p.From, p.To)
}

// mayTake refuses an action that does not exist (404) or that a's roles may never take (403), before
// anything about the application or the input is looked at.
func mayTake(a actor.Actor, action string) error {
	t, ok := transition(action)
	if !ok || action == ActEdit {
		return apperr.NotFoundf("没有这个操作：%s", action)
	}
	return a.Require(t.Roles...)
}
