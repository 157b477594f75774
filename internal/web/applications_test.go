package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"bangfu/internal/ledger"
	"bangfu/internal/web/webtest"
)

// app is what the tests read of an application answer.
type app struct {
	ID          int64    `json:"id"`
	AppNo       string   `json:"app_no"`
	Type        string   `json:"type"`
	Status      string   `json:"status"`
	AmountFen   int64    `json:"amount_fen"`
	HouseholdID int64    `json:"household_id"`
	ApplicantID string   `json:"applicant_id_number"`
	Green       bool     `json:"green"`
	DecideBy    string   `json:"decide_by"`
	DocsDue     string   `json:"docs_due"`
	MissingDocs []string `json:"missing_docs"`
	DocsOverdue bool     `json:"docs_overdue"`
	Overdue     bool     `json:"overdue"`
	ReviewDue   bool     `json:"review_due"`
	TransferID  int64    `json:"transfer_id"`
	PolicyID    int64    `json:"policy_id"`
	Actions     []string `json:"actions"`
	Transfers   []struct {
		ID        int64  `json:"id"`
		State     string `json:"state"`
		AmountFen int64  `json:"amount_fen"`
	} `json:"transfers"`
}

func decodeApp(r *webtest.Response) app {
	var a app
	r.Decode(&a)
	return a
}

func appPath(a app, action string) string {
	if action == "" {
		return fmt.Sprintf("/api/v1/applications/%d", a.ID)
	}
	return fmt.Sprintf("/api/v1/applications/%d/%s", a.ID, action)
}

// reliefFixture is a server on 2026-03-17 with filed households of caseworker1 and the funds to pay them.
type reliefFixture struct {
	t                  *testing.T
	srv                *webtest.Server
	cw, sup1, sup2, fn *webtest.Client
}

func newReliefFixture(t *testing.T) *reliefFixture {
	srv := webtest.New(t)
	f := &reliefFixture{t: t, srv: srv}
	f.login()
	return f
}

func (f *reliefFixture) login() {
	cs := relogin(f.srv, "caseworker1", "supervisor1", "supervisor2", "finance1")
	f.cw, f.sup1, f.sup2, f.fn = cs[0], cs[1], cs[2], cs[3]
}

// filed returns household n filed, with every document an application may ask for.
func (f *reliefFixture) filed(n int, docs ...string) hh {
	f.t.Helper()
	h := toFiled(f.t, f.srv, n)
	f.login()
	if len(docs) == 0 {
		docs = []string{"id_scan", "income_proof", "diagnosis", "receipt", "admission_letter", "statement"}
	}
	for _, k := range docs {
		if r := upload(f.t, f.cw, f.srv, h, k, k+".png", pngBytes()); r.Status != http.StatusCreated {
			f.t.Fatalf("upload %s: %d %s", k, r.Status, r.Body)
		}
	}
	return h
}

// budget makes a fund for every purpose and a 2026 budget line for aidType holding fen.
func (f *reliefFixture) budget(aidType string, fen int64) account {
	f.t.Helper()
	var fund, line account
	f.fn.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费-" + aidType,
		"purposes": []string{"general", "medical", "education"}}).Decode(&fund)
	f.fn.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": aidType}).Decode(&line)
	f.fn.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": fen, "voucher_no": "收-" + aidType, "payment_method": "bank"})
	f.fn.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": fen})
	return line
}

func (f *reliefFixture) line(id int64) account {
	f.t.Helper()
	var acc account
	f.fn.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d", id), nil).Decode(&acc)
	return acc
}

func (f *reliefFixture) draft(body map[string]any) app {
	f.t.Helper()
	return decodeApp(f.cw.Must(http.StatusCreated, "POST", "/api/v1/applications", body))
}

func (f *reliefFixture) submitted(body map[string]any) app {
	f.t.Helper()
	a := f.draft(body)
	return decodeApp(f.cw.Must(http.StatusOK, "POST", appPath(a, "submit"), map[string]any{}))
}

