// Package relieftest prepares relief workloads for benchmarks and load tests: many submitted applications
// that supervisors can approve and finance can pay, with the money to pay them. It writes through the areas'
// own Go API, so everything it prepares passed the same rules as through HTTP.
package relieftest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	files "bangfu/internal/household"
	"bangfu/internal/ledger/ledgertest"
	"bangfu/internal/money"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// Org is the grassroots union whose caseworker (caseworker1, of the demo users) files the households.
const Org = "BJ-XX-JH-01"

// AmountFen is what each prepared application asks for (¥100).
const AmountFen money.Fen = 10_000

// Submitted files households of caseworker1 in Org with their documents, funds a living-aid line of now's
// year with exactly the money the applications need, and submits n living-aid applications of ¥100 over them
// (25 per household, well within the yearly caps), all at now. The database must hold the demo users
// (demo.Seed). It returns the applications' ids.
func Submitted(ctx context.Context, db *store.DB, now time.Time, n int) ([]int64, error) {
	as := func(username string) (actor.Actor, error) {
		var id int64
		if err := db.R.GetContext(ctx, &id, "SELECT id FROM users WHERE username = ?", username); err != nil {
			return actor.Actor{}, fmt.Errorf("user %s: %w", username, err)
		}
		return auth.ActorFor(ctx, db.R, id, "prepare")
	}
	cw, err := as("caseworker1")
	if err != nil {
		return nil, err
	}
	sup, err := as("supervisor1")
	if err != nil {
		return nil, err
	}
	fin, err := as("finance1")
	if err != nil {
		return nil, err
	}
	var org int64
	if err := db.R.GetContext(ctx, &org, "SELECT id FROM orgs WHERE code = ?", Org); err != nil {
		return nil, fmt.Errorf("org %s: %w", Org, err)
	}
	// Dates the user types are China dates: from 16:00 UTC on, a UTC date is already yesterday there.
	day := func(d int) time.Time { return now.AddDate(0, 0, d) }
	homes := make([]int64, (n+24)/25)
	if err := db.Write(ctx, func(tx *sqlx.Tx) error {
		for i := range homes {
			birth := time.Date(1970+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			h, err := files.CreateTx(ctx, tx, cw, day(-40), files.Input{Fields: files.Fields{OrgID: org,
				Name: fmt.Sprintf("职工%d", i), Gender: "male", IDNumber: demo.ResidentID("330108", birth, i, true),
				BirthDate: birth.Format("2006-01-02"), Phone: fmt.Sprintf("138%08d", i), Industry: "construction",
				EmploymentStatus: "employed", Address: "滨江区江汉路1号", BankCard: demo.BankCard("622202", i), Health: "chronic",
				Disability: "none", MainCause: "illness", SecondaryCauses: files.CauseList{}, IncomeWagesFen: 1_800_000}})
			if err != nil {
				return err
			}
			steps := []struct {
				a    actor.Actor
				at   time.Time
				name string
				in   files.ActionInput
			}{
				{cw, day(-40), files.ActSubmit, files.ActionInput{}},
				{cw, day(-39), files.ActVisit, files.ActionInput{VisitDate: day(-39).In(clock.China).Format("2006-01-02"), Visitors: "王丽娟",
					Findings: "情况属实", ConsentSigned: true}},
				{cw, day(-38), files.ActPublicize, files.ActionInput{StartDate: day(-38).In(clock.China).Format("2006-01-02")}},
				{sup, day(-20), files.ActFile, files.ActionInput{}},
			}
			for _, s := range steps {
				if _, err := files.ActTx(ctx, tx, s.a, s.at, h.ID, s.name, s.in); err != nil {
					return fmt.Errorf("household %d %s: %w", i, s.name, err)
				}
			}
			homes[i] = h.ID
		}
		_, err := ledgertest.FundLine(ctx, tx, fin, now, ledgertest.Line{Fund: "上级补助（压力测试）", Year: int64(now.In(clock.China).Year()),
			AidType: "living", AmountFen: money.Fen(n) * AmountFen, Voucher: "压力"})
		return err
	}); err != nil {
		return nil, err
	}
	// The documents a living-aid application needs, uploaded concurrently so that they share commits.
	var wg sync.WaitGroup
	errs := make(chan error, len(homes)*2)
	hs := &files.Service{DB: db, Clock: clock.NewManual(day(-1))}
	for _, id := range homes {
		for _, kind := range relief.RequiredDocs[relief.Living] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := hs.AddDocument(ctx, cw, id, kind, kind+".png", PNG()); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	ids := make([]int64, 0, n)
	if err := db.Write(ctx, func(tx *sqlx.Tx) error {
		for i := range n {
			a, err := relief.CreateTx(ctx, tx, cw, now, relief.Input{Type: relief.Living, HouseholdID: homes[i%len(homes)],
				AmountFen: AmountFen, Purpose: "家庭生活困难，申请生活救助"})
			if err != nil {
				return err
			}
			if _, err := relief.ActTx(ctx, tx, cw, now, a.ID, relief.ActSubmit, relief.ActionInput{}); err != nil {
				return fmt.Errorf("submit %d: %w", i, err)
			}
			ids = append(ids, a.ID)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return ids, nil
}

// PNG is the smallest valid PNG image, for a document upload.
func PNG() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
}
