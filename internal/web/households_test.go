package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// id makes the n-th test ID number; even n are men.
func id(n int) string {
	return demo.ResidentID("330108", time.Date(1980, 5, 1+n%28, 0, 0, 0, 0, time.UTC), n, n%2 == 0)
}

func birth(n int) string { return fmt.Sprintf("1980-05-%02d", 1+n%28) }

func gender(n int) string {
	if n%2 == 0 {
		return "male"
	}
	return "female"
}

// household is a valid draft of a family of three in 江南建设 (caseworker1's scope) whose numbers make it
// deep hardship: (24000 + 0 − 6000) yuan / 3 / 12 = 500 yuan per person per month.
func household(srv *webtest.Server, n int) map[string]any {
	return map[string]any{
		"org_id": srv.OrgID("BJ-XX-JH-01"), "name": "张建华", "gender": gender(n), "id_number": id(n),
		"birth_date": birth(n), "phone": "13812345678", "employer": "江南建设工程有限公司", "industry": "construction",
		"employment_status": "employed", "migrant": true, "address": "滨江区西兴街道江汉路1号",
		"bank_card": demo.BankCard("622202", n), "health": "chronic", "disability": "none",
		"income_wages_fen": 2400000, "expense_medical_fen": 600000,
		"main_cause": "illness", "secondary_causes": []string{"schooling"},
		"members": []map[string]any{
			{"name": "李秀英", "relation": "spouse", "id_number": id(n + 1000), "health": "serious", "disability": "none",
				"employment_status": "unemployed", "school_stage": "none", "monthly_income_fen": 0},
			{"name": "张小明", "relation": "child", "id_number": demo.ResidentID("330108", time.Date(2008, 9, 1, 0, 0, 0, 0, time.UTC), n, true),
				"health": "healthy", "disability": "none", "employment_status": "student", "school_stage": "senior_high", "monthly_income_fen": 0},
		},
	}
}

type hh struct {
	ID                int64    `json:"id"`
	FileNo            string   `json:"file_no"`
	Status            string   `json:"status"`
	IDNumber          string   `json:"id_number"`
	BankCard          string   `json:"bank_card"`
	Phone             string   `json:"phone"`
	SuggestedCategory string   `json:"suggested_category"`
	Category          string   `json:"category"`
	CategoryBasis     string   `json:"category_basis"`
	CategoryOverride  string   `json:"category_override"`
	CategoryPolicyID  int64    `json:"category_policy_id"`
	PerCapitaFen      int64    `json:"per_capita_fen"`
	PublicityEnd      string   `json:"publicity_end"`
	ReopenedFrom      int64    `json:"reopened_from"`
	ReopenedAs        int64    `json:"reopened_as"`
	Actions           []string `json:"actions"`
	Members           []struct {
		ID       int64  `json:"id"`
		IDNumber string `json:"id_number"`
		Gender   string `json:"gender"`
		Birth    string `json:"birth_date"`
	} `json:"members"`
}

func decodeHH(r *webtest.Response) hh {
	var h hh
	r.Decode(&h)
	return h
}

func path(h hh, action string) string { return fmt.Sprintf("/api/v1/households/%d/%s", h.ID, action) }

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// create registers household n as caseworker1.
func create(t *testing.T, srv *webtest.Server, cw *webtest.Client, n int) hh {
	t.Helper()
	return decodeHH(cw.Must(http.StatusCreated, "POST", "/api/v1/households", household(srv, n)))
}

// toPublicity takes a new household through submit and visit to publicity starting today.
func toPublicity(t *testing.T, srv *webtest.Server, cw *webtest.Client, n int) hh {
	t.Helper()
	h := create(t, srv, cw, n)
	cw.Must(http.StatusOK, "POST", path(h, "submit"), map[string]any{})
	cw.Must(http.StatusOK, "POST", path(h, "visit"), map[string]any{"visit_date": "2026-03-10", "visitors": "王丽娟、刘强",
		"findings": "家中有重病人，收入微薄", "consent_signed": true})
	return decodeHH(cw.Must(http.StatusOK, "POST", path(h, "publicize"), map[string]any{"start_date": "2026-03-10"}))
}

// afterPublicity moves the clock to the morning after a publicity that started on 2026-03-10 ended, and
// logs the users in again (sessions expire when idle).
func afterPublicity(srv *webtest.Server, users ...string) []*webtest.Client {
	srv.Clock.Set(time.Date(2026, 3, 17, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	return relogin(srv, users...)
}

func relogin(srv *webtest.Server, users ...string) []*webtest.Client {
	var cs []*webtest.Client
	for _, u := range users {
		cs = append(cs, srv.Login(u))
	}
	return cs
}

// toFiled takes household n all the way to filed: publicity ends on 2026-03-16, filing on the 17th.
func toFiled(t *testing.T, srv *webtest.Server, n int) hh {
	t.Helper()
	h := toPublicity(t, srv, srv.Login("caseworker1"), n)
	sup := afterPublicity(srv, "supervisor1")[0]
	return decodeHH(sup.Must(http.StatusOK, "POST", path(h, "file"), map[string]any{}))
}

func TestHousehold_CreateComputesCategoryAndMasks(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	r := cw.Must(http.StatusCreated, "POST", "/api/v1/households", household(srv, 1))
	h := decodeHH(r)
	if h.Status != "draft" || h.SuggestedCategory != "deep" || h.PerCapitaFen != 50000 || h.CategoryPolicyID == 0 {
		t.Fatalf("created: %+v", h)
	}
	if want := "人均月收入 ¥500.00 < 低保 ¥900.00 → 深度困难"; h.CategoryBasis != want {
		t.Fatalf("basis %q, want %q", h.CategoryBasis, want)
	}
	if h.IDNumber != id(1)[:6]+"********"+id(1)[14:] || !strings.Contains(h.BankCard, "*") || h.Phone != "138****5678" {
		t.Fatalf("not masked: %s %s %s", h.IDNumber, h.BankCard, h.Phone)
	}
	if strings.Contains(string(r.Body), id(1)) || strings.Contains(string(r.Body), id(1001)) {
		t.Fatalf("full ID number in the answer: %s", r.Body)
	}
	if len(h.Members) != 2 || h.Members[0].Gender != "female" || h.Members[0].Birth != birth(1001) {
		t.Fatalf("members: %+v", h.Members)
	}
	for _, a := range []string{"edit", "submit", "documents", "reveal"} {
		if !has(h.Actions, a) {
			t.Fatalf("actions %v lack %s", h.Actions, a)
		}
	}
	if has(h.Actions, "file") {
		t.Fatalf("a caseworker is offered file: %v", h.Actions)
	}
}

// TestHousehold_CreateAnswersTheFileAsStored holds the answer of a create and of a reopen, which are built from
// what was written rather than read back, to a fresh read of the same file.
func TestHousehold_CreateAnswersTheFileAsStored(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	in := household(srv, 3)
	in["union_member_since"], in["note"], in["excl_homes"] = "2010-06-01", " 需要 <跟进> ", true
	in["secondary_causes"] = []string{"schooling", "unemployment"}
	created := cw.Must(http.StatusCreated, "POST", "/api/v1/households", in)
	h := decodeHH(created)
	read := cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil)
	if got, want := created.JSON(), read.JSON(); !reflect.DeepEqual(got, want) {
		t.Fatalf("create answered\n%v\nthe file reads\n%v", got, want)
	}
	if len(h.Members) != 2 || h.Members[0].ID == 0 || h.Members[1].ID == h.Members[0].ID {
		t.Fatalf("members: %+v", h.Members)
	}

	f := toFiled(t, srv, 4)
	sup := srv.Login("supervisor1")
	sup.Must(http.StatusOK, "POST", path(f, "exit"), map[string]any{"exit_reason": "recovered", "reason": "已稳定就业"})
	cw = srv.Login("caseworker1")
	reopened := cw.Must(http.StatusOK, "POST", path(f, "reopen"), map[string]any{})
	again := decodeHH(reopened)
	read = cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", again.ID), nil)
	if got, want := reopened.JSON(), read.JSON(); !reflect.DeepEqual(got, want) {
		t.Fatalf("reopen answered\n%v\nthe file reads\n%v", got, want)
	}
}

func TestHousehold_ValidationNamesEachField(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"check digit", func(m map[string]any) {
			s := m["id_number"].(string)
			m["id_number"] = s[:17] + map[bool]string{true: "1", false: "2"}[s[17] != '1']
		}, "id_number"},
		{"gender against ID", func(m map[string]any) { m["gender"] = "female" }, "gender"},
		{"birth date against ID", func(m map[string]any) { m["birth_date"] = "1981-01-01" }, "birth_date"},
		{"mobile", func(m map[string]any) { m["phone"] = "1234" }, "phone"},
		{"bank card Luhn", func(m map[string]any) {
			c := m["bank_card"].(string)
			m["bank_card"] = c[:18] + string('0'+(c[18]-'0'+1)%10)
		}, "bank_card"},
		{"negative amount", func(m map[string]any) { m["income_wages_fen"] = -1 }, "income_wages_fen"},
		{"cause outside the list", func(m map[string]any) { m["main_cause"] = "laziness" }, "main_cause"},
		{"more than three secondary causes", func(m map[string]any) {
			m["secondary_causes"] = []string{"disability", "schooling", "disaster", "accident"}
		}, "secondary_causes"},
		{"secondary repeats main", func(m map[string]any) { m["secondary_causes"] = []string{"illness"} }, "secondary_causes[0]"},
		{"second spouse", func(m map[string]any) {
			ms := m["members"].([]map[string]any)
			ms[1]["relation"] = "spouse"
		}, "members[1].relation"},
		{"member ID repeats head", func(m map[string]any) { m["members"].([]map[string]any)[0]["id_number"] = m["id_number"] }, "members[0].id_number"},
		{"member birth date against ID", func(m map[string]any) { m["members"].([]map[string]any)[0]["birth_date"] = "2000-01-01" }, "members[0].birth_date"},
		{"org outside scope", func(m map[string]any) { m["org_id"] = srv.OrgID("BJ-CH-SY-01") }, "org_id"},
		{"org not a grassroots union", func(m map[string]any) { m["org_id"] = srv.OrgID("BJ-XX-JH") }, "org_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := household(srv, 2)
			c.edit(m)
			r := cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/households", m)
			if _, _, fields := r.Error(); fields[c.field] == "" {
				t.Fatalf("no message for %s: %s", c.field, r.Body)
			}
		})
	}
	for _, body := range []string{"", "{", "[1]", `{"name": 5}`, `{"unknown": 1}`, `{} {}`} {
		cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/households", body)
	}
}