func living(h hh, fen int64) map[string]any {
	return map[string]any{"type": "living", "household_id": h.ID, "amount_fen": fen, "purpose": "家庭生活困难，申请生活救助"}
}

func TestApplication_LivingFromDraftToReceived(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("living", 1000000)
	h := f.filed(1)

	a := f.draft(living(h, 200000))
	if a.Status != "draft" || a.ApplicantID != h.IDNumber || len(a.AppNo) != 12 {
		t.Fatalf("draft = %+v", a)
	}
	if !has(a.Actions, "submit") || !has(a.Actions, "edit") {
		t.Errorf("caseworker's actions on a draft = %v", a.Actions)
	}
	a = decodeApp(f.cw.Must(http.StatusOK, "POST", appPath(a, "submit"), map[string]any{}))
	if a.Status != "submitted" || a.DecideBy == "" {
		t.Fatalf("submitted = %+v", a)
	}
	a = decodeApp(f.sup1.Must(http.StatusOK, "GET", appPath(a, ""), nil))
	if !has(a.Actions, "approve") || !has(a.Actions, "reject") || !has(a.Actions, "return") {
		t.Errorf("supervisor's actions = %v", a.Actions)
	}
	a = decodeApp(f.sup1.Must(http.StatusOK, "POST", appPath(a, "approve"), map[string]any{}))
	if a.Status != "approved" || a.TransferID == 0 || a.PolicyID == 0 {
		t.Fatalf("approved = %+v", a)
	}
	if len(a.Transfers) != 1 || a.Transfers[0].State != ledger.Pending || a.Transfers[0].AmountFen != 200000 {
		t.Fatalf("an approved application has exactly one pending transfer: %+v", a.Transfers)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 800000 || acc.PendingOut != 200000 {
		t.Errorf("line after approval: available %d pending %d", acc.AvailableFen, acc.PendingOut)
	}
	a = decodeApp(f.fn.Must(http.StatusOK, "POST", appPath(a, "disburse"), map[string]any{"voucher_no": "付-0001", "payment_method": "bank"}))
	if a.Status != "disbursed" || len(a.Transfers) != 1 || a.Transfers[0].State != ledger.Posted {
		t.Fatalf("disbursed = %+v", a)
	}
	if acc := f.line(line.ID); acc.PostedFen != 800000 || acc.PendingOut != 0 {
		t.Errorf("line after payment: posted %d pending %d", acc.PostedFen, acc.PendingOut)
	}
	a = decodeApp(f.cw.Must(http.StatusOK, "POST", appPath(a, "confirm-receipt"), map[string]any{"receipt_kind": "bank_receipt", "receipt_ref": "HD20260317001"}))
	if a.Status != "received" {
		t.Fatalf("received = %+v", a)
	}
	var ds struct {
		Items []struct {
			Action   string `json:"action"`
			Outcome  string `json:"outcome"`
			Snapshot struct {
				Policy struct {
					ID int64 `json:"id"`
				} `json:"policy"`
				Checks []struct {
					Rule string `json:"rule"`
					OK   bool   `json:"ok"`
				} `json:"checks"`
				Household struct {
					IDNumber string `json:"id_number"`
				} `json:"household"`
				Funding struct {
					AccountID int64 `json:"account_id"`
				} `json:"funding"`
				Decider string `json:"decider"`
			} `json:"snapshot"`
		} `json:"items"`
	}
	f.sup1.Must(http.StatusOK, "GET", appPath(a, "decisions"), nil).Decode(&ds)
	if len(ds.Items) != 1 || ds.Items[0].Outcome != "approved" {
		t.Fatalf("decisions = %+v", ds)
	}
	snap := ds.Items[0].Snapshot
	// SPEC §4.2: the snapshot keeps the household, the policy version, the rule checks and the approver.
	if snap.Policy.ID != a.PolicyID || snap.Funding.AccountID != line.ID || snap.Household.IDNumber != h.IDNumber ||
		len(snap.Checks) < 3 || snap.Decider != "李建国" {
		t.Errorf("snapshot = %+v", snap)
	}
}

func TestApplication_RuleRefusalsAtSubmissionSayWhichRuleAndTheNumbers(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("living", 5000000)
	h := f.filed(1)
	// living_cap_year = 12 × 900 = ¥10,800.00
	a := f.submitted(living(h, 980000))
	f.sup1.Must(http.StatusOK, "POST", appPath(a, "approve"), map[string]any{})
	b := f.draft(living(h, 200000))
	r := f.cw.Refused(http.StatusConflict, "conflict", "POST", appPath(b, "submit"), map[string]any{})
	_, msg, _ := r.Error()
	want := "本年度生活救助已发放 ¥9,800.00，上限 ¥10,800.00，本次 ¥2,000.00 超出"
	if !strings.Contains(msg, want) {
		t.Errorf("message = %q, want it to contain %q", msg, want)
	}
}

func TestApplication_FiftyApprovalsRaceForALineThatCoversTwenty(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("condolence", 20*50000)
	h := f.filed(1)
	var apps []app
	for i := 0; i < 50; i++ {
		apps = append(apps, f.submitted(map[string]any{"type": "condolence", "household_id": h.ID, "amount_fen": 50000, "purpose": fmt.Sprintf("慰问 %d", i)}))
	}
	var wg sync.WaitGroup
	codes := make([]int, len(apps))
	for i, a := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sup := f.sup1
			if i%2 == 1 {
				sup = f.sup2
			}
			r := sup.Do("POST", appPath(a, "approve"), map[string]any{})
			codes[i] = r.Status
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			won++
		case http.StatusConflict:
			lost++
		default:
			t.Errorf("status %d", c)
		}
	}
	if won != 20 || lost != 30 {
		t.Fatalf("won %d, lost %d; want 20 and 30", won, lost)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 0 || acc.PendingOut != 20*50000 {
		t.Errorf("line: available %d pending %d", acc.AvailableFen, acc.PendingOut)
	}
	var v struct {
		OK bool `json:"ok"`
	}
	f.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/audit/verify", nil).Decode(&v)
	if !v.OK {
		t.Error("the audit chain does not verify")
	}
}

