package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/audit/audittest"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

var finance = actor.Actor{UserID: 9, Username: "finance1", Roles: []actor.Role{actor.Finance}, OrgID: 1, OrgPath: "/1/"}

func checkpoints(t testing.TB, db *store.DB) *audit.Checkpoints {
	return &audit.Checkpoints{DB: db, Clock: clock.NewManual(t0), KeyPath: filepath.Join(t.TempDir(), "k", audit.KeyFileName)}
}

func take(t testing.TB, s *audit.Checkpoints) audit.Checkpoint {
	t.Helper()
	c, err := s.Take(context.Background(), finance)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadOrCreateKey_CreatesTheKeyOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", audit.KeyFileName)
	k1, err := audit.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", st.Mode().Perm())
	}
	k2, err := audit.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Error("the second start made a new key instead of reading the first")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key others may read: err = %v, want a refusal", err)
	}
}

func TestCheckpoint_TextFitsOnPaperAndReadsBack(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c := audit.SignCheckpoint(key, 1234, strings.Repeat("ab", 32), t0)
	lines := strings.Split(strings.TrimSpace(c.Text), "\n")
	if len(lines) > 8 {
		t.Errorf("%d lines, want at most 8:\n%s", len(lines), c.Text)
	}
	for _, l := range lines {
		if len(l) > 72 {
			t.Errorf("line of %d characters does not fit on paper: %q", len(l), l)
		}
	}
	// A copy with a title above it and CRLF line ends, as typed back or scanned, reads the same.
	back, err := audit.ParseCheckpoint("审计检查点（存档）\r\n" + strings.ReplaceAll(c.Text, "\n", "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if back.Seq != 1234 || back.HeadHash != c.HeadHash || back.Time != "2026-03-10T01:00:00Z" || back.Signature != c.Signature {
		t.Errorf("read back %+v, want %+v", back, c)
	}
	if err := back.CheckSignature(key.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("own signature refused: %v", err)
	}
	for _, broken := range []string{"", "seq: 1\n", strings.Replace(c.Text, "seq:  1234", "seq:  x", 1),
		strings.Replace(c.Text, "head: ", "head: 00", 1), strings.Replace(c.Text, "key:", "kex:", 1)} {
		if _, err := audit.ParseCheckpoint(broken); apperr.CodeOf(err) != apperr.Validation {
			t.Errorf("ParseCheckpoint(%q) = %v, want a validation error", broken, err)
		}
	}
}

// SPEC §7: a checkpoint signed by another key is refused, and so is one whose signed fields were changed.
func TestCheckpoints_RefuseAForgedCheckpoint(t *testing.T) {
	db := newDB(t)
	recordN(t, db, 5)
	s := checkpoints(t, db)
	real := take(t, s)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged := audit.SignCheckpoint(other, real.Seq, real.HeadHash, t0) // a valid signature, by a stranger's key
	// Our public key written in, but signed by the stranger.
	ours := forged
	ours.PublicKey = real.PublicKey
	moved := real
	moved.Seq = 3 // the signed head moved back: the signature no longer covers it
	for name, c := range map[string]audit.Checkpoint{"another key": forged, "our key named, another key signed": ours, "seq changed": moved} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Verify(context.Background(), finance, []string{c.Format()})
			if apperr.CodeOf(err) != apperr.Validation || !strings.Contains(apperr.From(err).Message, "签名无效") {
				t.Errorf("Verify = %v, want the checkpoint refused", err)
			}
		})
	}
	if r, err := s.Verify(context.Background(), finance, []string{real.Text}); err != nil || !r.OK {
		t.Errorf("the real checkpoint: %+v, %v", r, err)
	}
}