func TestHousehold_FullLifecycleToFiled(t *testing.T) {
	srv := webtest.New(t)
	cw, sup := srv.Login("caseworker1"), srv.Login("supervisor1")
	h := toPublicity(t, srv, cw, 3)
	if h.Status != "publicizing" || h.PublicityEnd != "2026-03-16" {
		t.Fatalf("publicity: %s until %s", h.Status, h.PublicityEnd)
	}
	r := sup.Refused(http.StatusConflict, "conflict", "POST", path(h, "file"), map[string]any{})
	if _, msg, _ := r.Error(); !strings.Contains(msg, "2026-03-16") {
		t.Fatalf("message should name the end of publicity: %s", msg)
	}
	cs := afterPublicity(srv, "caseworker1", "supervisor1")
	cw, sup = cs[0], cs[1]
	got := decodeHH(sup.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil))
	if !has(got.Actions, "file") || has(got.Actions, "submit") {
		t.Fatalf("supervisor actions: %v", got.Actions)
	}
	filed := decodeHH(sup.Must(http.StatusOK, "POST", path(h, "file"), map[string]any{}))
	if filed.Status != "filed" || filed.Category != "deep" {
		t.Fatalf("filed: %+v", filed)
	}
	var hist struct {
		Items []struct {
			Action  string `json:"action"`
			Changes any    `json:"changes"`
		} `json:"items"`
	}
	r = cw.Must(http.StatusOK, "GET", path(h, "history"), nil)
	r.Decode(&hist)
	var actions []string
	for _, e := range hist.Items {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"household.create", "household.submit", "household.visit", "household.publicize", "household.file"} {
		if !has(actions, want) {
			t.Fatalf("history %v lacks %s", actions, want)
		}
	}
	if strings.Contains(string(r.Body), id(3)) || strings.Contains(string(r.Body), demo.BankCard("622202", 3)) {
		t.Fatalf("history leaks a full number: %s", r.Body)
	}
	var visits struct{ Total int }
	cw.Must(http.StatusOK, "GET", path(h, "visits"), nil).Decode(&visits)
	if visits.Total != 1 {
		t.Fatalf("visits: %d", visits.Total)
	}
}

func TestHousehold_RefusesWrongRole(t *testing.T) {
	srv := webtest.New(t)
	cw, sup := srv.Login("caseworker1"), srv.Login("supervisor1")
	for _, u := range []string{"supervisor1", "finance1", "auditor1", "admin"} {
		srv.Login(u).Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/households", household(srv, 4))
	}
	h := create(t, srv, cw, 4)
	sup.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "submit"), map[string]any{})
	sup.Refused(http.StatusForbidden, "forbidden", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), household(srv, 4))
	cw.Must(http.StatusOK, "POST", path(h, "submit"), map[string]any{})
	srv.Login("auditor1").Refused(http.StatusForbidden, "forbidden", "POST", path(h, "visit"), map[string]any{})
	cw.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "reject"), map[string]any{"reason": "不符合"})
	cw.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "file"), map[string]any{})
	srv.Login("admin").Refused(http.StatusForbidden, "forbidden", "POST", path(h, "reveal"), nil)
	cw.Refused(http.StatusNotFound, "not_found", "POST", path(h, "fly"), map[string]any{})
}

func TestHousehold_OutOfScopeIsNotFound(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 5)
	other := srv.Login("caseworker2")
	other.Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil)
	other.Refused(http.StatusNotFound, "not_found", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), household(srv, 5))
	other.Refused(http.StatusNotFound, "not_found", "POST", path(h, "submit"), map[string]any{})
	other.Refused(http.StatusNotFound, "not_found", "POST", path(h, "reveal"), nil)
	other.Refused(http.StatusNotFound, "not_found", "GET", path(h, "history"), nil)
	other.Refused(http.StatusNotFound, "not_found", "GET", path(h, "documents"), nil)
	var list struct{ Total int }
	other.Must(http.StatusOK, "GET", "/api/v1/households?q=张建华", nil).Decode(&list)
	if list.Total != 0 {
		t.Fatalf("caseworker2 finds %d households of another community", list.Total)
	}
	other.Refused(http.StatusNotFound, "not_found", "GET", "/api/v1/households/abc", nil)
}

