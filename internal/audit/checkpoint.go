package audit

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// A checkpoint (SPEC §7) is the head of the chain — its sequence number and hash — at a moment, signed with the
// instance's Ed25519 key and printed as a short text that finance files on paper. The chain can be rewritten
// and rehashed by anyone with the database file, but not so that it still passes through a head that was
// signed and filed before: given the earlier checkpoints, VerifyCheckpoints proves the log only grew since.

// checkpointHeader opens every checkpoint text and names its format.
const checkpointHeader = "BANGFU-CHECKPOINT v1"

// CheckpointTimeFormat is how a checkpoint's time is written: UTC, to the second.
const CheckpointTimeFormat = "2006-01-02T15:04:05Z"

// Checkpoint is one signed head of the chain.
type Checkpoint struct {
	ID        int64  `db:"id" json:"id,omitempty"`
	Seq       int64  `db:"seq" json:"seq"`
	HeadHash  string `db:"head_hash" json:"head_hash"`
	Time      string `db:"signed_at" json:"time"`
	PublicKey string `db:"public_key" json:"public_key"` // hex
	Signature string `db:"signature" json:"signature"`   // hex
	Actor     string `db:"actor" json:"actor,omitempty"`
	Text      string `db:"-" json:"text"`
}

// message is the byte string the signature covers.
func (c Checkpoint) message() []byte {
	return fmt.Appendf(nil, "%s\nseq=%d\nhead=%s\ntime=%s\nkey=%s\n", checkpointHeader, c.Seq, c.HeadHash, c.Time, c.PublicKey)
}

// SignCheckpoint signs the head (seq, hash) at time at with key.
func SignCheckpoint(key ed25519.PrivateKey, seq int64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, HeadHash: hash, Time: at.UTC().Format(CheckpointTimeFormat),
		PublicKey: hex.EncodeToString(key.Public().(ed25519.PublicKey))}
	c.Signature = hex.EncodeToString(ed25519.Sign(key, c.message()))
	c.Text = c.Format()
	return c
}

// Format renders the checkpoint as the text that is printed and filed: seven lines of at most 70 characters,
// every value in hex or digits so that it can be typed back from paper.
func (c Checkpoint) Format() string {
	sig := c.Signature
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nseq:  %d\ntime: %s\nhead: %s\nkey:  %s\n", checkpointHeader, c.Seq, c.Time, c.HeadHash, c.PublicKey)
	if len(sig) > 64 {
		fmt.Fprintf(&b, "sig:  %s\n      %s\n", sig[:64], sig[64:])
	} else {
		fmt.Fprintf(&b, "sig:  %s\n", sig)
	}
	return b.String()
}

// ParseCheckpoint reads a checkpoint text as Format writes it (lines before the header are ignored, so a
// copy with a title above it still reads). It checks the form, not the signature.
func ParseCheckpoint(text string) (Checkpoint, error) {
	bad := func(why string) (Checkpoint, error) {
		return Checkpoint{}, apperr.Invalid("checkpoint", "检查点文本格式不正确："+why)
	}
	fields := map[string]string{}
	var last string
	seen := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if !seen {
			seen = strings.TrimSpace(line) == checkpointHeader
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' { // a value continued on the next line
			if last == "" {
				return bad("续行前没有字段")
			}
			fields[last] += strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return bad("无法识别的行 " + strconv.Quote(line))
		}
		name = strings.TrimSpace(name)
		switch name {
		case "seq", "time", "head", "key", "sig":
		default:
			return bad("未知字段 " + strconv.Quote(name))
		}
		if _, dup := fields[name]; dup {
			return bad("字段 " + name + " 重复")
		}
		fields[name], last = strings.TrimSpace(value), name
	}
	if !seen {
		return bad("缺少首行 " + checkpointHeader)
	}
	for _, f := range []string{"seq", "time", "head", "key", "sig"} {
		if fields[f] == "" {
			return bad("缺少字段 " + f)
		}
	}
	seq, err := strconv.ParseInt(fields["seq"], 10, 64)
	if err != nil || seq < 0 {
		return bad("seq 应为非负整数")
	}
	if _, err := time.Parse(CheckpointTimeFormat, fields["time"]); err != nil {
		return bad("time 应为 " + CheckpointTimeFormat)
	}
	for f, n := range map[string]int{"head": 32, "key": ed25519.PublicKeySize, "sig": ed25519.SignatureSize} {
		if b, err := hex.DecodeString(fields[f]); err != nil || len(b) != n {
			return bad(fmt.Sprintf("%s 应为 %d 位十六进制数", f, 2*n))
		}
	}
	c := Checkpoint{Seq: seq, HeadHash: strings.ToLower(fields["head"]), Time: fields["time"],
		PublicKey: strings.ToLower(fields["key"]), Signature: strings.ToLower(fields["sig"])}
	c.Text = c.Format()
	return c, nil
}

// errForeignCheckpoint refuses a checkpoint this instance did not sign.
var errForeignCheckpoint = apperr.New(apperr.Validation, "检查点签名无效：不是本系统的密钥签发的，拒绝采信")