func TestApplication_GreenChannelOpensTheFileAlongsidePaysFirstAndIsReviewedAndRecoveredAfter(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("living", 1000000)
	body := household(f.srv, 5)
	body["industry"] = "catering" // a pandemic-hit industry
	a := f.draft(map[string]any{"type": "living", "household": body, "amount_fen": 500000, "purpose": "门店停业，生活无着",
		"green": true, "green_reason": "pandemic", "green_note": "所在餐饮门店停业三个月"})
	if a.HouseholdID == 0 || !a.Green {
		t.Fatalf("green draft = %+v", a)
	}
	var h hh
	f.cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", a.HouseholdID), nil).Decode(&h)
	if h.Status != "submitted" {
		t.Errorf("the file opened alongside is %q, want submitted", h.Status)
	}
	// Only the ID and a signed statement are needed up front.
	r := f.cw.Refused(http.StatusBadRequest, "validation", "POST", appPath(a, "submit"), map[string]any{})
	if _, _, fields := r.Error(); !strings.Contains(fields["documents"], "身份证复印件") {
		t.Errorf("missing documents: %v", fields)
	}
	for _, k := range []string{"id_scan", "statement"} {
		if r := upload(t, f.cw, f.srv, h, k, k+".png", pngBytes()); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", k, r.Status, r.Body)
		}
	}
	a = decodeApp(f.cw.Must(http.StatusOK, "POST", appPath(a, "submit"), map[string]any{}))
	if a.DecideBy != "2026-03-11T01:00:00.000000Z" { // 24 hours after 2026-03-10 09:00 CST
		t.Errorf("decide_by = %s", a.DecideBy)
	}
	// A normal application submitted earlier still comes after it in the queue.
	var queue struct {
		Items []app `json:"items"`
	}
	f.sup1.Must(http.StatusOK, "GET", "/api/v1/applications?queue=approval", nil).Decode(&queue)
	if len(queue.Items) == 0 || queue.Items[0].ID != a.ID {
		t.Errorf("approval queue does not start with the green case: %+v", queue.Items)
	}
	a = decodeApp(f.sup1.Must(http.StatusOK, "POST", appPath(a, "approve"), map[string]any{}))
	if a.Status != "approved" || a.DocsDue != "2026-04-09" || !a.ReviewDue {
		t.Fatalf("approved green case = %+v", a)
	}
	if !has(a.MissingDocs, "income_proof") {
		t.Errorf("missing docs after approval = %v", a.MissingDocs)
	}
	f.fn.Must(http.StatusOK, "POST", appPath(a, "disburse"), map[string]any{"voucher_no": "付-G1", "payment_method": "bank"})
	f.sup1.Refused(http.StatusForbidden, "forbidden", "POST", appPath(a, "review"), map[string]any{"outcome": "confirmed"})
	f.sup2.Refused(http.StatusBadRequest, "validation", "POST", appPath(a, "review"), map[string]any{"outcome": "flagged"})
	a = decodeApp(f.sup2.Must(http.StatusOK, "POST", appPath(a, "review"), map[string]any{"outcome": "flagged", "note": "经核实门店仍在营业"}))
	if a.ReviewDue || has(a.Actions, "review") {
		t.Errorf("after the review: review_due %v, actions %v", a.ReviewDue, a.Actions)
	}
	if fa := decodeApp(f.fn.Must(http.StatusOK, "GET", appPath(a, ""), nil)); !has(fa.Actions, "recover") {
		t.Errorf("finance's actions on a flagged payment = %v", fa.Actions)
	}
	f.fn.Refused(http.StatusBadRequest, "validation", "POST", appPath(a, "recover"), map[string]any{})
	a = decodeApp(f.fn.Must(http.StatusOK, "POST", appPath(a, "recover"), map[string]any{"reason": "复核存疑，追回救助金", "voucher_no": "追-G1"}))
	if len(a.Transfers) != 2 || a.Transfers[1].AmountFen != 500000 {
		t.Fatalf("transfers after recovery = %+v", a.Transfers)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 1000000 {
		t.Errorf("line after recovery: available %d, want the whole budget back", acc.AvailableFen)
	}
	f.fn.Refused(http.StatusConflict, "conflict", "POST", appPath(a, "recover"), map[string]any{"reason": "再次追回"})
}