func TestHousehold_RefusesSubmitterAsApprover(t *testing.T) {
	srv := webtest.New(t)
	admin, _ := auth.ActorFor(t.Context(), srv.DB.R, 1, "test")
	_, err := srv.Auth.CreateUser(t.Context(), admin, auth.NewUser{Username: "both", Name: "兼任者",
		OrgID: srv.OrgID("BJ-XX"), Roles: []actor.Role{actor.Caseworker, actor.Supervisor}, Password: demo.Password, KeepPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	both := srv.Login("both")
	h := toPublicity(t, srv, both, 6)
	both = afterPublicity(srv, "both")[0]
	got := decodeHH(both.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil))
	if has(got.Actions, "file") || has(got.Actions, "reject") {
		t.Fatalf("the submitter is offered a decision: %v", got.Actions)
	}
	both.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "file"), map[string]any{})
	both.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "return"), map[string]any{"reason": "补材料"})
	srv.Login("supervisor1").Must(http.StatusOK, "POST", path(h, "file"), map[string]any{})
}

func TestHousehold_RefusesInvalidTransitions(t *testing.T) {
	srv := webtest.New(t)
	cw, sup := srv.Login("caseworker1"), srv.Login("supervisor1")
	h := create(t, srv, cw, 7)
	cw.Refused(http.StatusConflict, "conflict", "POST", path(h, "visit"), map[string]any{"visit_date": "2026-03-10", "visitors": "甲", "findings": "乙", "consent_signed": true})
	sup.Refused(http.StatusConflict, "conflict", "POST", path(h, "file"), map[string]any{})
	sup.Refused(http.StatusConflict, "conflict", "POST", path(h, "exit"), map[string]any{"exit_reason": "recovered"})
	cw.Must(http.StatusOK, "POST", path(h, "submit"), map[string]any{})
	cw.Refused(http.StatusConflict, "conflict", "POST", path(h, "submit"), map[string]any{})
	cw.Refused(http.StatusConflict, "conflict", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), household(srv, 7))
	cw.Refused(http.StatusConflict, "conflict", "POST", path(h, "publicize"), map[string]any{"start_date": "2026-03-10"})
	cw.Refused(http.StatusConflict, "conflict", "POST", path(h, "reopen"), map[string]any{})
	cw.Refused(http.StatusBadRequest, "validation", "POST", path(h, "visit"), map[string]any{"visit_date": "2026-03-10", "visitors": "甲", "findings": "乙", "consent_signed": false})
	cw.Refused(http.StatusBadRequest, "validation", "POST", path(h, "visit"), map[string]any{"visit_date": "2026-04-10", "visitors": "甲", "findings": "乙", "consent_signed": true})
}

func TestHousehold_ReturnAndRejectNeedReasonAndRejectFreesTheID(t *testing.T) {
	srv := webtest.New(t)
	cw, sup := srv.Login("caseworker1"), srv.Login("supervisor1")
	h := create(t, srv, cw, 8)
	cw.Must(http.StatusOK, "POST", path(h, "submit"), map[string]any{})
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "return"), map[string]any{})
	back := decodeHH(sup.Must(http.StatusOK, "POST", path(h, "return"), map[string]any{"reason": "缺少收入证明"}))
	if back.Status != "draft" {
		t.Fatalf("returned: %s", back.Status)
	}
	edited := household(srv, 8)
	edited["id_number"], edited["bank_card"], edited["phone"] = back.IDNumber, back.BankCard, back.Phone // masked values keep the stored ones
	edited["members"].([]map[string]any)[0]["id"] = back.Members[0].ID
	edited["members"].([]map[string]any)[0]["id_number"] = back.Members[0].IDNumber
	edited["income_wages_fen"] = 2600000
	cw.Must(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), edited)
	var full struct {
		IDNumber string `json:"id_number"`
		Members  []struct {
			IDNumber string `json:"id_number"`
		} `json:"members"`
	}
	sup.Must(http.StatusOK, "POST", path(h, "reveal"), nil).Decode(&full)
	if full.IDNumber != id(8) || full.Members[0].IDNumber != id(1008) {
		t.Fatalf("masked values were stored: %+v", full)
	}
	cw.Must(http.StatusOK, "POST", path(h, "submit"), map[string]any{})
	cw.Refused(http.StatusConflict, "conflict", "POST", "/api/v1/households", household(srv, 8))
	rejected := decodeHH(sup.Must(http.StatusOK, "POST", path(h, "reject"), map[string]any{"reason": "家庭收入超标"}))
	if rejected.Status != "rejected" {
		t.Fatalf("rejected: %s", rejected.Status)
	}
	cw.Must(http.StatusCreated, "POST", "/api/v1/households", household(srv, 8))
}

func TestHousehold_DuplicateIsRefusedMaskedAndSupervisorMayOverride(t *testing.T) {
	srv := webtest.New(t)
	cw, sup := srv.Login("caseworker1"), srv.Login("supervisor1")
	first := create(t, srv, cw, 9)
	// The spouse of household 9 registers her own household: her ID is already in an open file.
	m := household(srv, 1009)
	m["members"] = []map[string]any{}
	r := cw.Refused(http.StatusConflict, "conflict", "POST", "/api/v1/households", m)
	_, msg, fields := r.Error()
	if !strings.Contains(msg, first.FileNo) || !strings.Contains(msg, "张*华") || !strings.Contains(msg, "********") ||
		strings.Contains(string(r.Body), id(1009)) || fields["id_number"] == "" {
		t.Fatalf("duplicate message: %s", r.Body)
	}
	// Also as a member of a new household, and from another community's caseworker.
	m2 := household(srv, 40)
	m2["members"].([]map[string]any)[0]["id_number"] = id(9)
	r = cw.Refused(http.StatusConflict, "conflict", "POST", "/api/v1/households", m2)
	if _, _, f := r.Error(); f["members[0].id_number"] == "" {
		t.Fatalf("member duplicate not named: %s", r.Body)
	}
	cw.Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/households/duplicate-overrides", map[string]any{"id_number": id(1009), "reason": "分户"})
	sup.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/households/duplicate-overrides", map[string]any{"id_number": id(1009), "reason": ""})
	sup.Must(http.StatusNoContent, "POST", "/api/v1/households/duplicate-overrides", map[string]any{"id_number": id(1009), "reason": "夫妻已分户，经核实各自独立生活"})
	cw.Must(http.StatusCreated, "POST", "/api/v1/households", m)
	// The grant is used up: a third file with the same number is refused again.
	m3 := household(srv, 41)
	m3["members"].([]map[string]any)[0]["id_number"] = id(1009)
	cw.Refused(http.StatusConflict, "conflict", "POST", "/api/v1/households", m3)
	var events struct{ Total int }
	srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/audit/events?action=household.duplicate_override", nil).Decode(&events)
	if events.Total != 1 {
		t.Fatalf("override audit events: %d", events.Total)
	}
}

func TestHousehold_ConcurrentDuplicatesExactlyOneWins(t *testing.T) {
	srv := webtest.New(t)
	const n = 16
	clients := make([]*webtest.Client, n)
	for i := range clients {
		clients[i] = srv.Login("caseworker1")
	}
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := household(srv, 100+i) // different heads, the same spouse
			m["members"].([]map[string]any)[0]["id_number"] = id(999)
			codes[i] = clients[i].Do("POST", "/api/v1/households", m).Status
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			won++
		case http.StatusConflict:
		default:
			t.Fatalf("status %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d requests won, want exactly 1: %v", won, codes)
	}
}