func TestCheckpoints_TakeIsForFinanceAndAuditorsAndIsAudited(t *testing.T) {
	db := newDB(t)
	recordN(t, db, 3)
	s := checkpoints(t, db)
	for _, a := range []actor.Actor{caseworker, {UserID: 2, Username: "admin", Roles: []actor.Role{actor.Admin}, OrgPath: "/1/"}} {
		if _, err := s.Take(context.Background(), a); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s took a checkpoint: %v", a.Username, err)
		}
	}
	c := take(t, s)
	if c.Seq != 3 || c.HeadHash != events(t, db)[2].Hash {
		t.Errorf("checkpoint %+v does not sign the head (seq 3)", c)
	}
	es := events(t, db)
	if last := es[len(es)-1]; len(es) != 4 || last.Action != "audit.checkpoint" || last.Actor != "finance1" {
		t.Errorf("last event %+v, want the checkpoint recorded by finance1", last)
	}
	list, err := s.List(context.Background(), finance)
	if err != nil || len(list) != 1 || list[0].Text != c.Text {
		t.Errorf("List = %+v, %v", list, err)
	}
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		_, err := tx.Exec("UPDATE audit_checkpoints SET seq = 1")
		return err
	}); err == nil {
		t.Error("a stored checkpoint was changed")
	}
}

// tamperLab is a chain with two filed checkpoints: A signs seq 4 (event 5 records it), B signs seq 8 (event 9);
// events 10–12 came after. The tampering happens on a copy of the file, as an attacker's would.
type tamperLab struct {
	orig, copy *store.DB
	svc        *audit.Checkpoints
	a, b       audit.Checkpoint
}

func newTamperLab(t *testing.T) *tamperLab {
	db := newDB(t)
	s := checkpoints(t, db)
	recordN(t, db, 4)
	a := take(t, s)
	recordN(t, db, 3)
	b := take(t, s)
	recordN(t, db, 3)
	if a.Seq != 4 || b.Seq != 8 || len(events(t, db)) != 12 {
		t.Fatalf("setup: checkpoints at %d and %d over %d events", a.Seq, b.Seq, len(events(t, db)))
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := store.Backup(context.Background(), db.Path, dest); err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cp.Close() })
	return &tamperLab{orig: db, copy: cp, svc: &audit.Checkpoints{DB: cp, Clock: s.Clock, KeyPath: s.KeyPath}, a: a, b: b}
}

