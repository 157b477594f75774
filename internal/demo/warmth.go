package demo

import (
	"context"
	"fmt"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/campaign"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// warmthDemo is the year's 送温暖 campaign (SPEC §5): each caseworker puts the filed households of their
// unions on its list — those already visited this year are refused per item by the relief rule, once per
// household per year — plus two holiday-duty workers, and a supervisor approves the list in bulk.
func warmthDemo(ctx context.Context, db *store.DB, cs *campaign.Service, fin, sup actor.Actor, cws map[string]actor.Actor, year int,
	line func(string) (int64, error)) error {
	wLine, err := line("warmth")
	if err != nil {
		return err
	}
	c, err := cs.Create(ctx, fin, campaign.New{Kind: campaign.Warmth, Name: fmt.Sprintf("%d年元旦春节“送温暖”活动", year),
		StartsOn: fmt.Sprintf("%d-01-01", year), EndsOn: fmt.Sprintf("%d-12-31", year), BudgetAccountID: wLine,
		Note: "节前走访慰问困难职工家庭和节日坚守岗位职工"})
	if err != nil {
		return fmt.Errorf("demo warmth campaign: %w", err)
	}
	if _, err := cs.Act(ctx, fin, c.ID, campaign.ActOpen, campaign.ActionInput{}); err != nil {
		return err
	}
	var submitted []int64
	for i, u := range []string{"caseworker1", "caseworker2"} {
		in := campaign.WarmthInput{Category: "relative"}
		if i == 0 {
			var site int64
			if err := db.R.GetContext(ctx, &site, "SELECT id FROM orgs WHERE code = 'BJ-XX-JH-01'"); err != nil {
				return err
			}
			for k, name := range []string{"钱卫东", "郑海燕"} {
				birth := time.Date(1988-k*9, time.Month(3+k), 12, 0, 0, 0, 0, time.UTC)
				in.Workers = append(in.Workers, campaign.WarmthWorker{Name: name, IDNumber: ResidentID("330108", birth, 700+k, k == 0),
					OrgID: site, DutyNote: []string{"春节坚守工地安全值班", "春节坚守酒店前台岗位"}[k]})
			}
		}
		run, err := cs.ApplyWarmth(ctx, cws[u], c.ID, in)
		if err != nil {
			return fmt.Errorf("demo warmth list of %s: %w", u, err)
		}
		for _, it := range run.Items {
			if it.Result == campaign.WarmthCreated {
				submitted = append(submitted, it.ApplicationID)
			}
		}
	}
	if len(submitted) == 0 {
		return fmt.Errorf("demo warmth: nobody on the list")
	}
	rs := &relief.Service{DB: db, Clock: cs.Clock}
	for lo := 0; lo < len(submitted); lo += relief.MaxBulk {
		if _, err := rs.ApproveMany(ctx, sup, relief.BulkApproval{IDs: submitted[lo:min(lo+relief.MaxBulk, len(submitted))], Reason: "送温暖名单经审核，同意慰问"}); err != nil {
			return fmt.Errorf("demo warmth approval: %w", err)
		}
	}
	return nil
}
