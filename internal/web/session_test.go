package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

func auditCount(t *testing.T, srv *webtest.Server, action string) int {
	t.Helper()
	var n int
	if err := srv.DB.R.Get(&n, "SELECT count(*) FROM audit_events WHERE action = ?", action); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLogin_ReturnsUserAndCSRFTokenAndSetsHttpOnlySameSiteCookie(t *testing.T) {
	srv := webtest.New(t)
	r := srv.Anonymous().Must(200, "POST", "/api/v1/session", map[string]string{"username": "caseworker1", "password": "bangfu-demo"})
	m := r.JSON()
	org := m["org"].(map[string]any)
	if m["username"] != "caseworker1" || m["csrf_token"] == "" || org["code"] != "BJ-XX-JH" || org["level_name"] != "社区工会" {
		t.Fatalf("login answer: %s", r.Body)
	}
	if roles := m["roles"].([]any); len(roles) != 1 || roles[0] != "caseworker" {
		t.Fatalf("roles: %v", roles)
	}
	if strings.Contains(string(r.Body), `"password"`) || strings.Contains(string(r.Body), "hash") {
		t.Fatalf("login answer leaks a password field: %s", r.Body)
	}
	ck := r.Header.Get("Set-Cookie")
	for _, want := range []string{"bangfu_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %q", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("cookie over plain HTTP must not be Secure (the browser would drop it): %q", ck)
	}
	if auditCount(t, srv, "session.login") != 1 {
		t.Error("a log-in must be an audit event")
	}
}

func TestMe_AnswersTheSameShapeAsLogIn(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("supervisor1")
	m := c.Must(200, "GET", "/api/v1/me", nil).JSON()
	if m["username"] != "supervisor1" || m["name"] != "李建国" || m["csrf_token"] != c.CSRF {
		t.Fatalf("me: %v", m)
	}
}

func TestLogin_RefusesWrongPasswordAndUnknownUserAlike(t *testing.T) {
	srv := webtest.New(t)
	for _, u := range []string{"caseworker1", "nobody"} {
		r := srv.Anonymous().Refused(401, "unauthenticated", "POST", "/api/v1/session", map[string]string{"username": u, "password": "wrong-password"})
		if _, msg, _ := r.Error(); msg != "用户名或密码错误" {
			t.Errorf("%s: message %q", u, msg)
		}
	}
	if n := auditCount(t, srv, "session.login_failed"); n != 2 {
		t.Fatalf("failed log-ins audited: %d, want 2", n)
	}
}

// TestLogin_AnUnknownAndAKnownNameReadTheSameOverHTTP (SPEC §1.3, issue 15 item 4): failures, the delay
// they bring and the answers after it have the same status, code and message whether the name exists.
func TestLogin_AnUnknownAndAKnownNameReadTheSameOverHTTP(t *testing.T) {
	run := func(username string) []string {
		srv := webtest.New(t)
		var out []string
		for i := 0; i < 6; i++ {
			r := srv.Anonymous().Do("POST", "/api/v1/session", map[string]string{"username": username, "password": "not-the-password"})
			code, msg, _ := r.Error()
			out = append(out, fmt.Sprint(r.Status, " ", code, " ", msg))
		}
		return out
	}
	known, unknown := run("finance1"), run("nobody")
	for i := range known {
		if known[i] != unknown[i] {
			t.Errorf("attempt %d: finance1 reads %q, nobody %q", i+1, known[i], unknown[i])
		}
	}
	if known[0] != "401 unauthenticated 用户名或密码错误" || !strings.HasPrefix(known[len(known)-1], "429 rate_limited") {
		t.Fatalf("answers: %v", known)
	}
}

// TestUsers_AdminUnlocksALockedAccountWithAReasonAndItIsAudited: POST /api/v1/users/{id}/unlock.
func TestUsers_AdminUnlocksALockedAccountWithAReasonAndItIsAudited(t *testing.T) {
	srv := webtest.New(t)
	ctx := context.Background()
	for i := 0; i < auth.AccountLockFailures; i++ { // a crowd of addresses
		srv.Auth.Login(ctx, "supervisor1", "wrong", fmt.Sprintf("192.0.2.%d", i), "req")
	}
	good := map[string]string{"username": "supervisor1", "password": demo.Password}
	srv.Anonymous().Refused(429, "rate_limited", "POST", "/api/v1/session", good)
	var id int64
	if err := srv.DB.R.Get(&id, "SELECT id FROM users WHERE username = 'supervisor1'"); err != nil {
		t.Fatal(err)
	}
	admin := srv.Login("admin")
	var listed struct {
		Items []struct {
			Username    string  `json:"username"`
			LockedUntil *string `json:"locked_until"`
		} `json:"items"`
	}
	admin.Must(200, "GET", "/api/v1/users?q=supervisor1", nil).Decode(&listed)
	if len(listed.Items) != 1 || listed.Items[0].LockedUntil == nil {
		t.Fatalf("the user list does not show the lock: %+v", listed)
	}
	unlock := fmt.Sprintf("/api/v1/users/%d/unlock", id)
	admin.Refused(400, "validation", "POST", unlock, map[string]string{})
	srv.Login("auditor1").Refused(403, "forbidden", "POST", unlock, map[string]string{"reason": "x"})
	before := auditCount(t, srv, "user.unlock")
	admin.Must(200, "POST", unlock, map[string]string{"reason": "本人来电确认"})
	if auditCount(t, srv, "user.unlock") != before+1 {
		t.Fatal("the unlock is not audited")
	}
	srv.Anonymous().Must(200, "POST", "/api/v1/session", good)
	admin.Refused(409, "conflict", "POST", unlock, map[string]string{"reason": "再解一次"})
}

func TestLogin_IsRateLimitedPerClientAddress(t *testing.T) {
	srv := webtest.New(t, func(c *web.Config) { c.LoginRate, c.LoginBurst = 0, 0 }) // the production defaults
	limited := false
	for i := 0; i < 100 && !limited; i++ {
		r := srv.Anonymous().Do("POST", "/api/v1/session", map[string]string{"username": "x", "password": "y"})
		limited = r.Status == http.StatusTooManyRequests && r.ErrorCode() == "rate_limited"
	}
	if !limited {
		t.Fatal("100 log-in attempts in a burst from one address were never rate-limited")
	}
}

func TestSession_EndsAfterThirtyMinutesIdle(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("caseworker1")
	srv.Clock.Advance(29 * time.Minute)
	c.Must(200, "GET", "/api/v1/me", nil)
	srv.Clock.Advance(31 * time.Minute)
	c.Refused(401, "unauthenticated", "GET", "/api/v1/me", nil)
}

func TestSession_EndsTwelveHoursAfterLogInHoweverBusy(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("caseworker1")
	for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
		srv.Clock.Advance(20 * time.Minute)
		c.Must(200, "GET", "/api/v1/me", nil)
	}
	srv.Clock.Advance(25 * time.Minute)
	c.Refused(401, "unauthenticated", "GET", "/api/v1/me", nil)
}