func (l *tamperLab) verify(t *testing.T, cps ...audit.Checkpoint) audit.CheckpointResult {
	t.Helper()
	texts := make([]string, len(cps))
	for i, c := range cps {
		texts[i] = c.Text
	}
	r, err := l.svc.Verify(context.Background(), finance, texts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyCheckpoints_NamesEachTamperingWithTheFirstBadSequenceNumber(t *testing.T) {
	tests := []struct {
		name    string
		change  func(tx *sqlx.Tx) error
		plainOK bool // the chain is consistent in itself: only the checkpoints catch it
		problem audit.Problem
		first   int64
	}{
		{"edit", flipLastByte("reason", 6), false, audit.Edited, 6},
		{"delete", func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_events WHERE seq = 6") }, false, audit.Deleted, 6},
		{"delete and renumber", audittest.Steps(
			func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_events WHERE seq = 6") },
			func(tx *sqlx.Tx) error { return exec(tx, "UPDATE audit_events SET seq = seq - 1 WHERE seq > 6") },
			func(tx *sqlx.Tx) error { return exec(tx, "UPDATE audit_head SET seq = 11") }), false, audit.Deleted, 6},
		{"reorder", swapOnCopy(6, 7), false, audit.Reordered, 6},
		{"truncate, head moved back", audittest.Steps(
			func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_events WHERE seq > 7") },
			func(tx *sqlx.Tx) error {
				return exec(tx, "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_events WHERE seq = 7)")
			}), true, audit.Truncated, 8},
		{"rewrite and rehash from the event after checkpoint A", audittest.Steps(flipLastByte("reason", 5), audittest.Rehash(5)), true, audit.Rewritten, 5},
		{"rewrite and rehash the whole chain", audittest.Steps(flipLastByte("actor", 1), audittest.Rehash(1)), true, audit.Rewritten, 1},
		{"reorder and rehash", audittest.Steps(swapOnCopy(2, 3), audittest.Rehash(1)), true, audit.Rewritten, 1},
		{"delete, renumber and rehash", audittest.Steps(
			func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_events WHERE seq = 7") },
			func(tx *sqlx.Tx) error { return exec(tx, "UPDATE audit_events SET seq = seq - 1 WHERE seq > 7") },
			audittest.Rehash(7)), true, audit.Rewritten, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTamperLab(t)
			if r := l.verify(t, l.a, l.b); !r.OK {
				t.Fatalf("the untouched copy: %+v", r)
			}
			audittest.Tamper(t, l.copy, tt.change)
			if plain := verify(t, l.copy); plain.OK != tt.plainOK {
				t.Errorf("plain Verify = %+v, want ok=%v", plain, tt.plainOK)
			}
			r := l.verify(t, l.a, l.b)
			if r.OK || r.Problem != tt.problem || r.FirstBadSeq != tt.first {
				t.Errorf("VerifyCheckpoints = %+v, want %s at %d", r, tt.problem, tt.first)
			}
			if !strings.Contains(r.Message, audit.ProblemNames[tt.problem]) {
				t.Errorf("message %q does not say %q", r.Message, audit.ProblemNames[tt.problem])
			}
			// The original, untouched, still verifies against the same paper.
			if r, err := audit.VerifyCheckpoints(context.Background(), l.orig.R, []audit.Checkpoint{l.a, l.b}); err != nil || !r.OK {
				t.Errorf("original: %+v, %v", r, err)
			}
		})
	}
}

// With only the later checkpoint filed, a rewrite is still caught; its first bad sequence number is then
// bounded by that checkpoint alone.
func TestVerifyCheckpoints_ARewriteIsBoundedByTheCheckpointsThatStillMatch(t *testing.T) {
	l := newTamperLab(t)
	audittest.Tamper(t, l.copy, audittest.Steps(flipLastByte("reason", 6), audittest.Rehash(6)))
	if r := l.verify(t, l.b); r.OK || r.Problem != audit.Rewritten || r.FirstBadSeq != 1 || r.DisprovedBy != 8 {
		t.Errorf("with checkpoint B only: %+v, want rewritten from 1 (disproved by 8)", r)
	}
	if r := l.verify(t, l.a, l.b); r.FirstBadSeq != 5 || r.DisprovedBy != 8 || !r.Checkpoints[0].OK || r.Checkpoints[1].OK {
		t.Errorf("with A and B: %+v, want rewritten between 5 and 8", r)
	}
}

func TestVerifyCheckpoints_ALogThatOnlyGrewIsOK(t *testing.T) {
	l := newTamperLab(t)
	recordN(t, l.copy, 20)
	r := l.verify(t, l.b, l.a)
	if !r.OK || r.HeadSeq != 32 || len(r.Checkpoints) != 2 || !r.Checkpoints[0].OK || !r.Checkpoints[1].OK {
		t.Errorf("%+v", r)
	}
	// A checkpoint of the empty log, and one taken just now, agree too.
	empty := checkpoints(t, newDB(t))
	c := take(t, empty)
	if r, err := empty.Verify(context.Background(), finance, []string{c.Text}); err != nil || !r.OK || c.Seq != 0 {
		t.Errorf("empty log: %+v %+v %v", c, r, err)
	}
}

// swapOnCopy is swapContents for a freshly opened copy, whose connection has changed no rows yet (exec's
// check of the affected rows would take CREATE TABLE … AS for a no-op there).
func swapOnCopy(i, j int64) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		if err := exec(tx, "UPDATE audit_events SET reason = reason WHERE seq = ?", i); err != nil {
			return err
		}
		return swapContents(i, j)(tx)
	}
}