func TestHousehold_ObjectionBlocksFilingUntilResolved(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := toPublicity(t, srv, cw, 10)
	cw.Refused(http.StatusBadRequest, "validation", "POST", path(h, "object"), map[string]any{})
	cw.Must(http.StatusOK, "POST", path(h, "object"), map[string]any{"content": "其家中有轿车一辆", "raised_by": "匿名"})
	cw.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "resolve-objection"), map[string]any{"objection_id": 1, "resolution": "x"})
	sup := afterPublicity(srv, "supervisor1")[0]
	r := sup.Refused(http.StatusConflict, "conflict", "POST", path(h, "file"), map[string]any{})
	if _, msg, _ := r.Error(); !strings.Contains(msg, "异议") {
		t.Fatalf("message: %s", msg)
	}
	var obj struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	sup.Must(http.StatusOK, "GET", path(h, "objections"), nil).Decode(&obj)
	sup.Must(http.StatusOK, "POST", path(h, "resolve-objection"), map[string]any{"objection_id": obj.Items[0].ID, "resolution": "经核实车辆已于2025年出售", "upheld": false})
	sup.Refused(http.StatusConflict, "conflict", "POST", path(h, "resolve-objection"), map[string]any{"objection_id": obj.Items[0].ID, "resolution": "再次"})
	sup.Must(http.StatusOK, "POST", path(h, "file"), map[string]any{})
}

func TestHousehold_CategoryOverrideNeedsReason(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := toPublicity(t, srv, cw, 11)
	sup := afterPublicity(srv, "supervisor1")[0]
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "file"), map[string]any{"category": "relative"})
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "file"), map[string]any{"category": "ineligible", "reason": "核实"})
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "file"), map[string]any{"category": "rich"})
	f := decodeHH(sup.Must(http.StatusOK, "POST", path(h, "file"), map[string]any{"category": "relative", "reason": "配偶已再就业，收入将改善"}))
	if f.Category != "relative" || f.SuggestedCategory != "deep" || f.CategoryOverride == "" {
		t.Fatalf("override: %+v", f)
	}
}

func TestHousehold_AnnualReviewExitAndReopen(t *testing.T) {
	srv := webtest.New(t)
	h := toFiled(t, srv, 12)
	sup := srv.Login("supervisor1")
	sup.Refused(http.StatusConflict, "conflict", "POST", path(h, "review"), map[string]any{"decision": "confirm"})
	srv.Clock.Advance(366 * 24 * time.Hour)
	cs := relogin(srv, "caseworker1", "supervisor1")
	cw, sup := cs[0], cs[1]
	got := decodeHH(sup.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil))
	if got.Status != "review_due" || !has(got.Actions, "review") {
		t.Fatalf("a year on: %s %v", got.Status, got.Actions)
	}
	var due struct{ Total int }
	sup.Must(http.StatusOK, "GET", "/api/v1/households?status=review_due", nil).Decode(&due)
	if due.Total != 1 {
		t.Fatalf("review_due list: %d", due.Total)
	}
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "review"), map[string]any{})
	if r := decodeHH(sup.Must(http.StatusOK, "POST", path(h, "review"), map[string]any{"decision": "confirm"})); r.Status != "filed" {
		t.Fatalf("confirmed: %s", r.Status)
	}
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "exit"), map[string]any{})
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(h, "exit"), map[string]any{"exit_reason": "other"})
	ex := decodeHH(sup.Must(http.StatusOK, "POST", path(h, "exit"), map[string]any{"exit_reason": "recovered", "reason": "已稳定就业"}))
	if ex.Status != "exited" || !has(decodeHH(cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil)).Actions, "reopen") {
		t.Fatalf("exited: %+v", ex)
	}
	sup.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "reopen"), map[string]any{})
	again := decodeHH(cw.Must(http.StatusOK, "POST", path(h, "reopen"), map[string]any{}))
	if again.ID == h.ID || again.Status != "draft" || again.ReopenedFrom != h.ID {
		t.Fatalf("reopened: %+v", again)
	}
	old := decodeHH(cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil))
	if old.ReopenedAs != again.ID || has(old.Actions, "reopen") {
		t.Fatalf("old file: %+v", old)
	}
	cw.Refused(http.StatusConflict, "conflict", "POST", path(h, "reopen"), map[string]any{})
}

func TestHousehold_ReviewCanExitOrRecategorize(t *testing.T) {
	srv := webtest.New(t)
	a := toFiled(t, srv, 13)
	srv.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	b := toFiled(t, srv, 14)
	srv.Clock.Advance(400 * 24 * time.Hour)
	sup := srv.Login("supervisor1")
	sup.Refused(http.StatusBadRequest, "validation", "POST", path(a, "review"), map[string]any{"decision": "recategorize", "category": "relative"})
	if r := decodeHH(sup.Must(http.StatusOK, "POST", path(a, "review"), map[string]any{"decision": "recategorize", "category": "relative", "reason": "收入提高"})); r.Category != "relative" || r.Status != "filed" {
		t.Fatalf("recategorized: %+v", r)
	}
	if r := decodeHH(sup.Must(http.StatusOK, "POST", path(b, "review"), map[string]any{"decision": "exit", "exit_reason": "moved"})); r.Status != "exited" {
		t.Fatalf("exited by review: %+v", r)
	}
}

func TestHousehold_PublicitySkipsWeekendsAndHolidays(t *testing.T) {
	srv := webtest.New(t)
	admin, cw := srv.Login("admin"), srv.Login("caseworker1")
	cw.Refused(http.StatusForbidden, "forbidden", "PUT", "/api/v1/holidays/2026-03-12", map[string]any{"name": "调休"})
	admin.Refused(http.StatusBadRequest, "validation", "PUT", "/api/v1/holidays/2026-13-40", map[string]any{"name": "错"})
	admin.Must(http.StatusOK, "PUT", "/api/v1/holidays/2026-03-12", map[string]any{"name": "测试假日"})
	admin.Must(http.StatusOK, "PUT", "/api/v1/holidays/2026-03-13", map[string]any{"name": "测试假日"})
	var hs struct{ Total int }
	cw.Must(http.StatusOK, "GET", "/api/v1/holidays?year=2026", nil).Decode(&hs)
	if hs.Total != 2 {
		t.Fatalf("holidays: %d", hs.Total)
	}
	admin.Must(http.StatusNoContent, "DELETE", "/api/v1/holidays/2026-03-13", nil)
	admin.Refused(http.StatusNotFound, "not_found", "DELETE", "/api/v1/holidays/2026-03-13", nil)
	// Tue 10, Wed 11, (Thu 12 holiday), Fri 13, (weekend), Mon 16, Tue 17: five working days.
	h := toPublicity(t, srv, cw, 15)
	if h.PublicityEnd != "2026-03-17" {
		t.Fatalf("publicity ends %s, want 2026-03-17", h.PublicityEnd)
	}
	v := create(t, srv, cw, 16)
	cw.Must(http.StatusOK, "POST", path(v, "submit"), map[string]any{})
	cw.Must(http.StatusOK, "POST", path(v, "visit"), map[string]any{"visit_date": "2026-03-10", "visitors": "甲", "findings": "乙", "consent_signed": true})
	cw.Refused(http.StatusBadRequest, "validation", "POST", path(v, "publicize"), map[string]any{})
	cw.Refused(http.StatusBadRequest, "validation", "POST", path(v, "publicize"), map[string]any{"start_date": "2026-03-01"})
}

func pngBytes() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
}

func upload(t *testing.T, c *webtest.Client, srv *webtest.Server, h hh, kind, name string, content []byte) *webtest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", srv.URL+path(h, "documents"), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Send(req)
}

