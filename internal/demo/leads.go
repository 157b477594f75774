package demo

import (
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/policy"
	"bangfu/internal/relief"
)

// leads tells, after the ordinary stories, the cases that the anomaly report (SPEC §8.2) exists to find, so
// that an auditor opening the demo sees what each rule raises on records like a district's. Every case goes
// through the same services and rules as real work: these are patterns the rules allow case by case and only
// the report sees across cases. (Households sharing a bank card or a phone are in Households; a flagged
// green-channel payment not yet recovered is among the green stories.)
func (d *district) leads() error {
	used := map[int64]bool{}
	// pick finds a filed household of caseworker cw with no medical case of its own yet.
	pick := func(cw string) (*household.Household, error) {
		for i := range d.homes {
			h := &d.homes[i]
			if h.Filed() && !used[h.ID] && d.caseworker(h) == cw && h.Health != "serious" && h.ExpenseMedicalFen == 0 {
				var n int
				if err := d.db.R.GetContext(d.ctx, &n, "SELECT count(*) FROM applications WHERE household_id = ? AND green = 1", h.ID); err != nil {
					return nil, err
				}
				if n == 0 {
					used[h.ID] = true
					return h, nil
				}
			}
		}
		return nil, fmt.Errorf("demo leads: no household left for %s", cw)
	}
	medical := func(h *household.Household, cw string, yuan int64, t0 time.Time, target relief.Status, purpose string) error {
		return d.tell(story{cw: cw, t0: t0, target: target, decide: 20 * time.Hour, in: relief.Input{Type: relief.Medical,
			HouseholdID: h.ID, AmountFen: money.Yuan(yuan), OutOfPocketFen: money.Yuan(yuan * 3), Purpose: purpose}})
	}

	// Just below the threshold: three medical payments from one caseworker on one day, each at 96–99% of
	// second_approval_above (10,000 yuan), so that none needs the second supervisor.
	for i, yuan := range []int64{9_600, 9_800, 9_900} {
		h, err := pick("caseworker1")
		if err != nil {
			return err
		}
		if err := medical(h, "caseworker1", yuan, d.ago(11, 3+2*i), relief.Received, medicalPurposes[i]); err != nil {
			return err
		}
	}

	// Split payments: one household's medical costs paid in two parts twelve days apart, each under the
	// threshold, together above it.
	h, err := pick("caseworker2")
	if err != nil {
		return err
	}
	if err := medical(h, "caseworker2", 6_000, d.ago(22, 3), relief.Received, "本人住院手术，先行申请第一期医疗救助"); err != nil {
		return err
	}
	if err := medical(h, "caseworker2", 5_500, d.ago(10, 3), relief.Received, "出院后继续治疗，申请第二期医疗救助"); err != nil {
		return err
	}

	// Paid after the file was closed: approved, then the household moved away and its file was exited, and
	// finance paid the approved case two days later all the same.
	h, err = pick("caseworker1")
	if err != nil {
		return err
	}
	if err := medical(h, "caseworker1", 3_000, d.ago(9, 3), relief.Approved, medicalPurposes[3]); err != nil {
		return err
	}
	var appID int64
	if err := d.db.R.GetContext(d.ctx, &appID, lastMedical, h.ID); err != nil {
		return fmt.Errorf("demo leads: the approved case of household %d: %w", h.ID, err)
	}
	exitAt := d.ago(4, 2)
	if _, err := householdsAt(d.db, exitAt).Act(d.ctx, d.users["supervisor1"], h.ID, household.ActExit,
		household.ActionInput{ExitReason: "moved", Reason: "全家已迁往外省居住，经核实予以撤档"}); err != nil {
		return fmt.Errorf("demo leads: exit household %d: %w", h.ID, err)
	}
	if err := d.payApproved(appID, d.ago(2, 1)); err != nil {
		return err
	}

	// Above the cap in force: a large medical case approved by two supervisors under the district's cap of
	// 30,000 yuan, then the street union lowered its own cap to 20,000 yuan, and the case was paid after the
	// new version took effect. The report reads each payment against the version in force when it was paid.
	h, err = pick("caseworker1")
	if err != nil {
		return err
	}
	if err := medical(h, "caseworker1", 25_000, d.ago(8, 3), relief.Approved, medicalPurposes[0]); err != nil {
		return err
	}
	if err := d.db.R.GetContext(d.ctx, &appID, lastMedical, h.ID); err != nil {
		return fmt.Errorf("demo leads: the approved case of household %d: %w", h.ID, err)
	}
	changed := d.ago(3, 0)
	params, err := policy.InForce(d.ctx, d.db.R, h.OrgID, clock.Date(changed))
	if err != nil {
		return err
	}
	params.Params.MedicalCapYearFen = 2_000_000
	if _, err := (&policy.Service{DB: d.db, Clock: clock.NewManual(changed)}).Create(d.ctx, d.users["admin"],
		policy.NewVersion{EffectiveFrom: clock.Date(changed), OrgID: h.OrgID, Params: params.Params}); err != nil {
		return fmt.Errorf("demo leads: the street union's policy version: %w", err)
	}
	return d.payApproved(appID, d.ago(1, 2))
}

// lastMedical is the newest medical case of a household: the one a lead has just told.
const lastMedical = "SELECT id FROM applications WHERE household_id = ? AND type = 'medical' ORDER BY id DESC LIMIT 1"

// payApproved pays approved application id at t, by bank transfer, as finance1.
func (d *district) payApproved(id int64, t time.Time) error {
	d.voucher++
	return d.db.Write(d.ctx, func(tx *sqlx.Tx) error {
		_, err := relief.ActTx(d.ctx, tx, d.users["finance1"], t, id, relief.ActDisburse,
			relief.ActionInput{VoucherNo: fmt.Sprintf("付-%d-%04d", d.yearStart.Year(), d.voucher), PaymentMethod: "bank"})
		if err != nil {
			return fmt.Errorf("demo leads: pay application %d: %w", id, err)
		}
		return nil
	})
}
