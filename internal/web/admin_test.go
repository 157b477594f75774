package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"bangfu/internal/audit/audittest"
	"bangfu/internal/web/webtest"
)

func newUser(username string, orgID int64, roles ...string) map[string]any {
	return map[string]any{"username": username, "name": "测试用户", "org_id": orgID, "roles": roles, "password": "pass-2026-word"}
}

func TestUsers_AdminCreatesAUserWhoCanLogInAndIsListed(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	r := admin.Must(201, "POST", "/api/v1/users", newUser("zhangwei", srv.OrgID("BJ-CH-CH"), "caseworker", "supervisor"))
	u := r.JSON()
	if u["username"] != "zhangwei" || len(u["roles"].([]any)) != 2 {
		t.Fatalf("created: %s", r.Body)
	}
	list := admin.Must(200, "GET", "/api/v1/users?q=zhang", nil).JSON()
	if list["total"].(float64) != 1 || list["items"].([]any)[0].(map[string]any)["username"] != "zhangwei" {
		t.Fatalf("list: %v", list)
	}
	byRole := admin.Must(200, "GET", "/api/v1/users?role=supervisor&per_page=1", nil).JSON()
	if byRole["total"].(float64) != 3 || len(byRole["items"].([]any)) != 1 {
		t.Fatalf("role filter and paging: %v", byRole)
	}
	srv.LoginWith("zhangwei", "pass-2026-word")
	if auditCount(t, srv, "user.create") != 8 { // 7 demo users + this one
		t.Fatal("user creation must be audited")
	}
}

func TestUsers_RefusesAuditorOrAdminCombinedWithAnotherRole(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	for _, roles := range [][]string{{"auditor", "finance"}, {"admin", "caseworker"}, {"admin", "auditor"}} {
		r := admin.Refused(400, "validation", "POST", "/api/v1/users", newUser("combo", 1, roles...))
		if _, _, f := r.Error(); !strings.Contains(f["roles"], "不能与其他角色兼任") {
			t.Errorf("%v: %s", roles, r.Body)
		}
	}
	admin.Refused(400, "validation", "POST", "/api/v1/users", newUser("combo", 1, "superuser"))
	admin.Refused(400, "validation", "POST", "/api/v1/users", newUser("combo", 1))
	// The same rule holds when roles are changed later.
	id := admin.Must(201, "POST", "/api/v1/users", newUser("combo", 1, "finance")).JSON()["id"]
	admin.Refused(400, "validation", "PATCH", fmt.Sprintf("/api/v1/users/%v", id), map[string]any{"roles": []string{"finance", "auditor"}})
}

func TestUsers_RefusesADuplicateUsernameWithConflict(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	r := admin.Refused(409, "conflict", "POST", "/api/v1/users", newUser("Caseworker1", 1, "caseworker"))
	if _, _, f := r.Error(); f["username"] == "" {
		t.Fatalf("the username field should carry the message: %s", r.Body)
	}
}

func TestUsers_OnlyAdminsManageUsers(t *testing.T) {
	srv := webtest.New(t)
	for _, who := range []string{"caseworker1", "supervisor2", "finance1", "auditor1"} {
		c := srv.Login(who)
		c.Refused(403, "forbidden", "GET", "/api/v1/users", nil)
		c.Refused(403, "forbidden", "POST", "/api/v1/users", newUser("sneaky", 1, "admin"))
		c.Refused(403, "forbidden", "PATCH", "/api/v1/users/2", map[string]any{"roles": []string{"admin"}})
		c.Refused(403, "forbidden", "POST", "/api/v1/users/2/password", map[string]any{"password": "taken-over-1"})
		c.Refused(403, "forbidden", "POST", "/api/v1/orgs", map[string]any{"code": "X1", "name": "x", "parent_id": 1})
		c.Refused(403, "forbidden", "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-05-01", "params": map[string]any{}})
	}
}

func TestUsers_DisablingAUserEndsTheirSessionsAndLogIns(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	victim := srv.Login("caseworker2")
	var id float64
	for _, u := range admin.Must(200, "GET", "/api/v1/users?q=caseworker2", nil).JSON()["items"].([]any) {
		id = u.(map[string]any)["id"].(float64)
	}
	admin.Must(200, "PATCH", fmt.Sprintf("/api/v1/users/%d", int(id)), map[string]any{"disabled": true})
	victim.Refused(401, "unauthenticated", "GET", "/api/v1/me", nil)
	srv.Anonymous().Refused(401, "unauthenticated", "POST", "/api/v1/session", map[string]string{"username": "caseworker2", "password": "bangfu-demo"})
	// An admin cannot lock themselves out.
	admin.Refused(409, "conflict", "PATCH", "/api/v1/users/1", map[string]any{"disabled": true})
	admin.Refused(409, "conflict", "PATCH", "/api/v1/users/1", map[string]any{"roles": []string{"finance"}})
}