func TestHousehold_Documents(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 17)
	r := upload(t, cw, srv, h, "id_scan", "身份证.png", pngBytes())
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var doc struct {
		ID     int64  `json:"id"`
		MIME   string `json:"mime"`
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	}
	r.Decode(&doc)
	sum := sha256.Sum256(pngBytes())
	if doc.MIME != "image/png" || doc.SHA256 != hex.EncodeToString(sum[:]) || doc.Size != len(pngBytes()) {
		t.Fatalf("document: %+v", doc)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
	if r := upload(t, cw, srv, h, "income_proof", "收入.pdf", pdf); r.Status != http.StatusCreated {
		t.Fatalf("pdf: %d %s", r.Status, r.Body)
	}
	// The name says PNG, the content is text: the content decides.
	if r := upload(t, cw, srv, h, "id_scan", "fake.png", []byte("hello, not an image")); r.Status != http.StatusBadRequest || r.ErrorCode() != "validation" {
		t.Fatalf("text upload: %d %s", r.Status, r.Body)
	}
	if r := upload(t, cw, srv, h, "nonsense", "a.png", pngBytes()); r.Status != http.StatusBadRequest {
		t.Fatalf("bad kind: %d", r.Status)
	}
	big := append(pngBytes(), make([]byte, 10<<20)...)
	if r := upload(t, cw, srv, h, "id_scan", "big.png", big); r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "too_large" {
		t.Fatalf("big upload: %d %s", r.Status, r.Body)
	}
	// The ordinary JSON limit still holds on other routes.
	cw.Refused(http.StatusRequestEntityTooLarge, "too_large", "POST", "/api/v1/households", strings.Repeat(" ", 2<<20)+"{}")
	if r := upload(t, srv.Login("auditor1"), srv, h, "id_scan", "a.png", pngBytes()); r.Status != http.StatusForbidden {
		t.Fatalf("auditor upload: %d", r.Status)
	}
	got := cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), nil)
	if !bytes.Equal(got.Body, pngBytes()) || got.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %q", got.Header)
	}
	cw.Refused(http.StatusBadRequest, "validation", "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), map[string]any{"reason": ""})
	cw.Must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), map[string]any{"reason": "上传错了"})
	cw.Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), nil)
	cw.Refused(http.StatusConflict, "conflict", "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), map[string]any{"reason": "再删"})
	var docs struct {
		Items []struct {
			DeletedAt string `json:"deleted_at"`
		} `json:"items"`
	}
	cw.Must(http.StatusOK, "GET", path(h, "documents"), nil).Decode(&docs)
	if len(docs.Items) != 2 || docs.Items[0].DeletedAt == "" {
		t.Fatalf("documents after removal: %+v", docs)
	}
	var kept int
	srv.DB.R.Get(&kept, "SELECT count(*) FROM document_blobs WHERE document_id = ?", doc.ID)
	if kept != 1 {
		t.Fatal("removed document content was not kept")
	}
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), nil)
}

func TestHousehold_RevealIsAuditedAndLimitedToRoles(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 18)
	for _, u := range []string{"caseworker1", "supervisor1", "finance1", "auditor1"} {
		var full struct {
			IDNumber string `json:"id_number"`
			BankCard string `json:"bank_card"`
		}
		srv.Login(u).Must(http.StatusOK, "POST", path(h, "reveal"), nil).Decode(&full)
		if full.IDNumber != id(18) || full.BankCard != demo.BankCard("622202", 18) {
			t.Fatalf("%s reveal: %+v", u, full)
		}
	}
	var events struct{ Total int }
	srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/audit/events?action=household.read_full", nil).Decode(&events)
	if events.Total != 4 {
		t.Fatalf("reveal events: %d", events.Total)
	}
}

func TestHousehold_Search(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	a := create(t, srv, cw, 19)
	m := household(srv, 20)
	m["name"], m["phone"], m["industry"], m["migrant"] = "欧阳娜娜", "13900001111", "catering", false
	b := decodeHH(cw.Must(http.StatusCreated, "POST", "/api/v1/households", m))
	find := func(q string) []int64 {
		var res struct {
			Items []struct {
				ID       int64  `json:"id"`
				IDNumber string `json:"id_number"`
			} `json:"items"`
			Total       int   `json:"total"`
			TotalCapped *bool `json:"total_capped"`
		}
		cw.Must(http.StatusOK, "GET", "/api/v1/households?"+q, nil).Decode(&res)
		if res.TotalCapped == nil || *res.TotalCapped {
			t.Fatalf("%s: total_capped %v", q, res.TotalCapped)
		}
		var ids []int64
		for _, it := range res.Items {
			if !strings.Contains(it.IDNumber, "********") {
				t.Fatalf("list not masked: %s", it.IDNumber)
			}
			ids = append(ids, it.ID)
		}
		if res.Total < len(ids) || (!strings.Contains(q, "page=") && res.Total != len(ids)) {
			t.Fatalf("%s: total %d, items %d", q, res.Total, len(ids))
		}
		return ids
	}
	for q, want := range map[string][]int64{
		"q=建华": {a.ID}, "q=阳娜": {b.ID}, "q=娜": {b.ID}, "q=" + id(19): {a.ID}, "q=" + id(19)[14:]: {a.ID},
		"q=" + id(20)[10:]: {b.ID}, "q=13900001111": {b.ID}, "q=" + id(1019): {a.ID}, "q=" + id(1020)[12:]: {b.ID},
		"industry=catering": {b.ID}, "migrant=1": {a.ID}, "q=不存在": nil, "status=submitted": nil,
		"category=deep": nil, "cause=illness&sort=name": {a.ID, b.ID}, "sort=name&per_page=1&page=2": {b.ID},
	} {
		got := find(q)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: got %v, want %v", q, got, want)
		}
	}
	cw.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/households?q=123", nil)
	cw.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/households?status=nope", nil)
	cw.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/households?sort=nope", nil)
	cw.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/households?page=x", nil)
}

