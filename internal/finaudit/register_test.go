package finaudit_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/finaudit"
	"bangfu/internal/money"
)

// allPages walks every page of the register for f and returns the payments.
func allPages(t *testing.T, s *finaudit.Service, a actor.Actor, f finaudit.RegisterFilter) ([]finaudit.Payment, finaudit.Register) {
	t.Helper()
	var all []finaudit.Payment
	var first finaudit.Register
	f.PerPage = 37
	for f.Page = 1; ; f.Page++ {
		r, err := s.Register(context.Background(), a, f)
		if err != nil {
			t.Fatal(err)
		}
		if f.Page == 1 {
			first = r
		}
		if len(r.Items) == 0 {
			break
		}
		all = append(all, r.Items...)
	}
	return all, first
}

func TestRegister_ListsEveryPaymentWithTotalsThatAddUp(t *testing.T) {
	db := demoDB(t)
	s := service(db)
	all, r := allPages(t, s, user(t, db, "auditor1"), finaudit.RegisterFilter{})
	apps := one[int](t, db, "SELECT count(*) FROM applications WHERE status IN ('disbursed', 'received', 'recovered')")
	costs := one[int](t, db, "SELECT count(*) FROM campaign_purchases WHERE reversed_at IS NULL") +
		one[int](t, db, "SELECT count(*) FROM campaign_enrolments WHERE transfer_id IS NOT NULL")
	want := apps + costs
	if r.Total != want || len(all) != want || apps < 100 || costs < 10 {
		t.Fatalf("register has %d (total %d), the applications %d and campaign costs %d", len(all), r.Total, apps, costs)
	}
	var sum money.Fen
	seen := map[string]bool{}
	byType := map[string]money.Fen{}
	for i, p := range all {
		sum += p.AmountFen
		byType[p.Type] += p.AmountFen
		key := p.Kind + " " + strconv.FormatInt(p.ApplicationID, 10) + " " + strconv.FormatInt(p.TransferID, 10)
		if seen[key] {
			t.Fatalf("payment %s on two pages", p.AppNo)
		}
		seen[key] = true
		if i > 0 && p.PaidAt > all[i-1].PaidAt {
			t.Fatalf("not newest first at %d", i)
		}
		if p.Kind == "campaign_cost" {
			// A campaign's purchase or health checks: its campaign, the supplier or clinic unmasked, the line.
			if p.ApplicationID != 0 || p.CampaignID == 0 || p.PayeeName == "" || strings.Contains(p.PayeeName, "*") || p.BudgetLine == "" ||
				(p.Type != "cooling" && p.Type != "health_check") || p.TypeName == "" {
				t.Fatalf("campaign cost: %+v", p)
			}
			continue
		}
		if p.Kind != "application" || p.VoucherNo == "" || p.MethodName == "" || p.BudgetLine == "" || p.Caseworker == "" || p.Disburser == "" || len(p.Approvers) == 0 {
			t.Fatalf("payment without its voucher, method, line or people: %+v", p)
		}
		if !strings.Contains(p.PayeeName, "*") || (p.Method == "bank" && !strings.Contains(p.PayeeCard, "*")) {
			t.Fatalf("payee not masked: %q %q", p.PayeeName, p.PayeeCard)
		}
		if p.AmountFen > 1000000 && len(p.Approvers) != 2 && !p.Green {
			t.Errorf("%s above ¥10,000 names %v as approvers, want two", p.AppNo, p.Approvers)
		}
	}
	if sum != r.TotalFen {
		t.Errorf("pages add up to %d, total_fen %d", sum, r.TotalFen)
	}
	for typ, fen := range byType {
		if r.ByType[typ].Fen != fen {
			t.Errorf("by_type[%s] = %+v, pages say %d", typ, r.ByType[typ], fen)
		}
	}
}

