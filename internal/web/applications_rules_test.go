package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"bangfu/internal/ledger"
	"bangfu/internal/web/webtest"
)

// Issue 5: every rule, transition and refusal of SPEC §4 over HTTP, with the exact code of SPEC §9.2.

// actionBody is a valid body for each workflow action.
func actionBody(action string) map[string]any {
	switch action {
	case "return":
		return map[string]any{"reason": "材料不全，请补充收入证明"}
	case "reject":
		return map[string]any{"reason": "家庭收入超出标准"}
	case "void":
		return map[string]any{"reason": "重复申请，作废"}
	case "disburse":
		return map[string]any{"voucher_no": "付-2026-001", "payment_method": "cash"}
	case "confirm-receipt":
		return map[string]any{"receipt_kind": "signature", "receipt_ref": "签收-001"}
	case "review":
		return map[string]any{"outcome": "confirmed"}
	}
	return map[string]any{}
}

var allDocs = []string{"id_scan", "income_proof", "diagnosis", "receipt", "admission_letter", "statement"}

// fileAll files the households of bodies together — submitted, visited, publicized from 2026-03-10 and
// filed on the 17th — without documents, and logs the fixture's users in again; the clock stays at
// 2026-03-17 09:00.
func (f *reliefFixture) fileAll(bodies ...map[string]any) []hh {
	f.t.Helper()
	f.srv.Clock.Set(webtest.Start)
	cw := f.srv.Login("caseworker1")
	var hs []hh
	for _, b := range bodies {
		h := decodeHH(cw.Must(http.StatusCreated, "POST", "/api/v1/households", b))
		cw.Must(http.StatusOK, "POST", path(h, "submit"), map[string]any{})
		cw.Must(http.StatusOK, "POST", path(h, "visit"), map[string]any{"visit_date": "2026-03-10", "visitors": "王丽娟、刘强",
			"findings": "家中有重病人，收入微薄", "consent_signed": true})
		cw.Must(http.StatusOK, "POST", path(h, "publicize"), map[string]any{"start_date": "2026-03-10"})
		hs = append(hs, h)
	}
	sup := afterPublicity(f.srv, "supervisor1")[0]
	for i, h := range hs {
		hs[i] = decodeHH(sup.Must(http.StatusOK, "POST", path(h, "file"), map[string]any{}))
	}
	f.login()
	return hs
}

// docs uploads documents of the given kinds to h's file as caseworker1.
func (f *reliefFixture) docs(h hh, kinds ...string) {
	f.t.Helper()
	for _, k := range kinds {
		if r := upload(f.t, f.cw, f.srv, h, k, k+".png", pngBytes()); r.Status != http.StatusCreated {
			f.t.Fatalf("upload %s: %d %s", k, r.Status, r.Body)
		}
	}
}

// unfiled registers a household as caseworker1 and leaves it a draft (open, not filed).
func (f *reliefFixture) unfiled(body map[string]any) hh {
	f.t.Helper()
	return decodeHH(f.cw.Must(http.StatusCreated, "POST", "/api/v1/households", body))
}

// act takes action on a as c and fails the test unless it succeeds.
func (f *reliefFixture) act(c *webtest.Client, a app, action string) app {
	f.t.Helper()
	return decodeApp(c.Must(http.StatusOK, "POST", appPath(a, action), actionBody(action)))
}

func (f *reliefFixture) get(c *webtest.Client, a app) app {
	f.t.Helper()
	return decodeApp(c.Must(http.StatusOK, "GET", appPath(a, ""), nil))
}

// approved submits body and has supervisor1 approve it (supervisor2 gives the second approval when needed).
func (f *reliefFixture) approved(body map[string]any) app {
	f.t.Helper()
	a := f.act(f.sup1, f.submitted(body), "approve")
	if a.Status == "first_approved" {
		a = f.act(f.sup2, a, "approve")
	}
	if a.Status != "approved" {
		f.t.Fatalf("approved: %+v", a)
	}
	return a
}

// setPolicy has the admin store a district-wide policy version effective today with the default parameters
// changed as given.
func (f *reliefFixture) setPolicy(changes map[string]any) {
	f.t.Helper()
	admin := f.srv.Login("admin")
	params := defaultParams(f.t, admin)
	for k, v := range changes {
		params[k] = v
	}
	admin.Must(http.StatusCreated, "POST", "/api/v1/policies", map[string]any{
		"effective_from": f.srv.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"), "params": params})
}

// later moves the clock on and logs everyone in again (sessions end after 30 idle minutes).
func (f *reliefFixture) later(d time.Duration) {
	f.srv.Clock.Advance(d)
	f.login()
}

const staffPassword = "own-secret-2026"

// staff creates a user through the admin API, changes the one-time password as a new user must, and
// returns them logged in; log them in again with staffPassword.
func staff(t *testing.T, srv *webtest.Server, username, orgCode string, roles ...string) *webtest.Client {
	t.Helper()
	srv.Login("admin").Must(http.StatusCreated, "POST", "/api/v1/users", newUser(username, srv.OrgID(orgCode), roles...))
	c := srv.LoginWith(username, "pass-2026-word")
	c.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"old_password": "pass-2026-word", "new_password": staffPassword})
	return srv.LoginWith(username, staffPassword)
}

func condolence(h hh, fen int64) map[string]any {
	return map[string]any{"type": "condolence", "household_id": h.ID, "amount_fen": fen, "purpose": "家属病故，申请慰问"}
}

func medical(h hh, fen, outOfPocket int64) map[string]any {
	return map[string]any{"type": "medical", "household_id": h.ID, "amount_fen": fen, "out_of_pocket_fen": outOfPocket,
		"purpose": "配偶住院治疗，自付费用高"}
}

// education is for the household's student (the child of household(), at senior high); fen 0 takes the policy amount.
func education(h hh, fen int64) map[string]any {
	return map[string]any{"type": "education", "household_id": h.ID, "student_member_id": h.Members[1].ID, "amount_fen": fen,
		"purpose": "子女就读高中，申请金秋助学"}
}

func warmth(h hh, fen int64) map[string]any {
	return map[string]any{"type": "warmth", "household_id": h.ID, "amount_fen": fen, "purpose": "春节送温暖"}
}

// green marks body a green-channel case with reason.
func green(body map[string]any, reason string) map[string]any {
	body["green"], body["green_reason"], body["green_note"] = true, reason, "突发情况，先行救助"
	return body
}

// saysAll checks that r's message contains each of want.
func saysAll(t *testing.T, r *webtest.Response, want ...string) {
	t.Helper()
	_, msg, _ := r.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
}

func hasField(t *testing.T, r *webtest.Response, fields ...string) {
	t.Helper()
	_, _, fs := r.Error()
	for _, k := range fields {
		if fs[k] == "" {
			t.Errorf("fields %v lack %s", fs, k)
		}
	}
}

// workflowFixture holds an application in every status of SPEC §4.2, all of caseworker1's household 1,
// and a green-channel case approved by supervisor1.
type workflowFixture struct {
	*reliefFixture
	h       hh
	byState map[string]app
	green   app
}

func newWorkflowFixture(t *testing.T) *workflowFixture {
	t.Helper()
	f := &workflowFixture{reliefFixture: newReliefFixture(t), byState: map[string]app{}}
	f.budget("condolence", 10_000_000)
	f.h = f.fileAll(household(f.srv, 1))[0]
	f.docs(f.h, allDocs...)
	small := func(i int) map[string]any { return condolence(f.h, int64(10000+i)) }
	f.byState["draft"] = f.draft(small(1))
	f.byState["returned"] = f.act(f.sup1, f.submitted(small(2)), "return")
	f.byState["submitted"] = f.submitted(small(3))
	f.byState["first_approved"] = f.act(f.sup1, f.submitted(condolence(f.h, 1_200_000)), "approve")
	f.byState["approved"] = f.approved(small(4))
	f.byState["disbursed"] = f.act(f.fn, f.approved(small(5)), "disburse")
	f.byState["received"] = f.act(f.cw, f.act(f.fn, f.approved(small(6)), "disburse"), "confirm-receipt")
	f.byState["rejected"] = f.act(f.sup1, f.submitted(small(7)), "reject")
	f.byState["cancelled"] = f.act(f.fn, f.approved(small(8)), "void")
	f.green = f.approved(green(small(9), "accident"))
	for st, a := range f.byState {
		if a.Status != st {
			t.Fatalf("fixture: application %d is %s, want %s", a.ID, a.Status, st)
		}
	}
	return f
}