func TestReferral_LifecycleAndOverdue(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	in := map[string]any{"name": "刘海", "id_number": id(21), "phone": "13700002222", "org_id": srv.OrgID("BJ-XX-JH-02"),
		"reason": "收入略超标准但子女重病", "follow_up_date": "2026-03-20"}
	srv.Login("supervisor1").Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/referrals", in)
	bad := map[string]any{}
	for k, v := range in {
		bad[k] = v
	}
	bad["org_id"] = srv.OrgID("BJ-CH-SY-01")
	cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/referrals", bad)
	var ref struct {
		ID       int64  `json:"id"`
		IDNumber string `json:"id_number"`
		Status   string `json:"status"`
	}
	cw.Must(http.StatusCreated, "POST", "/api/v1/referrals", in).Decode(&ref)
	if ref.Status != "pending" || !strings.Contains(ref.IDNumber, "*") {
		t.Fatalf("referral: %+v", ref)
	}
	srv.Clock.Advance(15 * 24 * time.Hour)
	cw = srv.Login("caseworker1")
	var overdue struct {
		Total  int `json:"total"`
		Counts struct {
			Overdue int `json:"overdue"`
			Helped  int `json:"helped"`
		} `json:"counts"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/referrals?overdue=true", nil).Decode(&overdue)
	if overdue.Total != 1 || overdue.Counts.Overdue != 1 {
		t.Fatalf("overdue: %+v", overdue)
	}
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "POST", fmt.Sprintf("/api/v1/referrals/%d/close", ref.ID), map[string]any{"outcome": "helped", "amount_fen": 50000})
	cw.Refused(http.StatusBadRequest, "validation", "POST", fmt.Sprintf("/api/v1/referrals/%d/close", ref.ID), map[string]any{"outcome": "declined"})
	cw.Refused(http.StatusBadRequest, "validation", "POST", fmt.Sprintf("/api/v1/referrals/%d/close", ref.ID), map[string]any{"outcome": "helped"})
	cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/referrals/%d/close", ref.ID), map[string]any{"outcome": "helped", "amount_fen": 50000, "note": "企业工会慰问"})
	cw.Refused(http.StatusConflict, "conflict", "POST", fmt.Sprintf("/api/v1/referrals/%d/close", ref.ID), map[string]any{"outcome": "helped", "amount_fen": 50000})
	cw.Must(http.StatusOK, "GET", "/api/v1/referrals", nil).Decode(&overdue)
	if overdue.Counts.Helped != 1 || overdue.Counts.Overdue != 0 {
		t.Fatalf("counts: %+v", overdue.Counts)
	}
}

// actionBodies are valid bodies for each lifecycle action, so that a refusal can only come from scope, role,
// segregation of duties or status.
var actionBodies = map[string]map[string]any{
	"submit":            {},
	"return":            {"reason": "缺少收入证明"},
	"reject":            {"reason": "家庭收入超标"},
	"visit":             {"visit_date": "2026-03-10", "visitors": "王丽娟、刘强", "findings": "家中有重病人", "consent_signed": true},
	"publicize":         {"start_date": "2026-03-17"},
	"object":            {"content": "其家中有轿车一辆", "raised_by": "匿名"},
	"resolve-objection": {"objection_id": 1, "resolution": "经核实车辆已出售"},
	"file":              {},
	"review":            {"decision": "confirm"},
	"exit":              {"exit_reason": "recovered", "reason": "已稳定就业"},
	"reopen":            {},
}

// lifecycleFixture holds one household in each status of SPEC §3.3 that a test can reach in a day, all in
// caseworker1's grassroots union, with the clock on the morning after their publicity ended.
type lifecycleFixture struct {
	srv     *webtest.Server
	byState map[string]hh
}

func newLifecycleFixture(t *testing.T) *lifecycleFixture {
	t.Helper()
	srv := webtest.New(t)
	cw, sup := srv.Login("caseworker1"), srv.Login("supervisor1")
	f := &lifecycleFixture{srv: srv, byState: map[string]hh{}}
	f.byState["draft"] = create(t, srv, cw, 50)
	s := create(t, srv, cw, 51)
	f.byState["submitted"] = decodeHH(cw.Must(http.StatusOK, "POST", path(s, "submit"), map[string]any{}))
	v := create(t, srv, cw, 52)
	cw.Must(http.StatusOK, "POST", path(v, "submit"), map[string]any{})
	f.byState["visited"] = decodeHH(cw.Must(http.StatusOK, "POST", path(v, "visit"), actionBodies["visit"]))
	r := create(t, srv, cw, 53)
	cw.Must(http.StatusOK, "POST", path(r, "submit"), map[string]any{})
	f.byState["rejected"] = decodeHH(sup.Must(http.StatusOK, "POST", path(r, "reject"), actionBodies["reject"]))
	p := toPublicity(t, srv, cw, 54)
	fl := toPublicity(t, srv, cw, 55)
	x := toPublicity(t, srv, cw, 56)
	cs := afterPublicity(srv, "caseworker1", "supervisor1")
	sup = cs[1]
	f.byState["publicizing"] = p
	f.byState["filed"] = decodeHH(sup.Must(http.StatusOK, "POST", path(fl, "file"), map[string]any{}))
	sup.Must(http.StatusOK, "POST", path(x, "file"), map[string]any{})
	f.byState["exited"] = decodeHH(sup.Must(http.StatusOK, "POST", path(x, "exit"), actionBodies["exit"]))
	for st, h := range f.byState {
		if h.Status != st {
			t.Fatalf("fixture: household %d is %s, want %s", h.ID, h.Status, st)
		}
	}
	return f
}

func (f *lifecycleFixture) auditEvents(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.srv.DB.R.Get(&n, "SELECT count(*) FROM audit_events"); err != nil {
		t.Fatal(err)
	}
	return n
}

// SPEC §3.3: every action from every status it does not apply to is a 409 conflict, for the very user who
// may take it elsewhere; the allowed pairs are written out here by hand from the SPEC, not read from the code.
func TestHousehold_EveryActionFromAStatusItDoesNotApplyToIsAConflict(t *testing.T) {
	f := newLifecycleFixture(t)
	allowed := map[string][]string{
		"draft":       {"submit"},
		"submitted":   {"return", "reject", "visit"},
		"visited":     {"return", "reject", "publicize"},
		"publicizing": {"return", "reject", "object", "resolve-objection", "file"},
		"filed":       {"exit"},
		"exited":      {"reopen"},
		"rejected":    {},
	}
	cs := relogin(f.srv, "caseworker1", "supervisor1")
	who := map[string]*webtest.Client{"submit": cs[0], "visit": cs[0], "publicize": cs[0], "object": cs[0], "reopen": cs[0],
		"return": cs[1], "reject": cs[1], "resolve-objection": cs[1], "file": cs[1], "review": cs[1], "exit": cs[1]}
	before := f.auditEvents(t)
	for st, h := range f.byState {
		for action, c := range who {
			if has(allowed[st], action) {
				continue
			}
			t.Run(st+"/"+action, func(t *testing.T) {
				c.Refused(http.StatusConflict, "conflict", "POST", path(h, action), actionBodies[action])
			})
		}
	}
	if n := f.auditEvents(t); n != before {
		t.Fatalf("refused actions wrote %d audit events", n-before)
	}
	for st, h := range f.byState {
		if got := decodeHH(cs[1].Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil)); got.Status != st {
			t.Fatalf("a refused action moved household %d from %s to %s", h.ID, st, got.Status)
		}
	}
}

// SPEC §1.1, §1.2: every action refuses a user outside the household's subtree with 404 (even one with the
// right role), and a user in scope without the role with 403, on a household in a status the action applies to.
func TestHousehold_EveryActionRefusesOutOfScopeAsNotFoundAndWrongRoleAsForbidden(t *testing.T) {
	f := newLifecycleFixture(t)
	admin, err := auth.ActorFor(t.Context(), f.srv.DB.R, 1, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.Auth.CreateUser(t.Context(), admin, auth.NewUser{Username: "chsupervisor", Name: "长河审批人",
		OrgID: f.srv.OrgID("BJ-CH"), Roles: []actor.Role{actor.Supervisor}, Password: demo.Password, KeepPassword: true}); err != nil {
		t.Fatal(err)
	}
	u := map[string]*webtest.Client{}
	for _, name := range []string{"caseworker1", "caseworker2", "supervisor1", "chsupervisor", "finance1", "auditor1", "admin"} {
		u[name] = f.srv.Login(name)
	}
	cases := []struct {
		action, state string
		outsider      string   // the right role, another subtree
		wrongRoles    []string // in scope, without the role
	}{
		{"submit", "draft", "caseworker2", []string{"supervisor1", "finance1", "auditor1", "admin"}},
		{"return", "submitted", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"reject", "submitted", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"visit", "submitted", "caseworker2", []string{"supervisor1", "finance1", "auditor1", "admin"}},
		{"publicize", "visited", "caseworker2", []string{"finance1", "auditor1", "admin"}},
		{"publicize", "visited", "chsupervisor", nil},
		{"object", "publicizing", "caseworker2", []string{"finance1", "auditor1", "admin"}},
		{"resolve-objection", "publicizing", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"file", "publicizing", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"review", "filed", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"exit", "filed", "chsupervisor", []string{"caseworker1", "finance1", "auditor1", "admin"}},
		{"reopen", "exited", "caseworker2", []string{"supervisor1", "finance1", "auditor1", "admin"}},
	}
	before := f.auditEvents(t)
	for _, c := range cases {
		h := f.byState[c.state]
		t.Run(c.action+"/out-of-scope", func(t *testing.T) {
			r := u[c.outsider].Refused(http.StatusNotFound, "not_found", "POST", path(h, c.action), actionBodies[c.action])
			if strings.Contains(string(r.Body), h.FileNo) {
				t.Fatalf("the 404 names the file: %s", r.Body)
			}
		})
		for _, w := range c.wrongRoles {
			t.Run(c.action+"/"+w, func(t *testing.T) {
				u[w].Refused(http.StatusForbidden, "forbidden", "POST", path(h, c.action), actionBodies[c.action])
			})
		}
	}
	// Editing and documents too.
	d := f.byState["draft"]
	u["caseworker2"].Refused(http.StatusNotFound, "not_found", "PUT", fmt.Sprintf("/api/v1/households/%d", d.ID), household(f.srv, 50))
	for _, w := range []string{"finance1", "auditor1", "admin"} {
		u[w].Refused(http.StatusForbidden, "forbidden", "PUT", fmt.Sprintf("/api/v1/households/%d", d.ID), household(f.srv, 50))
	}
	if r := upload(t, u["caseworker2"], f.srv, d, "id_scan", "a.png", pngBytes()); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
		t.Fatalf("out-of-scope upload: %d %s", r.Status, r.Body)
	}
	for _, w := range []string{"finance1", "admin"} {
		if r := upload(t, u[w], f.srv, d, "id_scan", "a.png", pngBytes()); r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
			t.Fatalf("%s upload: %d %s", w, r.Status, r.Body)
		}
	}
	if n := f.auditEvents(t); n != before {
		t.Fatalf("refused requests wrote %d audit events", n-before)
	}
}

// SPEC §1.2: the person who submitted a file takes none of its decisions — reject and the annual review as
// well as file and return.
func TestHousehold_SubmitterNeverRejectsOrReviewsTheirOwnFile(t *testing.T) {
	srv := webtest.New(t)
	admin, _ := auth.ActorFor(t.Context(), srv.DB.R, 1, "test")
	if _, err := srv.Auth.CreateUser(t.Context(), admin, auth.NewUser{Username: "both", Name: "兼任者",
		OrgID: srv.OrgID("BJ-XX"), Roles: []actor.Role{actor.Caseworker, actor.Supervisor}, Password: demo.Password, KeepPassword: true}); err != nil {
		t.Fatal(err)
	}
	both := srv.Login("both")
	r := create(t, srv, both, 60)
	both.Must(http.StatusOK, "POST", path(r, "submit"), map[string]any{})
	both.Refused(http.StatusForbidden, "forbidden", "POST", path(r, "reject"), actionBodies["reject"])
	srv.Login("supervisor1").Must(http.StatusOK, "POST", path(r, "reject"), actionBodies["reject"])

	h := toPublicity(t, srv, both, 61)
	cs := afterPublicity(srv, "supervisor1")
	cs[0].Must(http.StatusOK, "POST", path(h, "file"), map[string]any{})
	srv.Clock.Advance(366 * 24 * time.Hour)
	cs = relogin(srv, "both", "supervisor1")
	both, sup := cs[0], cs[1]
	got := decodeHH(both.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil))
	if got.Status != "review_due" || has(got.Actions, "review") {
		t.Fatalf("the submitter is offered the review: %s %v", got.Status, got.Actions)
	}
	both.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "review"), actionBodies["review"])
	sup.Must(http.StatusOK, "POST", path(h, "review"), actionBodies["review"])
}

// SPEC §3.2: the category is computed again on every save, with the policy in force, and its arithmetic shown.
func TestHousehold_EverySaveRecomputesTheCategory(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 62)
	edited := household(srv, 62)
	edited["id_number"], edited["bank_card"], edited["phone"] = h.IDNumber, h.BankCard, h.Phone
	for i := range h.Members {
		edited["members"].([]map[string]any)[i]["id"] = h.Members[i].ID
		edited["members"].([]map[string]any)[i]["id_number"] = h.Members[i].IDNumber
	}
	// (40000 − 6000) / 3 / 12 = 944.44 yuan: above 低保 900, below 2 × 900.
	edited["income_wages_fen"] = 4000000
	got := decodeHH(cw.Must(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), edited))
	if got.SuggestedCategory != "relative" || got.PerCapitaFen != 94444 || got.CategoryPolicyID == 0 ||
		!strings.Contains(got.CategoryBasis, "¥944.44") {
		t.Fatalf("after the edit: %s %d %q (policy %d)", got.SuggestedCategory, got.PerCapitaFen, got.CategoryBasis, got.CategoryPolicyID)
	}
	// An exclusion answer makes it ineligible whatever the numbers.
	edited["income_wages_fen"] = 2400000
	edited["excl_car"] = true
	got = decodeHH(cw.Must(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), edited))
	if got.SuggestedCategory != "ineligible" || !strings.Contains(got.CategoryBasis, "机动车") {
		t.Fatalf("with a car: %s %q", got.SuggestedCategory, got.CategoryBasis)
	}
}

// SPEC §3.2: a supervisor's override of the suggested category is audited with its reason.
func TestHousehold_CategoryOverrideIsAuditedWithItsReason(t *testing.T) {
	srv := webtest.New(t)
	h := toPublicity(t, srv, srv.Login("caseworker1"), 63)
	sup := afterPublicity(srv, "supervisor1")[0]
	sup.Must(http.StatusOK, "POST", path(h, "file"), map[string]any{"category": "relative", "reason": "配偶已再就业，收入将改善"})
	var ev struct {
		Reason  string
		Changes string
	}
	if err := srv.DB.R.QueryRow(`SELECT reason, changes FROM audit_events WHERE action = 'household.file' AND entity_id = ?`,
		fmt.Sprint(h.ID)).Scan(&ev.Reason, &ev.Changes); err != nil {
		t.Fatal(err)
	}
	if ev.Reason != "配偶已再就业，收入将改善" || !strings.Contains(ev.Changes, "relative") {
		t.Fatalf("override event: %+v", ev)
	}
}

// SPEC §3.1, §7: removing a document is an audited event with its reason; reading one is audited too.
func TestHousehold_DocumentRemovalAndReadsAreAudited(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 64)
	var doc struct {
		ID int64 `json:"id"`
	}
	upload(t, cw, srv, h, "id_scan", "身份证.png", pngBytes()).Decode(&doc)
	cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), nil)
	srv.Login("auditor1").Refused(http.StatusForbidden, "forbidden", "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), map[string]any{"reason": "x"})
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), map[string]any{"reason": "x"})
	cw.Must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/%d", h.ID, doc.ID), map[string]any{"reason": "上传错了"})
	for action, want := range map[string]int{"household.document_upload": 1, "household.document_read": 1, "household.document_delete": 1} {
		if n := auditCount(t, srv, action); n != want {
			t.Errorf("%s: %d events, want %d", action, n, want)
		}
	}
	var reason string
	srv.DB.R.Get(&reason, "SELECT reason FROM audit_events WHERE action = 'household.document_delete'")
	if reason != "上传错了" {
		t.Fatalf("delete reason %q", reason)
	}
}

// SPEC §3.3: of two concurrent registrations of one ID number, the loser's 409 names the winner's file, masked.
func TestHousehold_ConcurrentDuplicateLoserIsToldTheWinnersFileMasked(t *testing.T) {
	srv := webtest.New(t)
	a, b := srv.Login("caseworker1"), srv.Login("caseworker1")
	var wg sync.WaitGroup
	res := make([]*webtest.Response, 2)
	for i, c := range []*webtest.Client{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := household(srv, 70+i)
			m["members"].([]map[string]any)[0]["id_number"] = id(998)
			res[i] = c.Do("POST", "/api/v1/households", m)
		}()
	}
	wg.Wait()
	win, lose := res[0], res[1]
	if win.Status != http.StatusCreated {
		win, lose = lose, win
	}
	if win.Status != http.StatusCreated || lose.Status != http.StatusConflict || lose.ErrorCode() != "conflict" {
		t.Fatalf("statuses %d and %d: %s", res[0].Status, res[1].Status, lose.Body)
	}
	winner := decodeHH(win)
	_, msg, fields := lose.Error()
	if !strings.Contains(msg, winner.FileNo) || !strings.Contains(msg, "********") || strings.Contains(string(lose.Body), id(998)) ||
		fields["members[0].id_number"] == "" {
		t.Fatalf("the loser's message: %s", lose.Body)
	}
}

// Issue 3 §7: the list filters by org and by review due over HTTP as well.
func TestHousehold_ListFiltersByOrgAndReviewDue(t *testing.T) {
	srv := webtest.New(t)
	h := toFiled(t, srv, 65)
	cw := srv.Login("caseworker1")
	m := household(srv, 66)
	m["org_id"] = srv.OrgID("BJ-XX-JH-02")
	other := decodeHH(cw.Must(http.StatusCreated, "POST", "/api/v1/households", m))
	ids := func(c *webtest.Client, q string) string {
		var res struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		c.Must(http.StatusOK, "GET", "/api/v1/households?"+q, nil).Decode(&res)
		var out []int64
		for _, it := range res.Items {
			out = append(out, it.ID)
		}
		return fmt.Sprint(out)
	}
	if got := ids(cw, fmt.Sprintf("org_id=%d", srv.OrgID("BJ-XX-JH-02"))); got != fmt.Sprint([]int64{other.ID}) {
		t.Fatalf("org filter: %s", got)
	}
	if got := ids(cw, "review_due=true"); got != "[]" {
		t.Fatalf("review due before a year: %s", got)
	}
	srv.Clock.Advance(366 * 24 * time.Hour)
	cw = srv.Login("caseworker1")
	if got := ids(cw, "review_due=true"); got != fmt.Sprint([]int64{h.ID}) {
		t.Fatalf("review due after a year: %s", got)
	}
}

// Issue 3 §2: the category is computed with the policy in force on the day of the save and stored with its
// version; a file filed under the old version keeps it.
func TestHousehold_CategoryUsesThePolicyInForceAndKeepsItsVersion(t *testing.T) {
	srv := webtest.New(t)
	old := toFiled(t, srv, 67) // filed on 2026-03-17 under the defaults: 500 < 900 → deep
	admin, cw := srv.Login("admin"), srv.Login("caseworker1")
	params := defaultParams(t, admin)
	params["dibao_monthly_fen"], params["living_cap_year_fen"] = 45000, 540000
	var created struct {
		ID int64 `json:"id"`
	}
	admin.Must(http.StatusCreated, "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-03-18", "params": params}).Decode(&created)
	before := create(t, srv, cw, 68)
	if before.CategoryPolicyID == created.ID || before.SuggestedCategory != "deep" {
		t.Fatalf("before its date the new version applied: %+v", before)
	}
	srv.Clock.Set(time.Date(2026, 3, 18, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	cw = srv.Login("caseworker1")
	h := create(t, srv, cw, 69)
	// 500 yuan per person: not below 低保 450, below 2 × 450 = 900.
	if h.CategoryPolicyID != created.ID || h.SuggestedCategory != "relative" || !strings.Contains(h.CategoryBasis, "< 2 × 低保 ¥900.00") {
		t.Fatalf("under the new version: policy %d (want %d), %s %q", h.CategoryPolicyID, created.ID, h.SuggestedCategory, h.CategoryBasis)
	}
	kept := decodeHH(cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", old.ID), nil))
	if kept.CategoryPolicyID != old.CategoryPolicyID || kept.Category != "deep" {
		t.Fatalf("the filed household changed with the new version: %+v", kept)
	}
}

// TestHousehold_CategoryUsesTheNearestOrgsPolicy: a version for the household's sub-district applies to a file
// of one of its unions, and a version for another union does not, on create and on update alike.
func TestHousehold_CategoryUsesTheNearestOrgsPolicy(t *testing.T) {
	srv := webtest.New(t)
	admin, cw := srv.Login("admin"), srv.Login("caseworker1")
	params := defaultParams(t, admin)
	var near, other struct {
		ID int64 `json:"id"`
	}
	params["dibao_monthly_fen"], params["living_cap_year_fen"] = 45000, 540000
	admin.Must(http.StatusCreated, "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-01-01",
		"org_id": srv.OrgID("BJ-XX-JH"), "params": params}).Decode(&near)
	params["dibao_monthly_fen"] = 60000
	admin.Must(http.StatusCreated, "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-01-02",
		"org_id": srv.OrgID("BJ-XX-JH-02"), "params": params}).Decode(&other)
	h := create(t, srv, cw, 71)
	// 500 yuan per person: not below the sub-district's 低保 450, below 2 × 450.
	if h.CategoryPolicyID != near.ID || h.SuggestedCategory != "relative" {
		t.Fatalf("created under policy %d (want %d, not %d): %s", h.CategoryPolicyID, near.ID, other.ID, h.SuggestedCategory)
	}
	in := household(srv, 71)
	in["income_wages_fen"] = 2000000
	u := decodeHH(cw.Must(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), in))
	if u.CategoryPolicyID != near.ID || u.PerCapitaFen != 38888 {
		t.Fatalf("updated under policy %d (want %d): %d", u.CategoryPolicyID, near.ID, u.PerCapitaFen)
	}
}

// SPEC §3.4: referrals are listed within scope only, and closed by caseworkers and supervisors only.
func TestReferral_ListIsScopedAndCloseChecksTheRole(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	var ref struct {
		ID int64 `json:"id"`
	}
	cw.Must(http.StatusCreated, "POST", "/api/v1/referrals", map[string]any{"name": "刘海", "id_number": id(22), "phone": "13700002222",
		"org_id": srv.OrgID("BJ-XX-JH-02"), "reason": "收入略超标准但子女重病", "follow_up_date": "2026-03-20"}).Decode(&ref)
	var list struct{ Total int }
	srv.Login("caseworker2").Must(http.StatusOK, "GET", "/api/v1/referrals", nil).Decode(&list)
	if list.Total != 0 {
		t.Fatalf("caseworker2 lists %d referrals of another community", list.Total)
	}
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/referrals/%d", ref.ID), nil)
	srv.Login("supervisor1").Must(http.StatusOK, "GET", "/api/v1/referrals", nil).Decode(&list)
	if list.Total != 1 {
		t.Fatalf("the sub-district supervisor lists %d referrals", list.Total)
	}
	for _, u := range []string{"auditor1", "finance1", "admin"} {
		srv.Login(u).Refused(http.StatusForbidden, "forbidden", "POST", fmt.Sprintf("/api/v1/referrals/%d/close", ref.ID), map[string]any{"outcome": "helped", "amount_fen": 100})
	}
	cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/referrals", map[string]any{"name": "刘海", "id_number": id(23),
		"org_id": srv.OrgID("BJ-XX-JH-02"), "reason": "x", "follow_up_date": "2026-02-30"})
}
