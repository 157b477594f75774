package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bangfu/internal/audit"
	"bangfu/internal/audit/audittest"
)

// SPEC §7, §9.1: bangfu audit checkpoint signs the head with the instance key (created beside the database with
// mode 0600, or at --key / BANGFU_KEY) and prints it; audit verify --checkpoint proves the log only grew.
func TestAuditCheckpoint_PrintsASignedHeadThatVerifyAccepts(t *testing.T) {
	path := seededDB(t)
	code, text, err := bangfu(t, "", "audit", "checkpoint", "--db", path)
	if code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	c, err := audit.ParseCheckpoint(text)
	if err != nil {
		t.Fatalf("printed %q: %v", text, err)
	}
	if want := countRows(t, path, "SELECT count(*) FROM audit_events") - 1; c.Seq != int64(want) {
		t.Errorf("checkpoint seq %d, want the head before it, %d", c.Seq, want)
	}
	st, err := os.Stat(audit.DefaultKeyPath(path))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key beside the database: %v, %v", st, err)
	}
	file := filepath.Join(t.TempDir(), "cp1.txt")
	os.WriteFile(file, []byte(text), 0o644)
	if code, out, err := bangfu(t, "", "audit", "verify", "--db", path, "--checkpoint", file); code != 0 || err != nil || !strings.Contains(out, `"ok":true`) {
		t.Fatalf("verify: exit %d, %v, %s", code, err, out)
	}

	// Another key (BANGFU_KEY elsewhere) refuses the first instance's checkpoint.
	t.Setenv("BANGFU_KEY", filepath.Join(t.TempDir(), "other.key"))
	if code, _, err := bangfu(t, "", "audit", "verify", "--db", path, "--checkpoint", file); code != 1 || err == nil || !strings.Contains(err.Error(), "签名无效") {
		t.Errorf("foreign key: exit %d, %v", code, err)
	}
}

func TestAuditVerifyCheckpoint_CatchesARewrittenChainAndExitsOne(t *testing.T) {
	path := seededDB(t)
	_, text, _ := bangfu(t, "", "audit", "checkpoint", "--db", path)
	file := filepath.Join(t.TempDir(), "cp.txt")
	os.WriteFile(file, []byte(text), 0o644)
	// As an attacker with the file: drop the triggers, change event 1, rehash the whole chain and the head.
	db := inspect(t, path)
	audittest.Tamper(t, db, audittest.Steps(audittest.Exec("UPDATE audit_events SET reason = '改过了' WHERE seq = 1"), audittest.Rehash(1)))
	db.Close()
	if code, _, err := bangfu(t, "", "audit", "verify", "--db", path); code != 0 || err != nil {
		t.Fatalf("the rehashed chain should pass the plain walk (that is the attack): exit %d %v", code, err)
	}
	code, out, err := bangfu(t, "", "audit", "verify", "--db", path, "--checkpoint", file)
	if code != 1 || err == nil || !strings.Contains(out, `"first_bad_seq":1`) || !strings.Contains(out, `"problem":"rewritten"`) {
		t.Errorf("exit %d, %v, %s", code, err, out)
	}
}