func (f *workflowFixture) auditEvents() int {
	f.t.Helper()
	var n int
	if err := f.srv.DB.R.Get(&n, "SELECT count(*) FROM audit_events"); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// SPEC §4.2: every action from every status it does not apply to is a 409 conflict for the very user who may
// take it elsewhere; the allowed pairs are written out by hand from the SPEC, not read from relief.Workflow.
func TestApplication_EveryActionFromAStatusItDoesNotApplyToIsAConflict(t *testing.T) {
	f := newWorkflowFixture(t)
	allowed := map[string][]string{
		"draft":          {"edit", "submit"},
		"returned":       {"edit", "submit"},
		"submitted":      {"approve", "return", "reject"},
		"first_approved": {"approve", "return", "reject"},
		"approved":       {"disburse", "void"}, // and review, for a green-channel case only (below)
		"disbursed":      {"confirm-receipt"},
		"received":       {},
		"rejected":       {},
		"cancelled":      {},
	}
	who := map[string]*webtest.Client{"edit": f.cw, "submit": f.cw, "approve": f.sup2, "return": f.sup2, "reject": f.sup2,
		"disburse": f.fn, "void": f.fn, "confirm-receipt": f.cw, "review": f.sup2}
	before := f.auditEvents()
	for st, a := range f.byState {
		for action, c := range who {
			if has(allowed[st], action) {
				continue
			}
			t.Run(st+"/"+action, func(t *testing.T) {
				if action == "edit" {
					c.Refused(http.StatusConflict, "conflict", "PUT", appPath(a, ""), condolence(f.h, 10000))
					return
				}
				c.Refused(http.StatusConflict, "conflict", "POST", appPath(a, action), actionBody(action))
			})
		}
	}
	// The retrospective review belongs to the green channel: it is a conflict on an approved ordinary case,
	// and on a green case once it is done.
	f.sup2.Refused(http.StatusConflict, "conflict", "POST", appPath(f.byState["approved"], "review"), actionBody("review"))
	f.act(f.sup2, f.green, "review")
	before++
	f.sup2.Refused(http.StatusConflict, "conflict", "POST", appPath(f.green, "review"), actionBody("review"))
	if n := f.auditEvents(); n != before {
		t.Errorf("refused actions wrote %d audit events", n-before)
	}
	for st, a := range f.byState {
		if got := f.get(f.sup1, a); got.Status != st {
			t.Errorf("a refused action moved application %d from %s to %s", a.ID, st, got.Status)
		}
	}
}

// SPEC §1.1, §1.2: in scope without the role is 403 — admin included, who takes no case or money action —
// and out of scope is 404 for reading and for every action, even with the right role.
func TestApplication_EveryActionRefusesWrongRoleAsForbiddenAndOutOfScopeAsNotFound(t *testing.T) {
	f := newWorkflowFixture(t)
	u := map[string]*webtest.Client{
		"chsupervisor": staff(t, f.srv, "chsupervisor", "BJ-CH", "supervisor"),
		"chfinance":    staff(t, f.srv, "chfinance", "BJ-CH", "finance"),
	}
	for _, name := range []string{"caseworker1", "caseworker2", "supervisor1", "finance1", "auditor1", "admin"} {
		u[name] = f.srv.Login(name)
	}
	cases := []struct {
		action, state string
		outsider      string   // the right role, another subtree
		wrongRoles    []string // in scope, without the role
	}{
		{"edit", "draft", "caseworker2", []string{"supervisor1", "finance1", "auditor1", "admin"}},
		{"submit", "draft", "caseworker2", []string{"supervisor1", "finance1", "auditor1", "admin"}},
		{"submit", "returned", "caseworker2", []string{"supervisor1", "finance1", "auditor1", "admin"}},
		{"approve", "submitted", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"approve", "first_approved", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"return", "submitted", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"reject", "first_approved", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"disburse", "approved", "chfinance", []string{"caseworker1", "supervisor1", "auditor1", "admin"}},
		{"void", "approved", "chfinance", []string{"caseworker1", "supervisor1", "auditor1", "admin"}},
		{"confirm-receipt", "disbursed", "caseworker2", []string{"supervisor1", "auditor1", "admin"}},
		{"review", "green", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
	}
	before := f.auditEvents()
	for _, c := range cases {
		a := f.byState[c.state]
		if c.state == "green" {
			a = f.green
		}
		send := func(cl *webtest.Client, status int, code string) *webtest.Response {
			if c.action == "edit" {
				return cl.Refused(status, code, "PUT", appPath(a, ""), condolence(f.h, 10000))
			}
			return cl.Refused(status, code, "POST", appPath(a, c.action), actionBody(c.action))
		}
		t.Run(c.action+"/"+c.state+"/out-of-scope", func(t *testing.T) {
			if r := send(u[c.outsider], http.StatusNotFound, "not_found"); strings.Contains(string(r.Body), a.AppNo) {
				t.Errorf("the 404 names the application: %s", r.Body)
			}
		})
		for _, w := range c.wrongRoles {
			t.Run(c.action+"/"+c.state+"/"+w, func(t *testing.T) { send(u[w], http.StatusForbidden, "forbidden") })
		}
	}
	t.Run("create", func(t *testing.T) {
		for _, w := range []string{"supervisor1", "finance1", "auditor1", "admin"} {
			u[w].Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/applications", condolence(f.h, 10000))
		}
		// caseworker2 cannot reach household 1: the household is named as a field of the draft.
		r := u["caseworker2"].Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/applications", condolence(f.h, 10000))
		hasField(t, r, "household_id")
	})
	t.Run("bulk-approve", func(t *testing.T) {
		for _, w := range []string{"caseworker1", "finance1", "auditor1", "admin"} {
			u[w].Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/applications/bulk-approve",
				map[string]any{"ids": []int64{f.byState["submitted"].ID}})
		}
	})
	t.Run("reads/out-of-scope", func(t *testing.T) {
		a := f.byState["approved"]
		for _, who := range []string{"caseworker2", "chsupervisor", "chfinance"} {
			for _, sub := range []string{"", "/checks", "/decisions", "/history"} {
				u[who].Refused(http.StatusNotFound, "not_found", "GET", appPath(a, "")+sub, nil)
			}
			var l struct{ Total int }
			u[who].Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/applications?household_id=%d", f.h.ID), nil).Decode(&l)
			if l.Total != 0 {
				t.Errorf("%s lists %d applications of another subtree", who, l.Total)
			}
		}
	})
	if n := f.auditEvents(); n != before {
		t.Errorf("refused requests wrote %d audit events", n-before)
	}
}

// SPEC §1.2: the person who submitted an application takes no decision on it, even holding the supervisor role.
func TestApplication_SubmitterMayNotApproveReturnOrRejectTheirOwnApplication(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 1_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan")
	both := staff(t, f.srv, "jhboth", "BJ-XX-JH", "caseworker", "supervisor")
	a := decodeApp(both.Must(http.StatusCreated, "POST", "/api/v1/applications", condolence(h, 50000)))
	a = decodeApp(both.Must(http.StatusOK, "POST", appPath(a, "submit"), map[string]any{}))
	if got := decodeApp(both.Must(http.StatusOK, "GET", appPath(a, ""), nil)); has(got.Actions, "approve") || has(got.Actions, "reject") {
		t.Errorf("the submitter is offered %v", got.Actions)
	}
	for _, action := range []string{"approve", "return", "reject"} {
		r := both.Refused(http.StatusForbidden, "forbidden", "POST", appPath(a, action), actionBody(action))
		saysAll(t, r, "职责分离")
	}
	if a = f.act(f.sup1, a, "approve"); a.Status != "approved" {
		t.Fatalf("another supervisor approves: %+v", a)
	}
}

// SPEC §4.2, §1.2: above second_approval_above (¥10,000) the first approval reserves nothing and waits for a
// second, different supervisor.
func TestApplication_ALargeApplicationNeedsTwoDifferentSupervisors(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("condolence", 5_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan")
	a := f.submitted(condolence(h, 1_000_000))
	if a = f.act(f.sup1, a, "approve"); a.Status != "approved" {
		t.Fatalf("exactly ¥10,000 needs one approval: %+v", a)
	}
	b := f.act(f.sup1, f.submitted(condolence(h, 1_000_001)), "approve")
	if b.Status != "first_approved" || b.TransferID != 0 || len(b.Transfers) != 0 {
		t.Fatalf("first approval of ¥10,000.01: %+v", b)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 4_000_000 || acc.PendingOut != 1_000_000 {
		t.Errorf("a first approval reserved money: available %d pending %d", acc.AvailableFen, acc.PendingOut)
	}
	if got := f.get(f.sup1, b); has(got.Actions, "approve") || !has(got.Actions, "reject") {
		t.Errorf("the first approver's actions: %v", got.Actions)
	}
	r := f.sup1.Refused(http.StatusForbidden, "forbidden", "POST", appPath(b, "approve"), map[string]any{})
	saysAll(t, r, "两名不同的审批人")
	if b = f.act(f.sup2, b, "approve"); b.Status != "approved" || len(b.Transfers) != 1 || b.Transfers[0].State != ledger.Pending {
		t.Fatalf("second approval: %+v", b)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 2_999_999 {
		t.Errorf("after the second approval available %d", acc.AvailableFen)
	}
	var ds struct {
		Items []struct{ Outcome, ActorName string } `json:"items"`
	}
	f.sup1.Must(http.StatusOK, "GET", appPath(b, "decisions"), nil).Decode(&ds)
	if len(ds.Items) != 2 || ds.Items[0].Outcome != "first_approved" || ds.Items[1].Outcome != "approved" {
		t.Errorf("decisions: %+v", ds.Items)
	}
}

// SPEC §1.2: whoever approved an application — alone, first or second — may not pay it, even holding the
// finance role.
func TestApplication_AnApproverMayNotDisburseIt(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 5_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan")
	both := staff(t, f.srv, "supfin", "BJ", "supervisor", "finance")
	cases := []struct {
		name   string
		amount int64
		first  *webtest.Client
		second *webtest.Client
	}{
		{"sole approver", 100000, both, nil},
		{"first approver", 1_100_000, both, f.sup2},
		{"second approver", 1_200_000, f.sup1, both},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := decodeApp(c.first.Must(http.StatusOK, "POST", appPath(f.submitted(condolence(h, c.amount)), "approve"), map[string]any{}))
			if c.second != nil {
				a = decodeApp(c.second.Must(http.StatusOK, "POST", appPath(a, "approve"), map[string]any{}))
			}
			if a.Status != "approved" {
				t.Fatalf("approved: %+v", a)
			}
			if got := decodeApp(both.Must(http.StatusOK, "GET", appPath(a, ""), nil)); has(got.Actions, "disburse") || !has(got.Actions, "void") {
				t.Errorf("the approver's actions: %v", got.Actions)
			}
			r := both.Refused(http.StatusForbidden, "forbidden", "POST", appPath(a, "disburse"), actionBody("disburse"))
			saysAll(t, r, "职责分离")
			f.act(f.fn, a, "disburse")
		})
	}
}

// SPEC §4.3, §1.2: the retrospective review of a green-channel case is by a supervisor other than the approver
// and the submitter.
func TestApplication_GreenReviewIsByASupervisorOtherThanTheApprover(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 1_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan", "statement")
	both := staff(t, f.srv, "jhboth", "BJ-XX-JH", "caseworker", "supervisor")
	d := decodeApp(both.Must(http.StatusCreated, "POST", "/api/v1/applications", green(condolence(h, 300000), "accident")))
	d = decodeApp(both.Must(http.StatusOK, "POST", appPath(d, "submit"), map[string]any{}))
	a := f.act(f.sup1, d, "approve")
	if !a.ReviewDue {
		t.Errorf("an approved green case awaits its review: %+v", a)
	}
	r := f.sup1.Refused(http.StatusForbidden, "forbidden", "POST", appPath(a, "review"), actionBody("review"))
	saysAll(t, r, "批准人以外")
	r = both.Refused(http.StatusForbidden, "forbidden", "POST", appPath(a, "review"), actionBody("review"))
	saysAll(t, r, "自己提交")
	if a = f.act(f.sup2, a, "review"); a.ReviewDue {
		t.Errorf("reviewed: %+v", a)
	}
}

// refusalCase is a request refused with a status, a code, the field it names and the numbers it says.
type refusalCase struct {
	name    string
	status  int
	code    string
	field   string
	message []string
}

func (c refusalCase) check(t *testing.T, cl *webtest.Client, method, path string, body any) {
	t.Helper()
	r := cl.Refused(c.status, c.code, method, path, body)
	if c.field != "" {
		hasField(t, r, c.field)
	}
	saysAll(t, r, c.message...)
}

// SPEC §4.1, §2: each rule refuses a submission with the numbers it compared, as 400 when the input itself is
// wrong and 409 when what was paid before or the file's state stands in the way.
func TestApplication_EachRuleOfSpec41RefusesASubmissionWithItsNumbers(t *testing.T) {
	f := newReliefFixture(t)
	for _, typ := range []string{"living", "medical", "education", "warmth", "condolence"} {
		f.budget(typ, 20_000_000)
	}
	cases := []struct {
		refusalCase
		filed   bool       // the household is filed, or a draft
		earlier func(h hh) // what was approved for the household before
		body    func(h hh) map[string]any
	}{
		{refusalCase{"living needs a filed household", 409, "conflict", "household_id", []string{"生活救助仅限已建档"}},
			false, nil, func(h hh) map[string]any { return living(h, 100000) }},
		{refusalCase{"living within the yearly cap", 409, "conflict", "amount_fen",
			[]string{"本年度生活救助已发放 ¥9,800.00，上限 ¥10,800.00，本次 ¥2,000.00 超出"}},
			true, func(h hh) { f.approved(living(h, 980000)) }, func(h hh) map[string]any { return living(h, 200000) }},
		{refusalCase{"medical no more than the out-of-pocket cost", 409, "conflict", "amount_fen",
			[]string{"申请 ¥3,000.00，票据载明自付费用 ¥2,000.00"}},
			true, nil, func(h hh) map[string]any { return medical(h, 300000, 200000) }},
		{refusalCase{"medical within ¥30,000 a year", 409, "conflict", "amount_fen",
			[]string{"本年度医疗救助已发放 ¥25,000.00，上限 ¥30,000.00，本次 ¥6,000.00 超出"}},
			true, func(h hh) { f.approved(medical(h, 2_500_000, 2_500_000)) }, func(h hh) map[string]any { return medical(h, 600000, 600000) }},
		{refusalCase{"education at the policy amount for a filed senior-high student", 400, "validation", "amount_fen",
			[]string{"政策标准 ¥3,000.00（高中阶段·已建档），申请 ¥2,500.00"}},
			true, nil, func(h hh) map[string]any { return education(h, 250000) }},
		{refusalCase{"education at the policy amount for an unfiled senior-high student", 400, "validation", "amount_fen",
			[]string{"政策标准 ¥2,000.00（高中阶段·未建档），申请 ¥3,000.00"}},
			false, nil, func(h hh) map[string]any { return education(h, 300000) }},
		{refusalCase{"education once per student per school year", 409, "conflict", "student_member_id",
			[]string{"该学生 2025-2026 学年已有 1 件有效申请"}},
			true, func(h hh) { f.approved(education(h, 0)) }, func(h hh) map[string]any { return education(h, 0) }},
		{refusalCase{"warmth no more than ¥1,000", 400, "validation", "amount_fen", []string{"申请 ¥1,000.01，标准 ¥1,000.00"}},
			true, nil, func(h hh) map[string]any { return warmth(h, 100001) }},
		{refusalCase{"warmth once per household per year", 409, "conflict", "household_id", []string{"2026 年度已有 1 件有效申请"}},
			true, func(h hh) { f.approved(warmth(h, 0)) }, func(h hh) map[string]any { return warmth(h, 0) }},
		{refusalCase{"all types together within ¥50,000 a year", 409, "conflict", "amount_fen",
			[]string{"本年度各类现金救助合计已发放 ¥50,000.00，上限 ¥50,000.00，本次 ¥1,000.00 超出"}},
			true, func(h hh) {
				f.approved(medical(h, 3_000_000, 3_000_000))
				f.approved(living(h, 1_080_000))
				f.approved(condolence(h, 920_000))
			}, func(h hh) map[string]any { return warmth(h, 0) }},
	}
	var filedBodies []map[string]any
	for i, c := range cases {
		if c.filed {
			filedBodies = append(filedBodies, household(f.srv, 10+i))
		}
	}
	filed := f.fileAll(filedBodies...)
	for i, c := range cases {
		var h hh
		if c.filed {
			h, filed = filed[0], filed[1:]
		} else {
			h = f.unfiled(household(f.srv, 10+i))
		}
		f.docs(h, allDocs...)
		t.Run(c.name, func(t *testing.T) {
			if c.earlier != nil {
				c.earlier(h)
			}
			d := f.draft(c.body(h))
			c.check(t, f.cw, "POST", appPath(d, "submit"), map[string]any{})
			if got := f.get(f.cw, d); got.Status != "draft" {
				t.Errorf("a refused submission left status %s", got.Status)
			}
		})
	}
}

// withStudentAt puts household body's child at school stage.
func withStudentAt(body map[string]any, stage string) map[string]any {
	body["members"].([]map[string]any)[1]["school_stage"] = stage
	return body
}

// SPEC §2 education_amounts: the amount comes from the policy table by school stage and filed status, and an
// application that leaves it at 0 gets it.
func TestApplication_EducationAmountComesFromThePolicyTable(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("education", 5_000_000)
	filed := f.fileAll(household(f.srv, 1), withStudentAt(household(f.srv, 2), "higher_ed"))
	cases := []struct {
		name string
		h    hh
		want int64
	}{
		{"senior high, filed", filed[0], 300000},
		{"higher education, filed", filed[1], 500000},
		{"senior high, not filed", f.unfiled(household(f.srv, 3)), 200000},
		{"higher education, not filed", f.unfiled(withStudentAt(household(f.srv, 4), "higher_ed")), 400000},
	}
	for _, c := range cases {
		f.docs(c.h, "id_scan", "admission_letter")
		t.Run(c.name, func(t *testing.T) {
			a := f.draft(education(c.h, 0))
			if a.AmountFen != c.want {
				t.Errorf("amount %d, want %d", a.AmountFen, c.want)
			}
			if a = f.act(f.sup1, f.act(f.cw, a, "submit"), "approve"); a.Status != "approved" || a.AmountFen != c.want {
				t.Errorf("approved: %+v", a)
			}
		})
	}
}

// SPEC §4.1: warmth also goes to a holiday-duty worker without a file — once a year, and in cash: there is no
// bank card on file to pay into.
func TestApplication_WarmthReachesAHolidayDutyWorkerWithoutAFile(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("warmth", 1_000_000)
	worker := map[string]any{"type": "warmth", "org_id": f.srv.OrgID("BJ-XX-JH-01"), "applicant_name": "刘师傅",
		"applicant_id_number": id(300), "applicant_phone": "13912345678", "duty_note": "春节期间坚守工地值班", "purpose": "节日坚守岗位慰问"}
	a := f.draft(worker)
	if a.HouseholdID != 0 || a.AmountFen != 100000 || a.Status != "draft" {
		t.Fatalf("draft: %+v", a)
	}
	a = f.act(f.sup1, f.act(f.cw, a, "submit"), "approve")
	if a.Status != "approved" || len(a.Transfers) != 1 || f.line(line.ID).PendingOut != 100000 {
		t.Fatalf("approved: %+v", a)
	}
	r := f.fn.Refused(http.StatusBadRequest, "validation", "POST", appPath(a, "disburse"), map[string]any{"voucher_no": "付-1", "payment_method": "bank"})
	hasField(t, r, "payment_method")
	f.fn.Must(http.StatusOK, "POST", appPath(a, "disburse"), map[string]any{"voucher_no": "付-1", "payment_method": "cash"})
	again := f.draft(worker)
	r = f.cw.Refused(http.StatusConflict, "conflict", "POST", appPath(again, "submit"), map[string]any{})
	saysAll(t, r, "2026 年度已有 1 件有效申请")
	// A worker without a file is for warmth only.
	worker["type"] = "condolence"
	r = f.cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/applications", worker)
	hasField(t, r, "household_id")
}

// SPEC §4.1: the rules run again inside the approval transaction, so an approval fails when something changed
// since the submission — another application approved in between, the file closed, a document removed, or a
// new policy version with lower caps.
func TestApplication_EachRuleIsCheckedAgainAtApproval(t *testing.T) {
	f := newReliefFixture(t)
	for _, typ := range []string{"living", "medical", "education", "warmth", "condolence"} {
		f.budget(typ, 20_000_000)
	}
	var bodies []map[string]any
	for i := 0; i < 9; i++ {
		bodies = append(bodies, household(f.srv, 20+i))
	}
	hs := f.fileAll(bodies...)
	for _, h := range hs {
		f.docs(h, allDocs...)
	}

	t.Run("living cap after another approval", func(t *testing.T) {
		a, b := f.submitted(living(hs[0], 600000)), f.submitted(living(hs[0], 600000))
		f.act(f.sup1, a, "approve")
		refusalCase{"", 409, "conflict", "amount_fen", []string{"本年度生活救助已发放 ¥6,000.00，上限 ¥10,800.00，本次 ¥6,000.00 超出"}}.
			check(t, f.sup1, "POST", appPath(b, "approve"), map[string]any{})
	})
	t.Run("medical cap at the second of two approvals", func(t *testing.T) {
		a, b := f.submitted(medical(hs[1], 2_000_000, 2_000_000)), f.submitted(medical(hs[1], 2_000_000, 2_000_000))
		a, b = f.act(f.sup1, a, "approve"), f.act(f.sup1, b, "approve")
		if b.Status != "first_approved" {
			t.Fatalf("b: %+v", b)
		}
		f.act(f.sup2, a, "approve")
		refusalCase{"", 409, "conflict", "amount_fen", []string{"本年度医疗救助已发放 ¥20,000.00，上限 ¥30,000.00，本次 ¥20,000.00 超出"}}.
			check(t, f.sup2, "POST", appPath(b, "approve"), map[string]any{})
		if got := f.get(f.sup2, b); got.Status != "first_approved" || len(got.Transfers) != 0 {
			t.Errorf("after the refusal: %+v", got)
		}
	})
	t.Run("household file closed", func(t *testing.T) {
		a := f.submitted(condolence(hs[2], 100000))
		f.sup1.Must(http.StatusOK, "POST", path(hs[2], "exit"), actionBodies["exit"])
		refusalCase{"", 409, "conflict", "household_id", []string{"状态为「已撤档」"}}.check(t, f.sup1, "POST", appPath(a, "approve"), map[string]any{})
	})
	t.Run("document removed", func(t *testing.T) {
		a := f.submitted(condolence(hs[3], 100000))
		var docs struct {
			Items []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"items"`
		}
		f.cw.Must(http.StatusOK, "GET", path(hs[3], "documents"), nil).Decode(&docs)
		for _, d := range docs.Items {
			if d.Kind == "id_scan" {
				f.cw.Must(http.StatusNoContent, "DELETE", fmt.Sprintf("%s/%d", path(hs[3], "documents"), d.ID), map[string]any{"reason": "上传错了"})
			}
		}
		refusalCase{"", 400, "validation", "documents", []string{"缺少材料：身份证"}}.check(t, f.sup1, "POST", appPath(a, "approve"), map[string]any{})
	})

	// Submitted under the defaults; then one new version lowers every cap it names.
	lower := []struct {
		refusalCase
		body map[string]any
	}{
		{refusalCase{"living cap", 409, "conflict", "amount_fen", []string{"上限 ¥5,000.00，本次 ¥6,000.00 超出"}}, living(hs[4], 600000)},
		{refusalCase{"household cap", 409, "conflict", "amount_fen", []string{"各类现金救助合计已发放 ¥0.00，上限 ¥8,000.00，本次 ¥9,000.00 超出"}}, condolence(hs[5], 900000)},
		{refusalCase{"warmth amount", 400, "validation", "amount_fen", []string{"申请 ¥1,000.00，标准 ¥800.00"}}, warmth(hs[6], 0)},
		{refusalCase{"education amount", 400, "validation", "amount_fen", []string{"政策标准 ¥3,500.00（高中阶段·已建档），申请 ¥3,000.00"}}, education(hs[7], 0)},
		{refusalCase{"green-channel maximum", 409, "conflict", "amount_fen", []string{"申请 ¥5,000.00，绿色通道单笔上限 ¥4,000.00"}}, green(condolence(hs[8], 500000), "accident")},
	}
	var apps []app
	for _, c := range lower {
		apps = append(apps, f.submitted(c.body))
	}
	f.setPolicy(map[string]any{"living_cap_year_fen": 500000, "household_cap_year_fen": 800000, "warmth_amount_fen": 80000,
		"education_senior_filed_fen": 350000, "green_max_amount_fen": 400000})
	for i, c := range lower {
		t.Run("new policy/"+c.name, func(t *testing.T) {
			c.check(t, f.sup1, "POST", appPath(apps[i], "approve"), map[string]any{})
			if got := f.get(f.sup1, apps[i]); got.Status != "submitted" {
				t.Errorf("status %s", got.Status)
			}
		})
	}
}

// SPEC §4.2, §6: approval reserves (a pending transfer), disbursement posts that same transfer, a void
// releases it; an approved application has exactly one pending or posted transfer, a paid one one posted.
func TestApplication_ApprovalReservesDisbursementPostsAndVoidReleases(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("condolence", 1_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan")
	a, b := f.approved(condolence(h, 200000)), f.approved(condolence(h, 100000))
	for _, x := range []app{a, b} {
		if len(x.Transfers) != 1 || x.Transfers[0].State != ledger.Pending || x.Transfers[0].ID != x.TransferID {
			t.Fatalf("approved %d: %+v", x.ID, x.Transfers)
		}
	}
	if acc := f.line(line.ID); acc.AvailableFen != 700000 || acc.PendingOut != 300000 || acc.PostedFen != 1_000_000 {
		t.Errorf("after two approvals: %+v", acc)
	}
	b = f.act(f.fn, b, "void")
	if b.Status != "cancelled" || len(b.Transfers) != 1 || b.Transfers[0].State != ledger.Voided {
		t.Fatalf("voided: %+v", b)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 800000 || acc.PendingOut != 200000 {
		t.Errorf("a void releases the reservation: %+v", acc)
	}
	a = f.act(f.fn, a, "disburse")
	if a.Status != "disbursed" || len(a.Transfers) != 1 || a.Transfers[0].State != ledger.Posted || a.Transfers[0].ID != a.TransferID {
		t.Fatalf("disbursed: %+v", a.Transfers)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 800000 || acc.PendingOut != 0 || acc.PostedFen != 800000 {
		t.Errorf("payment posts the reservation: %+v", acc)
	}
	if a = f.act(f.cw, a, "confirm-receipt"); len(a.Transfers) != 1 || a.Transfers[0].State != ledger.Posted {
		t.Errorf("received: %+v", a.Transfers)
	}
}

// SPEC §6: a budget line is never overspent — the approval is a conflict that says what is available and
// what was asked — and without a line for the year and type there is nothing to reserve from.
func TestApplication_ApprovalIsAConflictWhenNoLineCanCoverIt(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("condolence", 100000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, allDocs...)
	a := f.submitted(condolence(h, 200000))
	r := f.sup1.Refused(http.StatusConflict, "conflict", "POST", appPath(a, "approve"), map[string]any{})
	saysAll(t, r, "预算不足", "可用 ¥1,000.00，申请 ¥2,000.00")
	hasField(t, r, "amount_fen")
	if got := f.get(f.sup1, a); got.Status != "submitted" || len(got.Transfers) != 0 {
		t.Errorf("after the refusal: %+v", got)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 100000 {
		t.Errorf("line: %+v", acc)
	}
	m := f.submitted(medical(h, 100000, 100000))
	r = f.sup1.Refused(http.StatusConflict, "conflict", "POST", appPath(m, "approve"), map[string]any{})
	saysAll(t, r, "2026 年度没有医疗救助的预算科目")
}

// SPEC §6: when the grassroots union has an allocation (下拨) for the year and type, the reservation draws on it.
func TestApplication_ApprovalDrawsOnTheGrassrootsUnionsAllocation(t *testing.T) {
	f := newReliefFixture(t)
	line := f.budget("living", 1_000_000)
	var alloc transfer
	f.fn.Must(http.StatusCreated, "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID,
		"org_id": f.srv.OrgID("BJ-XX-JH-01"), "amount_fen": 300000, "voucher_no": "拨-001", "idempotency_key": "alloc-jh01"}).Decode(&alloc)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, allDocs...)
	a := f.approved(living(h, 200000))
	var got struct {
		Transfers []struct {
			DebitAccountID int64  `json:"debit_account_id"`
			State          string `json:"state"`
		} `json:"transfers"`
	}
	f.sup1.Must(http.StatusOK, "GET", appPath(a, ""), nil).Decode(&got)
	if len(got.Transfers) != 1 || got.Transfers[0].DebitAccountID != alloc.CreditAccountID {
		t.Fatalf("reserved from %+v, want the allocation %d", got.Transfers, alloc.CreditAccountID)
	}
	if acc := f.line(alloc.CreditAccountID); acc.AvailableFen != 100000 || acc.PendingOut != 200000 {
		t.Errorf("allocation: %+v", acc)
	}
	if acc := f.line(line.ID); acc.AvailableFen != 700000 || acc.PendingOut != 0 {
		t.Errorf("the line itself is untouched: %+v", acc)
	}
	b := f.submitted(living(h, 200000))
	r := f.sup1.Refused(http.StatusConflict, "conflict", "POST", appPath(b, "approve"), map[string]any{})
	saysAll(t, r, "可用 ¥1,000.00，申请 ¥2,000.00")
}

// SPEC §4.2, §6: payment names its voucher and how it was paid — a bank transfer only to a real-name card on
// file (a file always has one; the worker without a file is TestApplication_WarmthReachesAHolidayDutyWorkerWithoutAFile);
// receipt names its kind and reference; return, reject and void name a reason.
func TestApplication_ActionsRefuseMissingDetailsFieldByField(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 1_000_000)
	hs := f.fileAll(household(f.srv, 1))
	f.docs(hs[0], "id_scan")
	a := f.approved(condolence(hs[0], 10000))
	sub := f.submitted(condolence(hs[0], 10001))
	cases := []struct {
		refusalCase
		c    *webtest.Client
		a    app
		verb string
		body map[string]any
	}{
		{refusalCase{"disburse without voucher or method", 400, "validation", "voucher_no", nil}, f.fn, a, "disburse", map[string]any{}},
		{refusalCase{"disburse without method", 400, "validation", "payment_method", nil}, f.fn, a, "disburse", map[string]any{"voucher_no": "付-1"}},
		{refusalCase{"disburse by an unknown method", 400, "validation", "payment_method", nil}, f.fn, a, "disburse", map[string]any{"voucher_no": "付-1", "payment_method": "alipay"}},
		{refusalCase{"disburse with a blank voucher", 400, "validation", "voucher_no", nil}, f.fn, a, "disburse", map[string]any{"voucher_no": "  ", "payment_method": "cash"}},
		{refusalCase{"return without reason", 400, "validation", "reason", nil}, f.sup1, sub, "return", map[string]any{}},
		{refusalCase{"reject with a blank reason", 400, "validation", "reason", nil}, f.sup1, sub, "reject", map[string]any{"reason": "  "}},
		{refusalCase{"void without reason", 400, "validation", "reason", nil}, f.fn, a, "void", map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, c.c, "POST", appPath(c.a, c.verb), c.body) })
	}
	r := f.fn.Refused(http.StatusBadRequest, "validation", "POST", appPath(a, "disburse"), map[string]any{})
	hasField(t, r, "voucher_no", "payment_method")

	a = decodeApp(f.fn.Must(http.StatusOK, "POST", appPath(a, "disburse"), map[string]any{"voucher_no": "付-1", "payment_method": "bank"}))

	for _, c := range []struct {
		refusalCase
		body map[string]any
	}{
		{refusalCase{"receipt without kind", 400, "validation", "receipt_kind", nil}, map[string]any{}},
		{refusalCase{"receipt without reference", 400, "validation", "receipt_ref", nil}, map[string]any{"receipt_kind": "bank_receipt"}},
		{refusalCase{"receipt of an unknown kind", 400, "validation", "receipt_kind", nil}, map[string]any{"receipt_kind": "wechat", "receipt_ref": "x"}},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, f.cw, "POST", appPath(a, "confirm-receipt"), c.body) })
	}
	if a = f.act(f.cw, a, "confirm-receipt"); a.Status != "received" {
		t.Errorf("received: %+v", a)
	}
}

// SPEC §4.3: a green-channel case pays at most green_max_amount (¥5,000), and one supervisor approves it
// at once — even where a policy's second_approval_above would ask an ordinary case of that amount for two.
func TestGreenChannel_AtMostFiveThousandAndOneSupervisorApproves(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 5_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, allDocs...)
	d := f.draft(green(condolence(h, 500001), "accident"))
	refusalCase{"", 409, "conflict", "amount_fen", []string{"申请 ¥5,000.01，绿色通道单笔上限 ¥5,000.00"}}.
		check(t, f.cw, "POST", appPath(d, "submit"), map[string]any{})
	if a := f.act(f.sup1, f.submitted(green(condolence(h, 500000), "accident")), "approve"); a.Status != "approved" {
		t.Fatalf("¥5,000 green: %+v", a)
	}
	f.setPolicy(map[string]any{"second_approval_above_fen": 300000})
	if a := f.act(f.sup1, f.submitted(green(condolence(h, 400000), "critical_illness")), "approve"); a.Status != "approved" {
		t.Errorf("green ¥4,000 above a ¥3,000 threshold: %+v", a)
	}
	if a := f.act(f.sup1, f.submitted(condolence(h, 400000)), "approve"); a.Status != "first_approved" {
		t.Errorf("ordinary ¥4,000 above a ¥3,000 threshold: %+v", a)
	}
}

// SPEC §4.3: only the ID and a signed statement up front — where an ordinary case of the same type needs its
// evidence — and the rest within green_docs_days (30) of the approval, overdue after that until they arrive.
func TestGreenChannel_NeedsOnlyIDAndStatementUpFrontAndTheRestWithinThirtyDays(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("medical", 5_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan", "statement")
	normal := f.draft(medical(h, 300000, 400000))
	refusalCase{"", 400, "validation", "documents", []string{"缺少材料"}}.check(t, f.cw, "POST", appPath(normal, "submit"), map[string]any{})

	bare := f.unfiled(household(f.srv, 2))
	d := f.draft(green(medical(bare, 300000, 400000), "critical_illness"))
	refusalCase{"", 400, "validation", "documents", []string{"缺少材料"}}.check(t, f.cw, "POST", appPath(d, "submit"), map[string]any{})

	a := f.submitted(green(medical(h, 300000, 400000), "critical_illness"))
	if len(a.MissingDocs) != 0 {
		t.Errorf("before the decision only ID and statement count: %v", a.MissingDocs)
	}
	a = f.act(f.sup1, a, "approve") // 2026-03-17
	if a.DocsDue != "2026-04-16" || strings.Join(a.MissingDocs, ",") != "diagnosis,receipt" || a.DocsOverdue {
		t.Fatalf("approved: due %s missing %v overdue %v", a.DocsDue, a.MissingDocs, a.DocsOverdue)
	}
	queue := func() int {
		var l struct{ Total int }
		f.sup1.Must(http.StatusOK, "GET", "/api/v1/applications?queue=docs_overdue", nil).Decode(&l)
		return l.Total
	}
	f.srv.Clock.Set(time.Date(2026, 4, 16, 20, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	f.login()
	if got := f.get(f.sup1, a); got.DocsOverdue || queue() != 0 {
		t.Errorf("on the due date: %+v", got)
	}
	f.later(5 * time.Hour) // 2026-04-17 01:00
	if got := f.get(f.sup1, a); !got.DocsOverdue || queue() != 1 {
		t.Errorf("the day after: overdue %v, queue %d", got.DocsOverdue, queue())
	}
	f.docs(h, "diagnosis", "receipt")
	if got := f.get(f.sup1, a); got.DocsOverdue || len(got.MissingDocs) != 0 || queue() != 0 {
		t.Errorf("once they arrive: overdue %v missing %v queue %d", got.DocsOverdue, got.MissingDocs, queue())
	}
}

// SPEC §4.3: a pandemic-hit industry is catering, accommodation or retail.
func TestGreenChannel_PandemicReasonOnlyForCateringAccommodationOrRetail(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 1_000_000)
	bodies := []map[string]any{household(f.srv, 1)}
	for i, ind := range []string{"catering", "accommodation", "retail"} {
		b := household(f.srv, 2+i)
		b["industry"], b["org_id"], b["employer"] = ind, f.srv.OrgID("BJ-XX-JH-02"), "悦来餐饮管理有限公司"
		bodies = append(bodies, b)
	}
	hs := f.fileAll(bodies...)
	for _, h := range hs {
		f.docs(h, "id_scan", "statement")
	}
	d := f.draft(green(condolence(hs[0], 100000), "pandemic"))
	refusalCase{"", 400, "validation", "green_reason", []string{"该职工所在行业：建筑"}}.check(t, f.cw, "POST", appPath(d, "submit"), map[string]any{})
	for _, h := range hs[1:] {
		f.submitted(green(condolence(h, 100000), "pandemic"))
	}
}

// SPEC §4.3: decide_by is the submission plus green_sla_hours (24); past it the case shows overdue.
func TestGreenChannel_IsOverdueTwentyFourHoursAfterSubmission(t *testing.T) {
	f := newReliefFixture(t)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan", "statement")
	a := f.submitted(green(condolence(h, 100000), "accident"))
	if a.DecideBy != "2026-03-18T01:00:00.000000Z" || a.Overdue { // submitted 2026-03-17 09:00 CST
		t.Fatalf("decide_by %s overdue %v", a.DecideBy, a.Overdue)
	}
	f.later(24 * time.Hour)
	if got := f.get(f.sup1, a); got.Overdue {
		t.Errorf("at the deadline: overdue")
	}
	f.later(time.Second)
	if got := f.get(f.sup1, a); !got.Overdue {
		t.Errorf("past the deadline: not overdue")
	}
}

// SPEC §4.3: every approved green case awaits a review; a flag needs its note.
func TestGreenChannel_ReviewIsRequiredAndAFlagNeedsANote(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 1_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan", "statement")
	a := f.approved(green(condolence(h, 100000), "accident"))
	var l struct {
		Items []app `json:"items"`
	}
	f.sup2.Must(http.StatusOK, "GET", "/api/v1/applications?queue=review", nil).Decode(&l)
	if !a.ReviewDue || len(l.Items) != 1 || l.Items[0].ID != a.ID || !has(l.Items[0].Actions, "review") {
		t.Fatalf("review queue: %+v", l.Items)
	}
	refusalCase{"", 400, "validation", "outcome", nil}.check(t, f.sup2, "POST", appPath(a, "review"), map[string]any{})
	refusalCase{"", 400, "validation", "note", nil}.check(t, f.sup2, "POST", appPath(a, "review"), map[string]any{"outcome": "flagged", "note": " "})
	r := f.sup2.Must(http.StatusOK, "POST", appPath(a, "review"), map[string]any{"outcome": "flagged", "note": "承诺书签名与身份证不符"})
	if got := r.JSON(); got["review_outcome"] != "flagged" || got["review_due"] != false {
		t.Errorf("flagged: %v %v", got["review_outcome"], got["review_due"])
	}
	f.sup2.Must(http.StatusOK, "GET", "/api/v1/applications?queue=review", nil).Decode(&l)
	if len(l.Items) != 0 {
		t.Errorf("still in the review queue: %+v", l.Items)
	}
}

// SPEC §2 green_monthly_quota: past it in a month the approval is a conflict; the next month it is allowed.
func TestGreenChannel_MonthlyQuotaRefusesTheThirdApprovalUntilNextMonth(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 1_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, "id_scan", "statement")
	f.setPolicy(map[string]any{"green_monthly_quota": 2})
	var apps []app
	for i := 0; i < 3; i++ {
		apps = append(apps, f.submitted(green(condolence(h, int64(10000+i)), "accident")))
	}
	f.act(f.sup1, apps[0], "approve")
	f.act(f.sup2, apps[1], "approve")
	refusalCase{"", 409, "conflict", "", []string{"全区本月已批准绿色通道 2 件，月度限额 2 件"}}.
		check(t, f.sup1, "POST", appPath(apps[2], "approve"), map[string]any{})
	// An ordinary case is not counted.
	f.approved(condolence(h, 20000))
	f.srv.Clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	f.login()
	if a := f.act(f.sup1, apps[2], "approve"); a.Status != "approved" {
		t.Errorf("next month: %+v", a)
	}
}

// SPEC §4.3: a worker without a file may take the green channel, the file opened (and submitted) alongside;
// only a green case may do that.
func TestGreenChannel_OpensTheHouseholdFileAlongside(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("living", 1_000_000)
	body := green(living(hh{}, 300000), "accident")
	delete(body, "household_id")
	body["household"] = household(f.srv, 40)
	r := f.cw.Must(http.StatusCreated, "POST", "/api/v1/applications", body)
	a := decodeApp(r)
	if a.HouseholdID == 0 || r.JSON()["opened_household"] != true {
		t.Fatalf("created: %s", r.Body)
	}
	h := decodeHH(f.cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", a.HouseholdID), nil))
	if h.Status != "submitted" {
		t.Errorf("the new file is %s, want submitted", h.Status)
	}
	f.docs(h, "id_scan", "statement")
	if a = f.act(f.sup1, f.act(f.cw, a, "submit"), "approve"); a.Status != "approved" {
		t.Errorf("a living case on a file opened alongside: %+v", a)
	}
	ordinary := living(hh{}, 300000)
	delete(ordinary, "household_id")
	ordinary["household"] = household(f.srv, 41)
	refusalCase{"", 400, "validation", "household", nil}.check(t, f.cw, "POST", "/api/v1/applications", ordinary)
	both := green(living(h, 300000), "accident")
	both["household"] = household(f.srv, 42)
	refusalCase{"", 400, "validation", "household", nil}.check(t, f.cw, "POST", "/api/v1/applications", both)
	var hs struct{ Total int }
	f.cw.Must(http.StatusOK, "GET", "/api/v1/households", nil).Decode(&hs)
	if hs.Total != 1 {
		t.Errorf("%d households; the refused creates opened files", hs.Total)
	}
}

// SPEC §4.3: the approval queue lists green cases first, nearest deadline first, then the oldest submission.
func TestGreenChannel_JumpsTheApprovalQueueByDeadline(t *testing.T) {
	f := newReliefFixture(t)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, allDocs...)
	step := func() { f.srv.Clock.Advance(10 * time.Minute) }
	n1 := f.submitted(condolence(h, 10001))
	step()
	g1 := f.submitted(green(condolence(h, 10002), "accident")) // due in 24 h
	step()
	n2 := f.submitted(condolence(h, 10003))
	step()
	f.setPolicy(map[string]any{"green_sla_hours": 4})
	f.login()
	g2 := f.submitted(green(condolence(h, 10004), "accident")) // later, but due in 4 h
	step()
	f.draft(condolence(h, 10005)) // a draft is in no queue
	var l struct {
		Items []app `json:"items"`
		Total int   `json:"total"`
	}
	f.sup1.Must(http.StatusOK, "GET", "/api/v1/applications?queue=approval", nil).Decode(&l)
	var got []int64
	for _, a := range l.Items {
		got = append(got, a.ID)
	}
	if want := []int64{g2.ID, g1.ID, n1.ID, n2.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queue %v, want %v", got, want)
	}
}

// SPEC §5: bulk approval checks every rule per item and reports each item's result with its code; the good
// ones are approved.
func TestApplication_BulkApprovalReportsEachItemWithItsCode(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("living", 5_000_000)
	f.budget("condolence", 5_000_000)
	hs := f.fileAll(household(f.srv, 1), household(f.srv, 2))
	f.docs(hs[0], allDocs...)
	f.docs(hs[1], allDocs...)
	good := f.submitted(condolence(hs[0], 50000))
	overCap := f.submitted(living(hs[1], 600000))
	f.approved(living(hs[1], 600000))
	done := f.approved(condolence(hs[0], 40000))
	// caseworker of 长河 (another sub-district than supervisor1's 西兴)
	ch := staff(t, f.srv, "chcaseworker", "BJ-CH-CH", "caseworker")
	b := household(f.srv, 3)
	b["org_id"] = f.srv.OrgID("BJ-CH-CH-01")
	other := decodeHH(ch.Must(http.StatusCreated, "POST", "/api/v1/households", b))
	if r := upload(t, ch, f.srv, other, "id_scan", "id.png", pngBytes()); r.Status != http.StatusCreated {
		t.Fatalf("upload: %s", r.Body)
	}
	o := decodeApp(ch.Must(http.StatusCreated, "POST", "/api/v1/applications", condolence(other, 50000)))
	ch.Must(http.StatusOK, "POST", appPath(o, "submit"), map[string]any{})

	var res struct {
		Items []struct {
			ID      int64  `json:"id"`
			OK      bool   `json:"ok"`
			Status  string `json:"status"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"items"`
		Total    int `json:"total"`
		Approved int `json:"approved"`
	}
	ids := []int64{good.ID, overCap.ID, o.ID, done.ID, 999999, good.ID}
	f.sup1.Must(http.StatusOK, "POST", "/api/v1/applications/bulk-approve", map[string]any{"ids": ids, "reason": "批量审批"}).Decode(&res)
	want := []struct {
		ok   bool
		code string
		says string
	}{{true, "", ""}, {false, "conflict", "上限 ¥10,800.00"}, {false, "not_found", ""}, {false, "conflict", "已批准待发放"},
		{false, "not_found", ""}, {false, "validation", "重复"}}
	if res.Total != len(ids) || res.Approved != 1 || len(res.Items) != len(ids) {
		t.Fatalf("bulk: %+v", res)
	}
	for i, w := range want {
		it := res.Items[i]
		if it.ID != ids[i] || it.OK != w.ok || it.Code != w.code || !strings.Contains(it.Message, w.says) {
			t.Errorf("item %d: %+v, want ok=%v code=%q saying %q", i, it, w.ok, w.code, w.says)
		}
	}
	if res.Items[0].Status != "approved" || f.get(f.sup1, good).Status != "approved" {
		t.Errorf("the good one: %+v", res.Items[0])
	}
	if got := decodeApp(ch.Must(http.StatusOK, "GET", appPath(o, ""), nil)); got.Status != "submitted" {
		t.Errorf("the out-of-scope one moved to %s", got.Status)
	}
	for _, body := range []any{map[string]any{"ids": []int64{}}, map[string]any{}, map[string]any{"ids": make([]int64, 201)}, `{"ids":["x"]}`} {
		f.sup1.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/applications/bulk-approve", body)
	}
}

// SPEC §4.3: the report compares green and ordinary decision times; with the manual clock the hours are exact.
func TestGreenChannel_ReportCountsAndMedianHours(t *testing.T) {
	f := newReliefFixture(t)
	f.budget("condolence", 5_000_000)
	h := f.fileAll(household(f.srv, 1))[0]
	f.docs(h, allDocs...)
	// All submitted on 2026-03-17 09:00 CST.
	g1 := f.submitted(green(condolence(h, 10001), "accident"))
	g2 := f.submitted(green(condolence(h, 10002), "accident"))
	g3 := f.submitted(green(condolence(h, 10003), "accident"))
	f.submitted(green(condolence(h, 10004), "accident")) // never decided
	n1 := f.submitted(condolence(h, 10005))
	n2 := f.submitted(condolence(h, 10006))
	f.submitted(condolence(h, 10007))
	f.later(time.Hour)
	f.act(f.sup1, g1, "approve") // 1 h
	f.later(2 * time.Hour)
	f.act(f.sup1, g2, "approve") // 3 h
	f.act(f.sup1, n2, "reject")  // 3 h
	f.later(3 * time.Hour)
	f.act(f.sup1, g3, "approve") // 6 h
	f.later(22 * time.Hour)      // 28 h after submission: the fourth green case is overdue
	f.act(f.sup1, n1, "approve") // 28 h
	var rep struct {
		Green, Normal struct {
			Submitted      int     `json:"submitted"`
			Pending        int     `json:"pending"`
			Overdue        int     `json:"overdue"`
			Approved       int     `json:"approved"`
			Rejected       int     `json:"rejected"`
			Decided        int     `json:"decided"`
			WithinDeadline int     `json:"within_deadline"`
			MedianHours    float64 `json:"median_hours"`
			P90Hours       float64 `json:"p90_hours"`
			AmountFen      int64   `json:"approved_amount_fen"`
			ReviewPending  int     `json:"review_pending"`
		}
	}
	f.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/reports/green-channel?from=2026-03-01&to=2026-03-31", nil).Decode(&rep)
	g, n := rep.Green, rep.Normal
	if g.Submitted != 4 || g.Pending != 1 || g.Overdue != 1 || g.Approved != 3 || g.Decided != 3 || g.WithinDeadline != 3 ||
		g.MedianHours != 3 || g.P90Hours != 6 || g.AmountFen != 30006 || g.ReviewPending != 3 {
		t.Errorf("green lane: %+v", g)
	}
	if n.Submitted != 3 || n.Pending != 1 || n.Overdue != 0 || n.Approved != 1 || n.Rejected != 1 || n.Decided != 2 ||
		n.WithinDeadline != 2 || n.MedianHours != 3 || n.P90Hours != 28 || n.AmountFen != 10005 {
		t.Errorf("normal lane: %+v", n)
	}
	f.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/reports/green-channel?from=2026-04-01&to=2026-04-30", nil).Decode(&rep)
	if rep.Green.Submitted != 0 || rep.Normal.Submitted != 0 {
		t.Errorf("April: %+v", rep)
	}
	f.srv.Login("auditor1").Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/green-channel?from=2026-04-01&to=2026-03-01", nil)
	f.srv.Login("admin").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/green-channel", nil)
}

// SPEC §9.2: no request, however malformed, gets a 500.
func TestApplication_MalformedRequestsGetClearErrorsNeverA500(t *testing.T) {
	f := newReliefFixture(t)
	h := f.fileAll(household(f.srv, 1))[0]
	d := f.draft(condolence(h, 10000))
	base := fmt.Sprintf(`{"type":"condolence","household_id":%d,"purpose":"慰问"`, h.ID)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"unknown field", "POST", "/api/v1/applications", base + `,"amount_fen":100,"colour":"red"}`, 400, "colour"},
		{"amount as text", "POST", "/api/v1/applications", base + `,"amount_fen":"100"}`, 400, "amount_fen"},
		{"amount with a fraction", "POST", "/api/v1/applications", base + `,"amount_fen":1.5}`, 400, "amount_fen"},
		{"amount beyond int64", "POST", "/api/v1/applications", base + `,"amount_fen":1e30}`, 400, "amount_fen"},
		{"amount huge but an integer", "POST", "/api/v1/applications", base + `,"amount_fen":9223372036854775807}`, 400, "amount_fen"},
		{"negative amount", "POST", "/api/v1/applications", base + `,"amount_fen":-1}`, 400, "amount_fen"},
		{"household id as text", "POST", "/api/v1/applications", `{"type":"condolence","household_id":"1","amount_fen":1,"purpose":"x"}`, 400, "household_id"},
		{"household that does not exist", "POST", "/api/v1/applications", `{"type":"condolence","household_id":99999999999,"amount_fen":1,"purpose":"x"}`, 400, "household_id"},
		{"unknown type", "POST", "/api/v1/applications", base + `,"type":"lottery"}`, 400, ""},
		{"green as text", "POST", "/api/v1/applications", base + `,"amount_fen":100,"green":"yes"}`, 400, "green"},
		{"household as a list", "POST", "/api/v1/applications", base + `,"amount_fen":100,"household":[1]}`, 400, "household"},
		{"a list body", "POST", "/api/v1/applications", `[1,2]`, 400, ""},
		{"not JSON", "POST", "/api/v1/applications", `{"type":`, 400, ""},
		{"two objects", "POST", "/api/v1/applications", base + `,"amount_fen":1}{}`, 400, ""},
		{"empty body", "POST", appPath(d, "submit"), "", 400, ""},
		{"reason as a number", "POST", appPath(d, "submit"), `{"reason":5}`, 400, "reason"},
		{"unknown action field", "POST", appPath(d, "submit"), `{"force":true}`, 400, "force"},
		{"id abc", "GET", "/api/v1/applications/abc", nil, 404, ""},
		{"id abc action", "POST", "/api/v1/applications/abc/approve", map[string]any{}, 404, ""},
		{"id zero", "GET", "/api/v1/applications/0", nil, 404, ""},
		{"id negative", "POST", "/api/v1/applications/-1/submit", map[string]any{}, 404, ""},
		{"id beyond int64", "GET", "/api/v1/applications/99999999999999999999", nil, 404, ""},
		{"id not there", "GET", "/api/v1/applications/9223372036854775807", nil, 404, ""},
		{"unknown action", "POST", appPath(d, "fly"), map[string]any{}, 404, ""},
		{"edit as an action", "POST", appPath(d, "edit"), map[string]any{}, 404, ""},
		{"checks of abc", "GET", "/api/v1/applications/abc/checks", nil, 404, ""},
		{"PUT abc", "PUT", "/api/v1/applications/abc", map[string]any{}, 404, ""},
		{"unknown queue", "GET", "/api/v1/applications?queue=everything", nil, 400, "queue"},
		{"unknown status", "GET", "/api/v1/applications?status=paid", nil, 400, "status"},
		{"page as text", "GET", "/api/v1/applications?page=abc", nil, 400, ""},
		{"year beyond int", "GET", "/api/v1/applications?year=99999999999999999999", nil, 400, ""},
		{"household filter as text", "GET", "/api/v1/applications?household_id=x", nil, 400, ""},
		{"green filter", "GET", "/api/v1/applications?green=yes", nil, 400, "green"},
		{"long search", "GET", "/api/v1/applications?q=" + strings.Repeat("张", 41), nil, 400, "q"},
		{"report date", "GET", "/api/v1/reports/green-channel?from=March", nil, 400, ""},
		{"bulk ids as text", "POST", "/api/v1/applications/bulk-approve", `{"ids":"1,2"}`, 400, "ids"},
		{"bulk id beyond int64", "POST", "/api/v1/applications/bulk-approve", `{"ids":[99999999999999999999]}`, 400, "ids"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := f.cw
			if strings.Contains(c.path, "bulk") || strings.Contains(c.path, "abc/approve") {
				cl = f.sup1
			}
			r := cl.Do(c.method, c.path, c.body)
			code := map[int]string{400: "validation", 404: "not_found"}[c.status]
			if r.Status != c.status || r.ErrorCode() != code {
				t.Fatalf("%d %s, want %d %s: %s", r.Status, r.ErrorCode(), c.status, code, r.Body)
			}
			if c.field != "" {
				hasField(t, r, c.field)
			}
		})
	}
	if got := f.get(f.cw, d); got.Status != "draft" || got.AmountFen != 10000 {
		t.Errorf("the draft changed: %+v", got)
	}
}
