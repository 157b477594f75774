package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/audit"
	"bangfu/internal/audit/audittest"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/store"
)

// seededDB writes a database with the demo orgs and users and closes it, as a server would leave it.
func seededDB(t *testing.T) string {
	t.Helper()
	return demoFile(t, clock.System{}, demo.Seed)
}

// demoFile writes a new database file with seed's demo data (demo.Seed or demo.Full), written at clk's time,
// and closes it, as a server would leave it; it returns the file's path.
func demoFile(t *testing.T, clk clock.Clock, seed demotest.Seeder) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bangfu.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seed(context.Background(), db, demotest.Users(db, clk)); err != nil {
		t.Fatal(err)
	}
	return path
}

// bangfu runs the command line as main does, with stdin and a captured stdout.
func bangfu(t *testing.T, stdin string, args ...string) (int, string, error) {
	t.Helper()
	var out bytes.Buffer
	code, err := run(context.Background(), args, strings.NewReader(stdin), &out)
	return code, out.String(), err
}

// inspect opens the database at path for the test to read, and closes it when the test ends.
func inspect(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countRows(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestRun_HelpOnEveryCommandExitsZeroWithUsage(t *testing.T) {
	t.Setenv("BANGFU_DB", filepath.Join(t.TempDir(), "never-created.db"))
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"Usage:", "bangfu serve", "bangfu audit verify", "bangfu backup", "bangfu user add"}},
		{[]string{"--help"}, []string{"Usage:", "BANGFU_DB"}},
		{[]string{"-h"}, []string{"Usage:"}},
		{[]string{"help"}, []string{"Usage:"}},
		{[]string{"serve", "--help"}, []string{"-addr", "-db", "-demo"}},
		{[]string{"serve", "-h"}, []string{"-addr"}},
		{[]string{"audit", "verify", "--help"}, []string{"-db"}},
		{[]string{"backup", "--help"}, []string{"-db"}},
		{[]string{"user", "add", "--help"}, []string{"-username", "-name", "-org", "-role", "-db"}},
		{[]string{"ledger", "check", "--help"}, []string{"-db"}},
		{[]string{"audit", "--help"}, []string{"audit verify"}},
		{[]string{"user", "--help"}, []string{"user add"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, err := bangfu(t, "", tt.args...)
			if code != 0 || err != nil {
				t.Fatalf("exit %d, error %v; want 0 and none", code, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if _, err := os.Stat(os.Getenv("BANGFU_DB")); err == nil {
		t.Error("a --help created the database")
	}
}

func TestRun_UnknownCommandExitsTwoWithUsage(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"audit"}, {"audit", "rewrite"}, {"user", "delete"}, {"--db", "x"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, err := bangfu(t, "", args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if err == nil || !strings.Contains(err.Error(), "unknown command") {
				t.Errorf("error = %v, want it to name the unknown command", err)
			}
			if !strings.Contains(out, "Usage:") {
				t.Errorf("no usage printed:\n%s", out)
			}
		})
	}
}

func TestUserAdd_CreatesTheUserWithAnAuditEvent(t *testing.T) {
	tests := []struct {
		name, stdin, password string
	}{
		{"password ends with a newline", "s3cret-pass\n", "s3cret-pass"},
		{"password ends with CRLF", "s3cret-pass\r\n", "s3cret-pass"},
		{"password without a newline", "s3cret pass 帮扶", "s3cret pass 帮扶"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := seededDB(t)
			code, out, err := bangfu(t, tt.stdin, "user", "add", "--db", path, "--username", "liuqiang", "--name", "刘强",
				"--org", "BJ-XX-JH", "--role", "caseworker")
			if code != 0 || err != nil {
				t.Fatalf("exit %d, error %v", code, err)
			}
			if !strings.Contains(out, "已创建用户 liuqiang") {
				t.Errorf("output = %q", out)
			}

			db := inspect(t, path)
			var u struct {
				ID   int64  `db:"id"`
				Name string `db:"name"`
				Org  string `db:"code"`
				Hash string `db:"password_hash"`
				Role string `db:"roles"`
			}
			err = db.R.Get(&u, `SELECT u.id, u.name, o.code, u.password_hash,
				(SELECT group_concat(role) FROM user_roles WHERE user_id = u.id) AS roles
				FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = 'liuqiang'`)
			if err != nil {
				t.Fatalf("user not in the database: %v", err)
			}
			if u.Name != "刘强" || u.Org != "BJ-XX-JH" || u.Role != "caseworker" {
				t.Errorf("user = %+v", u)
			}
			if bcrypt.CompareHashAndPassword([]byte(u.Hash), []byte(tt.password)) != nil {
				t.Errorf("the stored hash is not of the password %q read from stdin", tt.password)
			}

			var e audit.Event
			if err := db.R.Get(&e, "SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1"); err != nil {
				t.Fatal(err)
			}
			if e.Action != "user.create" || e.EntityType != "user" || e.EntityID != itoa(u.ID) ||
				e.Actor != "system" || e.RequestID != "cli" || !strings.Contains(e.Changes.String, "liuqiang") {
				t.Errorf("last audit event = %+v", e)
			}
			if strings.Contains(e.Changes.String, tt.password) || strings.Contains(e.Changes.String, "$2a$") {
				t.Errorf("the audit event holds the password or its hash: %s", e.Changes.String)
			}
			if r, err := audit.Verify(context.Background(), db.R); err != nil || !r.OK {
				t.Errorf("Verify = %+v, %v", r, err)
			}
		})
	}
}

func TestUserAdd_RefusesWithAChineseErrorAndCreatesNoUser(t *testing.T) {
	path := seededDB(t)
	eventsBefore := countRows(t, path, "SELECT count(*) FROM audit_events")
	usersBefore := countRows(t, path, "SELECT count(*) FROM users")
	tests := []struct {
		name     string
		username string
		role     string
		org      string
		stdin    string
		want     string
	}{
		{"auditor combined with finance", "newuser1", "auditor,finance", "BJ", "long-enough-1\n", "经审角色不能与其他角色兼任"},
		{"admin combined with caseworker", "newuser2", "admin,caseworker", "BJ", "long-enough-1\n", "管理员角色不能与其他角色兼任"},
		{"a weak password", "newuser3", "caseworker", "BJ-XX-JH", "short\n", "长度不能少于8个字符"},
		{"an empty password", "newuser4", "caseworker", "BJ-XX-JH", "\n", "此项为必填"},
		{"an unknown role", "newuser5", "boss", "BJ", "long-enough-1\n", "未知角色：boss"},
		{"no role", "newuser6", "", "BJ", "long-enough-1\n", "此项为必填"},
		{"an unknown org", "newuser7", "caseworker", "NOPE", "long-enough-1\n", "组织代码 NOPE 不存在"},
		{"a taken username", "caseworker1", "caseworker", "BJ-XX-JH", "long-enough-1\n", "用户名已被使用"},
		{"a taken username in other case", "CaseWorker1", "caseworker", "BJ-XX-JH", "long-enough-1\n", "用户名已被使用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := bangfu(t, tt.stdin, "user", "add", "--db", path, "--username", tt.username, "--name", "新用户",
				"--org", tt.org, "--role", tt.role)
			if err == nil {
				t.Fatal("the command succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "validation") || strings.Contains(err.Error(), "not_found") ||
				strings.Contains(err.Error(), "conflict") {
				t.Errorf("error = %q shows the internal error code to the user", err)
			}
		})
	}
	if n := countRows(t, path, "SELECT count(*) FROM users"); n != usersBefore {
		t.Errorf("users: %d before, %d after refusals", usersBefore, n)
	}
	if n := countRows(t, path, "SELECT count(*) FROM audit_events"); n != eventsBefore {
		t.Errorf("audit events: %d before, %d after refusals", eventsBefore, n)
	}
}

func TestUserAdd_RefusesAMissingDatabaseAndCreatesNone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	_, _, err := bangfu(t, "long-enough-1\n", "user", "add", "--db", path, "--username", "x1234", "--name", "x",
		"--org", "BJ", "--role", "caseworker")
	if err == nil {
		t.Fatal("user add on a missing database succeeded")
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("user add created an empty database")
	}
}