func TestRegister_EachFilterKeepsOnlyWhatItSays(t *testing.T) {
	db := demoDB(t)
	s := service(db)
	aud := user(t, db, "auditor1")
	epidemicFund := one[int64](t, db, "SELECT id FROM fund_accounts WHERE kind = 'fund' AND purposes LIKE '%epidemic%' AND purposes NOT LIKE '%general%'")
	medicalLine := one[int64](t, db, "SELECT id FROM fund_accounts WHERE kind = 'budget' AND aid_type = 'medical'")
	sub := one[int64](t, db, "SELECT id FROM orgs WHERE code = 'BJ-XX-GH'")
	subPath := one[string](t, db, "SELECT path FROM orgs WHERE id = ?", sub)
	tests := []struct {
		name string
		f    finaudit.RegisterFilter
		keep func(p finaudit.Payment) bool
	}{
		{"type", finaudit.RegisterFilter{Type: "medical"}, func(p finaudit.Payment) bool { return p.Type == "medical" }},
		{"cooling goods bought", finaudit.RegisterFilter{Type: "cooling"}, func(p finaudit.Payment) bool { return p.Type == "cooling" }},
		{"health checks", finaudit.RegisterFilter{Type: "health_check"}, func(p finaudit.Payment) bool { return p.Type == "health_check" }},
		{"green", finaudit.RegisterFilter{Green: "true"}, func(p finaudit.Payment) bool { return p.Green }},
		{"not green", finaudit.RegisterFilter{Green: "false"}, func(p finaudit.Payment) bool { return !p.Green }},
		{"status", finaudit.RegisterFilter{Status: "disbursed"}, func(p finaudit.Payment) bool { return p.Status == "disbursed" && !p.Recovered }},
		{"period", finaudit.RegisterFilter{From: "2026-09-01", To: "2026-09-30"}, func(p finaudit.Payment) bool {
			return p.PaidAt >= "2026-08-31T16:00:00" && p.PaidAt < "2026-09-30T16:00:00"
		}},
		{"budget line", finaudit.RegisterFilter{BudgetLineID: medicalLine}, func(p finaudit.Payment) bool { return p.BudgetLineID == medicalLine }},
		{"fund source", finaudit.RegisterFilter{FundID: epidemicFund}, func(p finaudit.Payment) bool { return strings.Contains(p.BudgetLine, "疫情") }},
		{"org subtree", finaudit.RegisterFilter{OrgID: sub}, func(p finaudit.Payment) bool {
			if p.Kind == "campaign_cost" {
				return strings.HasPrefix(one[string](t, db, "SELECT org_path FROM campaigns WHERE id = ?", p.CampaignID), subPath)
			}
			return strings.HasPrefix(one[string](t, db, "SELECT org_path FROM applications WHERE id = ?", p.ApplicationID), subPath)
		}},
	}
	everything, _ := allPages(t, s, aud, finaudit.RegisterFilter{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, r := allPages(t, s, aud, tt.f)
			want := 0
			for _, p := range everything {
				if tt.keep(p) {
					want++
				}
			}
			if len(got) != want || r.Total != want || want == 0 || want == len(everything) {
				t.Fatalf("%d kept (total %d), %d of %d match", len(got), r.Total, want, len(everything))
			}
			checkTotals(t, got, r)
			for _, p := range got {
				if !tt.keep(p) {
					t.Fatalf("kept %+v", p)
				}
			}
		})
	}
}

func TestRegister_RefusesWrongRolesBadFiltersAndOrgsOutOfScope(t *testing.T) {
	db := demoDB(t)
	s := service(db)
	for _, u := range []string{"caseworker1", "admin"} {
		if _, err := s.Register(context.Background(), user(t, db, u), finaudit.RegisterFilter{From: "garbage"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v, want forbidden before the filter is read", u, err)
		}
	}
	sup := user(t, db, "supervisor1") // 西兴街道: not 长河
	if _, err := s.Register(context.Background(), sup, finaudit.RegisterFilter{}); err != nil {
		t.Errorf("supervisor reads the register of the money they decide on: %v", err)
	}
	other := one[int64](t, db, "SELECT id FROM orgs WHERE code = 'BJ-CH'")
	for _, f := range []finaudit.RegisterFilter{{From: "2026-13-01"}, {Type: "lottery"}, {Status: "paid"}, {Green: "yes"},
		{OrgID: other}, {FundID: 999999}, {BudgetLineID: 1}} {
		if _, err := s.Register(context.Background(), sup, f); apperr.CodeOf(err) != apperr.Validation {
			t.Errorf("%+v: %v, want a validation error", f, err)
		}
	}
	all, _ := allPages(t, s, sup, finaudit.RegisterFilter{})
	for _, p := range all {
		if path := one[string](t, db, "SELECT org_path FROM applications WHERE id = ?", p.ApplicationID); !strings.HasPrefix(path, "/1/2/") {
			t.Fatalf("supervisor of 西兴 sees %s at %s", p.AppNo, path)
		}
	}
}

// TestRegister_AWalkReadsTheSameLinesAsThePages: the export's walk of the register, batch after batch from where
// the last stopped, reads exactly the lines of the register's pages, in their order, for any batch size and
// filter, campaign costs and payments with the same paid time included.
func TestRegister_AWalkReadsTheSameLinesAsThePages(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	svc := service(db)
	auditor := user(t, db, "auditor1")
	// Ties on the paid time: three payments paid in the same microsecond as the newest campaign cost.
	sql(t, db, `UPDATE applications SET disbursed_at = (SELECT max(created_at) FROM fund_transfers WHERE id IN
		(SELECT money_transfer_id FROM campaign_purchases)) WHERE id IN (SELECT id FROM applications
		WHERE status IN ('disbursed', 'received') ORDER BY id LIMIT 3)`)
	for _, f := range []finaudit.RegisterFilter{{}, {Type: "living"}, {Green: "false", Status: "received"}, {From: "2026-03-01", To: "2026-09-30"}} {
		var pages []finaudit.Payment
		total := 0
		for page := 1; ; page++ {
			f.Page, f.PerPage = page, 50
			r, err := svc.Register(ctx, auditor, f)
			if err != nil {
				t.Fatal(err)
			}
			total = r.Total
			pages = append(pages, r.Items...)
			if len(r.Items) < 50 {
				break
			}
		}
		if len(pages) != total || total < 10 {
			t.Fatalf("%+v: the pages hold %d lines of %d", f, len(pages), total)
		}
		for _, batch := range []int{7, 200} {
			w, err := svc.WalkRegister(ctx, auditor, f)
			if err != nil {
				t.Fatal(err)
			}
			var walked []finaudit.Payment
			for {
				lines, err := w.Next(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				walked = append(walked, lines...)
				if len(lines) < batch {
					break
				}
			}
			if !reflect.DeepEqual(walked, pages) {
				t.Errorf("%+v, batches of %d: the walk read %d lines, the pages %d, not the same", f, batch, len(walked), len(pages))
			}
		}
	}
}