func TestLogout_EndsTheSessionAndIsAudited(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("auditor1")
	c.Must(204, "DELETE", "/api/v1/session", nil)
	c.Refused(401, "unauthenticated", "GET", "/api/v1/me", nil)
	if auditCount(t, srv, "session.logout") != 1 {
		t.Fatal("log-out must be audited")
	}
}

func TestCSRF_StateChangingRequestsWithTheCookieNeedTheToken(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("admin")
	token := c.CSRF
	body := map[string]any{"code": "BJ-NEW", "name": "新街道总工会", "parent_id": 1}
	c.CSRF = ""
	c.Refused(403, "forbidden", "POST", "/api/v1/orgs", body)
	c.CSRF = "forged"
	c.Refused(403, "forbidden", "POST", "/api/v1/orgs", body)
	c.Refused(403, "forbidden", "DELETE", "/api/v1/session", nil)
	c.CSRF = token
	c.Must(201, "POST", "/api/v1/orgs", body)
	// Another session's token does not fit this one.
	other := srv.Login("admin")
	c.CSRF = other.CSRF
	c.Refused(403, "forbidden", "POST", "/api/v1/orgs", map[string]any{"code": "BJ-NEW2", "name": "另一街道总工会", "parent_id": 1})
}

func TestUnauthenticatedRequestsAreRefusedExceptHealthAndTheUI(t *testing.T) {
	srv := webtest.New(t)
	anon := srv.Anonymous()
	for _, p := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/orgs", "/api/v1/policies", "/api/v1/policies/current", "/api/v1/audit/events", "/api/v1/audit/verify"} {
		anon.Refused(401, "unauthenticated", "GET", p, nil)
	}
	anon.Refused(401, "unauthenticated", "POST", "/api/v1/users", map[string]any{})
	anon.Must(200, "GET", "/healthz", nil)
	if r := anon.Must(200, "GET", "/", nil); !strings.Contains(string(r.Body), "<html") {
		t.Fatalf("/ is not the UI: %.200s", r.Body)
	}
	anon.Must(200, "GET", "/app.js", nil)
	anon.Refused(404, "not_found", "GET", "/no-such-file.js", nil)
	anon.Refused(404, "not_found", "GET", "/api/v1/no-such-thing", nil)
}