type verifyOutput struct {
	OK          bool  `json:"ok"`
	HeadSeq     int64 `json:"head_seq"`
	FirstBadSeq int64 `json:"first_bad_seq"`
}

func parseVerify(t *testing.T, out string) verifyOutput {
	t.Helper()
	var v verifyOutput
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("audit verify printed %q: %v", out, err)
	}
	return v
}

func TestAuditVerify_PrintsOKForAnUntouchedChain(t *testing.T) {
	path := seededDB(t)
	events := countRows(t, path, "SELECT count(*) FROM audit_events")
	code, out, err := bangfu(t, "", "audit", "verify", "--db", path)
	if code != 0 || err != nil {
		t.Fatalf("exit %d, error %v", code, err)
	}
	if !strings.HasPrefix(out, `{"ok":true`) {
		t.Errorf("output = %q, want it to start with {\"ok\":true", out)
	}
	if v := parseVerify(t, out); !v.OK || v.HeadSeq != int64(events) {
		t.Errorf("output = %+v, want ok with head_seq %d", v, events)
	}
}

func TestAuditVerify_NamesTheFirstBadSeqAndExitsOne(t *testing.T) {
	path := seededDB(t)
	db := inspect(t, path)
	audittest.Tamper(t, db, audittest.Exec("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3"))
	db.Close()

	code, out, err := bangfu(t, "", "audit", "verify", "--db", path)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if err == nil || !strings.Contains(err.Error(), "3") {
		t.Errorf("error = %v, want it to name sequence number 3", err)
	}
	if v := parseVerify(t, out); v.OK || v.FirstBadSeq != 3 {
		t.Errorf("output = %q, want ok false and first_bad_seq 3", out)
	}
}