func TestUsers_AdminResetsAPasswordAndTheOldOneStopsWorking(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	old := srv.Login("finance1")
	admin.Refused(400, "validation", "POST", "/api/v1/users/6/password", map[string]any{"password": "short"})
	admin.Must(204, "POST", "/api/v1/users/6/password", map[string]any{"password": "fresh-pass-2026"})
	old.Refused(401, "unauthenticated", "GET", "/api/v1/me", nil)
	srv.LoginWith("finance1", "fresh-pass-2026")
	if auditCount(t, srv, "user.password_reset") != 1 {
		t.Fatal("password reset must be audited")
	}
}

// A community admin sees and changes only their own subtree; other records answer 404, not 403, so they
// cannot even learn that a record exists.
func TestScope_ACommunityAdminCannotSeeOrTouchAnotherCommunity(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	jh, ch := srv.OrgID("BJ-XX-JH"), srv.OrgID("BJ-CH-CH")
	admin.Must(201, "POST", "/api/v1/users", newUser("jhadmin", jh, "admin"))
	outsider := admin.Must(201, "POST", "/api/v1/users", newUser("chworker", ch, "caseworker")).JSON()["id"].(float64)
	local := srv.LoginWith("jhadmin", "pass-2026-word")
	local.Must(204, "POST", "/api/v1/me/password", map[string]string{"old_password": "pass-2026-word", "new_password": "jhadmin-own-pw"})

	users := local.Must(200, "GET", "/api/v1/users?per_page=200", nil).JSON()
	for _, u := range users["items"].([]any) {
		code := u.(map[string]any)["org"].(map[string]any)["code"].(string)
		if !strings.HasPrefix(code, "BJ-XX-JH") {
			t.Errorf("community admin sees a user of %s", code)
		}
	}
	orgs := local.Must(200, "GET", "/api/v1/orgs", nil).JSON()
	if orgs["total"].(float64) != 3 { // the community and its two grassroots unions
		t.Errorf("community admin sees %v orgs, want 3", orgs["total"])
	}
	path := fmt.Sprintf("/api/v1/users/%d", int(outsider))
	local.Refused(404, "not_found", "GET", path, nil)
	local.Refused(404, "not_found", "PATCH", path, map[string]any{"name": "改名"})
	local.Refused(404, "not_found", "POST", path+"/password", map[string]any{"password": "taken-over-1"})
	local.Refused(404, "not_found", "PATCH", fmt.Sprintf("/api/v1/orgs/%d", ch), map[string]any{"name": "改名"})
	local.Refused(400, "validation", "POST", "/api/v1/users", newUser("planted", ch, "caseworker"))
	local.Refused(404, "not_found", "GET", fmt.Sprintf("/api/v1/policies/current?org_id=%d", ch), nil)
	// Within scope it works.
	local.Must(201, "POST", "/api/v1/users", newUser("jhworker", srv.OrgID("BJ-XX-JH-01"), "caseworker"))
}