func TestChangeOwnPassword_NeedsTheOldOneAndEndsNothingElse(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("caseworker2")
	r := c.Refused(400, "validation", "POST", "/api/v1/me/password", map[string]string{"old_password": "wrong-old-pw", "new_password": "new-secret-2026"})
	if _, _, f := r.Error(); f["old_password"] == "" {
		t.Fatalf("field error expected for old_password: %s", r.Body)
	}
	r = c.Refused(400, "validation", "POST", "/api/v1/me/password", map[string]string{"old_password": "bangfu-demo", "new_password": "short"})
	if _, _, f := r.Error(); f["new_password"] == "" {
		t.Fatalf("field error expected for new_password: %s", r.Body)
	}
	c.Must(204, "POST", "/api/v1/me/password", map[string]string{"old_password": "bangfu-demo", "new_password": "new-secret-2026"})
	c.Must(200, "GET", "/api/v1/me", nil)
	srv.Anonymous().Refused(401, "unauthenticated", "POST", "/api/v1/session", map[string]string{"username": "caseworker2", "password": "bangfu-demo"})
	srv.LoginWith("caseworker2", "new-secret-2026")
}

// SPEC §1.3: a password chosen by someone else is a one-time password.
func TestOneTimePassword_AUserCreatedByAnAdminMustChangeItBeforeAnythingElse(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	admin.Must(201, "POST", "/api/v1/users", map[string]any{"username": "newbie", "name": "新人", "org_id": srv.OrgID("BJ-XX-JH"),
		"roles": []string{"caseworker"}, "password": "given-by-admin"})
	c := srv.LoginWith("newbie", "given-by-admin")
	if me := c.Must(200, "GET", "/api/v1/me", nil).JSON(); me["must_change_password"] != true {
		t.Fatalf("me: %v", me)
	}
	r := c.Refused(403, "forbidden", "GET", "/api/v1/policies/current", nil)
	if _, msg, _ := r.Error(); !strings.Contains(msg, "修改初始密码") {
		t.Errorf("message: %q", msg)
	}
	c.Refused(403, "forbidden", "GET", "/api/v1/orgs", nil)
	c.Refused(400, "validation", "POST", "/api/v1/me/password", map[string]string{"old_password": "given-by-admin", "new_password": "given-by-admin"})
	c.Must(204, "POST", "/api/v1/me/password", map[string]string{"old_password": "given-by-admin", "new_password": "my-own-secret"})
	c.Must(200, "GET", "/api/v1/policies/current", nil)
	if me := c.Must(200, "GET", "/api/v1/me", nil).JSON(); me["must_change_password"] != false {
		t.Fatalf("after the change: %v", me)
	}
}

func TestOneTimePassword_AnAdminsResetIsOneTimeToo(t *testing.T) {
	srv := webtest.New(t)
	srv.Login("admin").Must(204, "POST", "/api/v1/users/6/password", map[string]any{"password": "reset-by-admin"})
	c := srv.LoginWith("finance1", "reset-by-admin")
	c.Refused(403, "forbidden", "GET", "/api/v1/policies/current", nil)
	c.Must(204, "DELETE", "/api/v1/session", nil) // logging out is always allowed
}

func TestOneTimePassword_DemoUsersAndTheirOwnChangesAreNot(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("caseworker1")
	c.Must(200, "GET", "/api/v1/policies/current", nil)
	c.Must(204, "POST", "/api/v1/me/password", map[string]string{"old_password": "bangfu-demo", "new_password": "chosen-by-me"})
	c.Must(200, "GET", "/api/v1/policies/current", nil)
}

// Issue 2 §4: the session cookie is Secure when the server is reached over TLS.
func TestLogin_OverTLSSetsASecureCookie(t *testing.T) {
	clk := clock.NewManual(webtest.Start)
	db := demotest.Seed(t, clk)
	ts := httptest.NewTLSServer(web.New(web.Config{DB: db, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BcryptCost: bcrypt.MinCost, LoginRate: 1000, LoginBurst: 1000}))
	t.Cleanup(ts.Close)
	res, err := ts.Client().Post(ts.URL+"/api/v1/session", "application/json",
		strings.NewReader(`{"username": "caseworker1", "password": "bangfu-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ck := res.Header.Get("Set-Cookie")
	if res.StatusCode != http.StatusOK || !strings.Contains(ck, "bangfu_session=") {
		t.Fatalf("log-in over TLS: %d %q", res.StatusCode, ck)
	}
	for _, want := range []string{"Secure", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie over TLS %q lacks %q", ck, want)
		}
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("no HSTS over TLS: %q", hsts)
	}
}