// CheckSignature accepts c only if it is signed by pub, the instance's key: a checkpoint signed by any other
// key — however valid its signature — proves nothing about this log.
func (c Checkpoint) CheckSignature(pub ed25519.PublicKey) error {
	key, err := hex.DecodeString(c.PublicKey)
	if err != nil || !pub.Equal(ed25519.PublicKey(key)) {
		return errForeignCheckpoint
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, c.message(), sig) {
		return errForeignCheckpoint
	}
	return nil
}

// Checkpoints takes, lists and verifies checkpoints. The key is read (or created) from KeyPath on first use.
type Checkpoints struct {
	DB      *store.DB
	Clock   clock.Clock
	KeyPath string

	mu  sync.Mutex
	key ed25519.PrivateKey
}

// Key returns the instance key, creating it on first use.
func (s *Checkpoints) Key() (ed25519.PrivateKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		k, err := LoadOrCreateKey(s.KeyPath)
		if err != nil {
			return nil, err
		}
		s.key = k
	}
	return s.key, nil
}

func requireAny(a actor.Actor, roles ...actor.Role) error {
	if a.IsSystem() {
		return nil
	}
	return a.Require(roles...)
}

// Take signs the current head (SPEC §7: finance and auditors) and stores the checkpoint. The event that
// records the taking comes after the head it signs.
func (s *Checkpoints) Take(ctx context.Context, a actor.Actor) (Checkpoint, error) {
	if err := requireAny(a, actor.Finance, actor.Auditor); err != nil {
		return Checkpoint{}, err
	}
	key, err := s.Key()
	if err != nil {
		return Checkpoint{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Checkpoint, error) {
		// The head as the events before this request left it, those of the requests before it in the group
		// transaction included (the head row is written only before the group commits).
		head, _, err := headOf(ctx, tx)
		if err != nil {
			return Checkpoint{}, err
		}
		c := SignCheckpoint(key, head.seq, head.hash, now)
		c.Actor = a.Username
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints
			(seq, head_hash, signed_at, public_key, signature, actor_id, actor, org_path, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Seq, c.HeadHash, c.Time, c.PublicKey, c.Signature,
			sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0}, a.Username, a.OrgPath, store.FormatTime(now))
		if err != nil {
			return Checkpoint{}, err
		}
		c.ID, _ = res.LastInsertId()
		return c, Record(ctx, tx, a, now, Entry{Action: "audit.checkpoint", EntityType: "audit_checkpoint",
			EntityID: strconv.FormatInt(c.ID, 10), OrgPath: "/", After: map[string]any{"seq": c.Seq, "head_hash": c.HeadHash, "time": c.Time}})
	})
}

// List returns the checkpoints taken, newest first.
func (s *Checkpoints) List(ctx context.Context, a actor.Actor) ([]Checkpoint, error) {
	if err := requireAny(a, actor.Finance, actor.Auditor, actor.Admin); err != nil {
		return nil, err
	}
	cps := []Checkpoint{}
	if err := s.DB.R.SelectContext(ctx, &cps, `SELECT id, seq, head_hash, signed_at, public_key, signature, actor
		FROM audit_checkpoints ORDER BY id DESC`); err != nil {
		return nil, err
	}
	for i := range cps {
		cps[i].Text = cps[i].Format()
	}
	return cps, nil
}

// Get returns one stored checkpoint.
func (s *Checkpoints) Get(ctx context.Context, a actor.Actor, id int64) (Checkpoint, error) {
	if err := requireAny(a, actor.Finance, actor.Auditor, actor.Admin); err != nil {
		return Checkpoint{}, err
	}
	c, err := store.Get[Checkpoint](ctx, s.DB.R, "检查点不存在", `SELECT id, seq, head_hash, signed_at, public_key, signature,
		actor FROM audit_checkpoints WHERE id = ?`, id)
	if err != nil {
		return Checkpoint{}, err
	}
	c.Text = c.Format()
	return c, nil
}

// Verify parses the checkpoint texts, refuses any not signed by this instance's key, and walks the chain
// against them.
func (s *Checkpoints) Verify(ctx context.Context, a actor.Actor, texts []string) (CheckpointResult, error) {
	if err := requireAny(a, actor.Finance, actor.Auditor, actor.Admin); err != nil {
		return CheckpointResult{}, err
	}
	if len(texts) == 0 {
		return CheckpointResult{}, apperr.Invalid("checkpoint", "请提供至少一个检查点文本")
	}
	key, err := s.Key()
	if err != nil {
		return CheckpointResult{}, err
	}
	pub := key.Public().(ed25519.PublicKey)
	cps := make([]Checkpoint, 0, len(texts))
	for _, t := range texts {
		c, err := ParseCheckpoint(t)
		if err != nil {
			return CheckpointResult{}, err
		}
		if err := c.CheckSignature(pub); err != nil {
			return CheckpointResult{}, err
		}
		cps = append(cps, c)
	}
	return VerifyCheckpoints(ctx, s.DB.R, cps)
}

// HashEvent is the chain's hash of e after prev (SPEC §7: SHA-256 of prev_hash and the canonical event). It is
// public knowledge, which is why a rehashed chain passes Verify and only a signed checkpoint catches it.
func HashEvent(prev string, e *Event) string { return chainHash(prev, e) }

// AuditActions names the audit action codes the audit area writes itself (SPEC §7).
var AuditActions = map[string]string{"audit.checkpoint": "审计·签署检查点"}