func TestOrgs_AreListedInTreeOrderAndGrowOneLevelAtATime(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	orgs := admin.Must(200, "GET", "/api/v1/orgs", nil).JSON()["items"].([]any)
	if len(orgs) != 15 {
		t.Fatalf("demo tree has %d orgs, want 15", len(orgs))
	}
	seen := map[float64]bool{}
	for _, o := range orgs {
		m := o.(map[string]any)
		if p, ok := m["parent_id"].(float64); ok && !seen[p] {
			t.Fatalf("%s listed before its parent", m["name"])
		}
		seen[m["id"].(float64)] = true
	}
	c := admin.Must(201, "POST", "/api/v1/orgs", map[string]any{"code": "BJ-XX-JH-03", "name": "江汉快递网点工会", "parent_id": srv.OrgID("BJ-XX-JH")}).JSON()
	if c["level"].(float64) != 4 || c["level_name"] != "基层工会" {
		t.Fatalf("new org: %v", c)
	}
	admin.Refused(400, "validation", "POST", "/api/v1/orgs", map[string]any{"code": "BJ-X5", "name": "下级", "parent_id": c["id"]})
	admin.Refused(409, "conflict", "POST", "/api/v1/orgs", map[string]any{"code": "BJ-XX-JH-03", "name": "重复", "parent_id": srv.OrgID("BJ-XX-JH")})
	admin.Refused(400, "validation", "POST", "/api/v1/orgs", map[string]any{"code": "含 空格", "name": "x", "parent_id": 1})
	admin.Refused(400, "validation", "POST", "/api/v1/orgs", map[string]any{"code": "TOP2", "name": "第二个区总工会"})
	r := admin.Must(200, "PATCH", fmt.Sprintf("/api/v1/orgs/%v", c["id"]), map[string]any{"name": "江汉快递驿站工会"}).JSON()
	if r["name"] != "江汉快递驿站工会" || auditCount(t, srv, "org.rename") != 1 {
		t.Fatalf("rename: %v", r)
	}
}

func TestAuditEvents_OnlyAuditorsAndAdminsReadTheTrail(t *testing.T) {
	srv := webtest.New(t)
	for _, who := range []string{"caseworker1", "supervisor1", "finance1"} {
		srv.Login(who).Refused(403, "forbidden", "GET", "/api/v1/audit/events", nil)
	}
	srv.Login("caseworker1").Refused(403, "forbidden", "GET", "/api/v1/audit/verify", nil)
	aud := srv.Login("auditor1")
	m := aud.Must(200, "GET", "/api/v1/audit/events?action=user.create&per_page=3", nil).JSON()
	if m["total"].(float64) != 7 || len(m["items"].([]any)) != 3 {
		t.Fatalf("filtered list: total %v, %d items", m["total"], len(m["items"].([]any)))
	}
	first := m["items"].([]any)[0].(map[string]any)
	if roles, _ := first["roles"].([]any); len(roles) != 1 || roles[0] != "admin" {
		t.Errorf("roles should be a list: %v", first["roles"])
	}
	if first["changes"] == nil || first["hash"] == "" || first["actor"] != "admin" {
		t.Fatalf("event: %v", first)
	}
	aud.Refused(400, "validation", "GET", "/api/v1/audit/events?from=yesterday", nil)
	day := aud.Must(200, "GET", "/api/v1/audit/events?from=2026-03-10&to=2026-03-10", nil).JSON()
	none := aud.Must(200, "GET", "/api/v1/audit/events?from=2026-03-11", nil).JSON()
	if day["total"].(float64) < 20 || none["total"].(float64) != 0 {
		t.Fatalf("date filter: on the day %v, after %v", day["total"], none["total"])
	}
	v := aud.Must(200, "GET", "/api/v1/audit/verify", nil).JSON()
	if v["ok"] != true || v["head_seq"].(float64) < 20 || len(v["head_hash"].(string)) != 64 {
		t.Fatalf("verify: %v", v)
	}
}

// Every state-changing request writes its audit event with the change; a refused request writes none.
func TestAuditEvents_AreWrittenWithTheChangeAndNotForRefusals(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	count := func() int {
		var n int
		srv.DB.R.Get(&n, "SELECT count(*) FROM audit_events")
		return n
	}
	before := count()
	admin.Refused(400, "validation", "POST", "/api/v1/users", newUser("x", 1, "caseworker"))
	admin.Refused(409, "conflict", "POST", "/api/v1/users", newUser("admin", 1, "caseworker"))
	if count() != before {
		t.Fatal("a refused request wrote an audit event")
	}
	admin.Must(201, "POST", "/api/v1/users", newUser("audited", 1, "finance"))
	var ev struct {
		Actor, Roles, Action, EntityType, RequestID, ClientAddr string
	}
	srv.DB.R.QueryRow("SELECT actor, roles, action, entity_type, request_id, client_addr FROM audit_events ORDER BY seq DESC LIMIT 1").
		Scan(&ev.Actor, &ev.Roles, &ev.Action, &ev.EntityType, &ev.RequestID, &ev.ClientAddr)
	if count() != before+1 || ev.Actor != "admin" || ev.Roles != "admin" || ev.Action != "user.create" ||
		ev.RequestID == "" || ev.ClientAddr != "127.0.0.1" {
		t.Fatalf("event: %+v", ev)
	}
}