func TestApplication_FullNumbersAreMaskedUntilAPermittedRoleRevealsThemAndTheReadIsAudited(t *testing.T) {
	f := newReliefFixture(t)
	h := f.filed(1)
	a := f.draft(living(h, 100000))
	if strings.Contains(string(f.cw.Must(http.StatusOK, "GET", appPath(a, ""), nil).Body), id(1)) {
		t.Fatal("the detail answer carries the full ID number")
	}
	before := auditCount(t, f.srv, "application.read_full")
	var rev struct {
		ApplicantIDNumber string `json:"applicant_id_number"`
	}
	f.sup1.Must(http.StatusOK, "POST", appPath(a, "reveal"), map[string]any{}).Decode(&rev)
	if rev.ApplicantIDNumber != id(1) {
		t.Errorf("revealed %q, want %q", rev.ApplicantIDNumber, id(1))
	}
	if got := auditCount(t, f.srv, "application.read_full"); got != before+1 {
		t.Errorf("read_full events: %d, want %d", got, before+1)
	}
	f.srv.Login("admin").Refused(http.StatusForbidden, "forbidden", "POST", appPath(a, "reveal"), map[string]any{})
	f.srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "POST", appPath(a, "reveal"), map[string]any{})
}

func TestApplication_EpidemicMoneyPaysOnlyPandemicCases(t *testing.T) {
	f := newReliefFixture(t)
	var fund, epidemic account
	f.fn.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "疫情防控专项", "purposes": []string{"epidemic"}}).Decode(&fund)
	f.fn.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "living", "purpose": "epidemic"}).Decode(&epidemic)
	f.fn.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 1000000})
	f.fn.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": epidemic.ID, "amount_fen": 1000000})
	h := f.filed(1)

	// 专款专用: with only epidemic money, an ordinary living application finds nothing to draw on.
	a := f.submitted(living(h, 100000))
	r := f.sup1.Refused(http.StatusConflict, "conflict", "POST", appPath(a, "approve"), map[string]any{})
	if _, msg, _ := r.Error(); !strings.Contains(msg, "日常帮扶") {
		t.Errorf("refusal = %q, want it to name the purpose it looked for", msg)
	}
	general := f.budget("living", 1000000)
	a = decodeApp(f.sup1.Must(http.StatusOK, "POST", appPath(a, "approve"), map[string]any{}))
	if acc := f.line(general.ID); a.Status != "approved" || acc.PendingOut != 100000 {
		t.Errorf("the ordinary case is %s and reserved %d on the general line, want approved and 100000", a.Status, acc.PendingOut)
	}
	if acc := f.line(epidemic.ID); acc.PendingOut != 0 {
		t.Errorf("the ordinary case reserved %d on the epidemic line, want nothing", acc.PendingOut)
	}

	// A pandemic green-channel case draws on the epidemic line first.
	body := household(f.srv, 9)
	body["industry"] = "retail"
	g := f.draft(map[string]any{"type": "living", "household": body, "amount_fen": 300000, "purpose": "超市停业",
		"green": true, "green_reason": "pandemic"})
	var gh hh
	f.cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", g.HouseholdID), nil).Decode(&gh)
	for _, k := range []string{"id_scan", "statement"} {
		upload(t, f.cw, f.srv, gh, k, k+".png", pngBytes())
	}
	f.cw.Must(http.StatusOK, "POST", appPath(g, "submit"), map[string]any{})
	f.sup1.Must(http.StatusOK, "POST", appPath(g, "approve"), map[string]any{})
	if acc := f.line(epidemic.ID); acc.PendingOut != 300000 {
		t.Errorf("the pandemic case reserved %d on the epidemic line, want 300000", acc.PendingOut)
	}
}