func TestAuditVerify_RefusesAMissingDatabaseAndCreatesNone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	code, _, err := bangfu(t, "", "audit", "verify", "--db", path)
	if code == 0 || err == nil {
		t.Errorf("exit %d, error %v; want a failure", code, err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("audit verify created an empty database")
	}
}

func TestBackup_WritesACopyThatOpensAndVerifies(t *testing.T) {
	path := seededDB(t)
	dest := filepath.Join(t.TempDir(), "copy.db")
	code, out, err := bangfu(t, "", "backup", "--db", path, dest)
	if code != 0 || err != nil {
		t.Fatalf("exit %d, error %v", code, err)
	}
	if !strings.Contains(out, dest) {
		t.Errorf("output = %q, want it to name the copy", out)
	}
	cp := inspect(t, dest)
	r, err := audit.Verify(context.Background(), cp.R)
	if err != nil {
		t.Fatal(err)
	}
	if want := countRows(t, path, "SELECT count(*) FROM audit_events"); !r.OK || r.HeadSeq != int64(want) {
		t.Errorf("Verify of the copy = %+v, want ok with head_seq %d", r, want)
	}
	if n := countRows(t, dest, "SELECT count(*) FROM users WHERE username = 'auditor1'"); n != 1 {
		t.Error("the copy lacks the demo users")
	}

	if _, _, err := bangfu(t, "", "backup", "--db", path, dest); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second backup onto the copy: error = %v, want a refusal", err)
	}
}

func TestBackup_NeedsExactlyOneDestination(t *testing.T) {
	path := seededDB(t)
	for _, args := range [][]string{{"backup", "--db", path}, {"backup", "--db", path, "a.db", "b.db"}} {
		if _, _, err := bangfu(t, "", args...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: error = %v, want the usage", args, err)
		}
	}
}