// SPEC §9.2: no request, however malformed, gets a 500 or a stack trace.
func TestMalformedRequestsGetClearErrorsNeverA500(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	bodies := []string{"", "{", "[]", "null", "42", `"text"`, `{"username": 5}`, `{"roles": "admin"}`, `{"org_id": "one"}`,
		`{"unknown": true}`, `{"username":"a"} {"username":"b"}`, `{"params": {"dibao_monthly_fen": "lots"}}`,
		"\x00\xff\xfe", `{"name": "` + strings.Repeat("名", 300) + `"}`, `{"effective_from": "2026-02-30"}`}
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/users"}, {"PATCH", "/api/v1/users/2"}, {"POST", "/api/v1/users/2/password"},
		{"POST", "/api/v1/orgs"}, {"PATCH", "/api/v1/orgs/2"}, {"POST", "/api/v1/policies"},
		{"POST", "/api/v1/me/password"}, {"POST", "/api/v1/session"},
		{"PATCH", "/api/v1/users/abc"}, {"PATCH", "/api/v1/users/-1"}, {"PATCH", "/api/v1/users/99999999999999999999"},
	}
	for _, rt := range routes {
		for _, b := range bodies {
			r := admin.Do(rt.method, rt.path, b)
			code, msg, _ := r.Error()
			if r.Status >= 500 || code == "" || msg == "" {
				t.Errorf("%s %s %q: %d %s", rt.method, rt.path, b, r.Status, r.Body)
			}
			if strings.Contains(string(r.Body), "goroutine") || strings.Contains(string(r.Body), ".go:") {
				t.Errorf("%s %s leaks internals: %s", rt.method, rt.path, r.Body)
			}
		}
	}
	for _, q := range []string{"/api/v1/users?page=x", "/api/v1/users?org_id=1e99", "/api/v1/audit/events?per_page=-5",
		"/api/v1/policies/current?date=tomorrow", "/api/v1/policies/current?org_id=x", "/api/v1/users/0"} {
		if r := admin.Do("GET", q, nil); r.Status >= 500 || r.ErrorCode() == "" && r.Status != 200 {
			t.Errorf("GET %s: %d %s", q, r.Status, r.Body)
		}
	}
	r := admin.Refused(400, "validation", "POST", "/api/v1/users", `{"username":"ok","extra":1}`)
	if _, _, f := r.Error(); f["extra"] == "" {
		t.Errorf("unknown field should be named: %s", r.Body)
	}
	r = admin.Refused(400, "validation", "POST", "/api/v1/users", `{"org_id":"one"}`)
	if _, _, f := r.Error(); !strings.Contains(f["org_id"], "整数") {
		t.Errorf("wrong type should say what is expected: %s", r.Body)
	}
}

func TestBodiesOverTheLimitGet413(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	big := `{"name": "` + strings.Repeat("x", 2<<20) + `"}`
	admin.Refused(413, "too_large", "POST", "/api/v1/orgs", big)
	// Without Content-Length (chunked) the limit still holds.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/orgs", strings.NewReader(big))
	req.ContentLength = -1
	req.Header.Set("X-CSRF-Token", admin.CSRF)
	if r := admin.Send(req); r.Status != 413 || r.ErrorCode() != "too_large" {
		t.Fatalf("chunked: %d %s", r.Status, r.Body)
	}
}

// SPEC §7, §9.2: GET /api/v1/audit/verify names the first damaged event, in the contract's shape.
func TestAuditVerify_OverHTTPNamesTheFirstDamagedEvent(t *testing.T) {
	srv := webtest.New(t)
	aud := srv.Login("auditor1")
	var seq int64
	if err := srv.DB.R.Get(&seq, "SELECT seq FROM audit_events WHERE action = 'user.create' ORDER BY seq LIMIT 1 OFFSET 2"); err != nil {
		t.Fatal(err)
	}
	audittest.Tamper(t, srv.DB, audittest.Exec("UPDATE audit_events SET reason = reason || 'x' WHERE seq = ?", seq))
	for _, c := range []*webtest.Client{aud, srv.Login("admin")} {
		v := c.Must(200, "GET", "/api/v1/audit/verify", nil).JSON()
		if v["ok"] != false || v["first_bad_seq"] != float64(seq) {
			t.Fatalf("verify after damage to event %d: %v", seq, v)
		}
		if _, ok := v["head_hash"]; ok {
			t.Errorf("a broken chain should not report a head hash as if it were good: %v", v)
		}
	}
}