func TestApplication_AFileOpenedAlongsideNamesItsRefusedFieldsUnderHousehold(t *testing.T) {
	f := newReliefFixture(t)
	body := household(f.srv, 3)
	body["id_number"] = body["id_number"].(string)[:17] + map[bool]string{true: "0", false: "1"}[strings.HasSuffix(body["id_number"].(string), "1")]
	r := f.cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/applications", map[string]any{"type": "living",
		"household": body, "amount_fen": 300000, "purpose": "停业", "green": true, "green_reason": "accident"})
	if _, _, fields := r.Error(); fields["household.id_number"] == "" {
		t.Errorf("fields = %v, want household.id_number", fields)
	}
}

// SPEC §1.2: admin manages users, orgs and policy versions and reads no case or money data — relief's
// service refuses every read of an application, whatever the route.
func TestApplication_AdminReadsNoApplicationData(t *testing.T) {
	f := newReliefFixture(t)
	a := f.draft(living(f.filed(1), 100000))
	admin := f.srv.Login("admin")
	for _, p := range []string{"/api/v1/applications", "/api/v1/applications?queue=approval", appPath(a, ""), appPath(a, "checks"),
		appPath(a, "decisions"), appPath(a, "history"), "/api/v1/reports/green-channel"} {
		admin.Refused(http.StatusForbidden, "forbidden", "GET", p, nil)
	}
	admin.Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/applications/bulk-approve", map[string]any{"ids": []int64{a.ID}})
	f.cw.Must(http.StatusOK, "GET", appPath(a, "history"), nil) // the same reads are open to the case's roles
	f.cw.Must(http.StatusOK, "GET", "/api/v1/reports/green-channel", nil)
}