func TestCommands_TakeTheDatabaseFromBANGFU_DB(t *testing.T) {
	path := seededDB(t)
	t.Setenv("BANGFU_DB", path)
	events := countRows(t, path, "SELECT count(*) FROM audit_events")

	code, out, err := bangfu(t, "", "audit", "verify")
	if code != 0 || err != nil {
		t.Fatalf("audit verify: exit %d, error %v", code, err)
	}
	if v := parseVerify(t, out); v.HeadSeq != int64(events) {
		t.Errorf("audit verify read head_seq %d, want the BANGFU_DB database's %d", v.HeadSeq, events)
	}

	if _, _, err := bangfu(t, "long-enough-1\n", "user", "add", "--username", "envuser", "--name", "环境",
		"--org", "BJ", "--role", "finance"); err != nil {
		t.Fatalf("user add: %v", err)
	}
	if n := countRows(t, path, "SELECT count(*) FROM users WHERE username = 'envuser'"); n != 1 {
		t.Error("user add did not write to the BANGFU_DB database")
	}

	dest := filepath.Join(t.TempDir(), "env-copy.db")
	if _, _, err := bangfu(t, "", "backup", dest); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if n := countRows(t, dest, "SELECT count(*) FROM users WHERE username = 'envuser'"); n != 1 {
		t.Error("backup did not copy the BANGFU_DB database")
	}

	// --db wins over the environment.
	t.Setenv("BANGFU_DB", filepath.Join(t.TempDir(), "missing.db"))
	if code, _, err := bangfu(t, "", "audit", "verify", "--db", path); code != 0 || err != nil {
		t.Errorf("--db beside BANGFU_DB: exit %d, error %v", code, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Issue 2 §8: `serve --demo` writes demo data only into an empty database — not over a first start's admin,
// not over the demo itself, not over real work.
func TestServeDemo_WritesDemoDataOnlyIntoAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	rows := func(db *store.DB) string {
		var orgs, users, households, accounts, events int
		db.R.Get(&orgs, "SELECT count(*) FROM orgs")
		db.R.Get(&users, "SELECT count(*) FROM users")
		db.R.Get(&households, "SELECT count(*) FROM households")
		db.R.Get(&accounts, "SELECT count(*) FROM fund_accounts")
		db.R.Get(&events, "SELECT count(*) FROM audit_events")
		return fmt.Sprintf("orgs %d, users %d, households %d, accounts %d, events %d", orgs, users, households, accounts, events)
	}
	open := func(t *testing.T) (*store.DB, *auth.Service) {
		db, err := store.Open(filepath.Join(t.TempDir(), "bangfu.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, demotest.Users(db, clock.System{})
	}

	t.Run("an empty database gets the demo once", func(t *testing.T) {
		db, svc := open(t)
		created, err := demo.Full(ctx, db, svc)
		if err != nil || !created {
			t.Fatalf("first --demo: created %v, %v", created, err)
		}
		first := rows(db)
		if !strings.Contains(first, "orgs 15, users 7") || strings.Contains(first, "households 0") {
			t.Fatalf("demo data: %s", first)
		}
		// Issue 3 §11: about 200 households with members, visits and documents; issue 4 §6: the four fund
		// sources with receipts, budget lines per aid type and campaign, allocations to several unions.
		var households, members, visits, documents, funded, aidTypes, unions int
		db.R.Get(&households, "SELECT count(*) FROM households")
		db.R.Get(&members, "SELECT count(*) FROM household_members")
		db.R.Get(&visits, "SELECT count(*) FROM household_visits")
		db.R.Get(&documents, "SELECT count(*) FROM household_documents")
		db.R.Get(&funded, `SELECT count(*) FROM fund_accounts WHERE kind = 'fund' AND credits_posted > 0 AND
			(name LIKE '%上级补助%' OR name LIKE '%本级经费%' OR name LIKE '%疫情防控专项%' OR name LIKE '%社会捐赠%')`)
		db.R.Get(&aidTypes, "SELECT count(DISTINCT aid_type) FROM fund_accounts WHERE kind = 'budget'")
		db.R.Get(&unions, "SELECT count(DISTINCT org_id) FROM fund_accounts WHERE kind = 'allocation' AND credits_posted > 0")
		if households < 150 || households > 250 || members < households || visits == 0 || documents < households ||
			funded != 4 || aidTypes < 7 || unions < 3 {
			t.Fatalf("demo: %d households, %d members, %d visits, %d documents; %d funds with receipts, "+
				"lines for %d aid types and campaigns, allocations to %d unions", households, members, visits, documents,
				funded, aidTypes, unions)
		}
		if cut, err := demo.Interrupted(ctx, db.R); err != nil || cut {
			t.Fatalf("a finished demo reads as interrupted: %v, %v", cut, err)
		}
		if created, err := demo.Full(ctx, db, svc); err != nil || created {
			t.Fatalf("second --demo: created %v, %v", created, err)
		}
		if again := rows(db); again != first {
			t.Fatalf("the second --demo wrote: %s, then %s", first, again)
		}
	})
	t.Run("a first start's admin keeps the database its own", func(t *testing.T) {
		db, svc := open(t)
		if _, err := svc.Bootstrap(ctx, "district", "区总工会", "admin", "系统管理员", "one-time-pass-1", true); err != nil {
			t.Fatal(err)
		}
		before := rows(db)
		if created, err := demo.Full(ctx, db, svc); err != nil || created {
			t.Fatalf("--demo over a first start: created %v, %v", created, err)
		}
		if after := rows(db); after != before || !strings.Contains(after, "orgs 1, users 1, households 0, accounts 0") {
			t.Fatalf("--demo over a first start wrote: %s, then %s", before, after)
		}
	})
}
