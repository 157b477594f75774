package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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
