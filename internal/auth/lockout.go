package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// The lock-out of SPEC §1.3, built so that a stranger cannot aim it at someone else's account:
//   - failures are counted per account AND client address; after FreeFailures of them, each further attempt
//     from that address for that account must wait a delay that doubles with every failure (1 s, 2 s, 4 s …,
//     at most MaxDelay). The owner at another address is not slowed down;
//   - the account itself is locked, for everyone, only when AccountLockFailures failures from all
//     addresses together fall within FailureWindow, for LockDuration, or until an admin unlocks it;
//   - all of it is counted by username, whether or not the name exists, so a stranger reads the same
//     answers (status, code, message) for an unknown name as for a known one.
const (
	FreeFailures        = 3
	MaxDelay            = 15 * time.Minute
	AccountLockFailures = 50
	FailureWindow       = time.Hour
	LockDuration        = 30 * time.Minute
)

// Delay is how long an address must wait before its next attempt at an account after failures of them
// within FailureWindow.
func Delay(failures int) time.Duration {
	if failures < FreeFailures {
		return 0
	}
	d := time.Second << min(failures-FreeFailures, 20)
	return min(d, MaxDelay)
}

// refusal says whether a log-in attempt must be refused before the password is even looked at: the account
// (name) is locked, or this address must still wait. It returns the client's error and the audit reason.
func (s *Service) refusal(ctx context.Context, q sqlx.QueryerContext, username, clientAddr string, now time.Time) (error, string, error) {
	until, err := lockedUntilTx(ctx, q, username, now)
	if err != nil {
		return nil, "", err
	}
	if !until.IsZero() {
		return lockedError(until), "账户已锁定", nil
	}
	var row struct {
		N    int            `db:"n"`
		Last sql.NullString `db:"last"`
	}
	if err := sqlx.GetContext(ctx, q, &row, `SELECT count(*) AS n, max(at) AS last FROM login_failures
		WHERE username = ? AND client_addr = ? AND at > ?`, username, clientAddr, store.FormatTime(now.Add(-FailureWindow))); err != nil {
		return nil, "", err
	}
	if d := Delay(row.N); d > 0 && row.Last.Valid {
		last, err := store.ParseTime(row.Last.String)
		if err != nil {
			return nil, "", err
		}
		if wait := last.Add(d).Sub(now); wait > 0 {
			secs := int((wait + time.Second - 1) / time.Second)
			return apperr.New(apperr.RateLimited, "登录失败次数过多，请 %d 秒后再试", secs),
				fmt.Sprintf("同一地址%d次登录失败，需等待%d秒", row.N, secs), nil
		}
	}
	return nil, "", nil
}

// lockedUntilTx returns the end of the lock on username, or zero when it is not locked.
func lockedUntilTx(ctx context.Context, q sqlx.QueryerContext, username string, now time.Time) (time.Time, error) {
	var until string
	err := sqlx.GetContext(ctx, q, &until, "SELECT until FROM login_locks WHERE username = ?", username)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := store.ParseTime(until)
	if err != nil || !t.After(now) {
		return time.Time{}, err
	}
	return t, nil
}

func lockedError(until time.Time) error {
	return apperr.New(apperr.RateLimited, "登录失败次数过多，账户已暂停登录，请于 %s 后再试或联系管理员解锁",
		until.In(clock.China).Format("15:04"))
}

// recordFailure writes the failure and its audit event, and locks the account (the name) when failures from
// all addresses reach AccountLockFailures within FailureWindow. The client's answer is always
// errBadCredentials: whether this failure locked anything shows only on the next attempt, alike for all names.
func (s *Service) recordFailure(ctx context.Context, who actor.Actor, entityID string, known bool, userID int64, now time.Time) error {
	err := s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (username, at, client_addr) VALUES (?, ?, ?)",
			who.Username, store.FormatTime(now), who.ClientAddr); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, who, now, audit.Entry{Action: "session.login_failed", EntityType: "user",
			EntityID: entityID, Reason: "用户名或密码错误"}); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT count(*) FROM login_failures WHERE username = ? AND at > ?",
			who.Username, store.FormatTime(now.Add(-FailureWindow))); err != nil {
			return err
		}
		if n < AccountLockFailures {
			return nil
		}
		until := store.FormatTime(now.Add(LockDuration))
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_locks (username, until, failures, locked_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (username) DO UPDATE SET until = excluded.until, failures = excluded.failures, locked_at = excluded.locked_at`,
			who.Username, until, n, store.FormatTime(now)); err != nil {
			return err
		}
		if known {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET locked_until = ? WHERE id = ?", until, userID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE username = ?", who.Username); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, now, audit.Entry{Action: "user.locked", EntityType: "user",
			EntityID: entityID, Reason: fmt.Sprintf("%d分钟内各地址共登录失败%d次，暂停登录%d分钟",
				int(FailureWindow.Minutes()), n, int(LockDuration.Minutes()))})
	})
	if err != nil {
		return err
	}
	return errBadCredentials
}

// clearLockout ends the lock on username and forgets its failures.
func clearLockout(ctx context.Context, tx *sqlx.Tx, username string) error {
	for _, q := range []string{"DELETE FROM login_locks WHERE username = ?", "DELETE FROM login_failures WHERE username = ?",
		"UPDATE users SET locked_until = NULL WHERE username = ?"} {
		if _, err := tx.ExecContext(ctx, q, username); err != nil {
			return err
		}
	}
	return nil
}

// UnlockInput is the input for Unlock.
type UnlockInput struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// Unlock ends a user's lock-out and forgets their failed log-ins, with a reason. Admins only, in scope
// (SPEC §1.3: admin can unlock with a reason); audited as user.unlock.
func (s *Service) Unlock(ctx context.Context, a actor.Actor, id int64, in UnlockInput) (User, error) {
	if err := a.Require(actor.Admin); err != nil {
		return User{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return User{}, apperr.Invalid("reason", "请填写解锁原因")
	}
	if len([]rune(reason)) > 500 {
		return User{}, apperr.Invalid("reason", "解锁原因不能超过 500 个字")
	}
	now := s.Clock.Now()
	var after User
	err := s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		before, err := userInScope(ctx, tx, a, id)
		if err != nil {
			return err
		}
		var failures int
		if err := tx.GetContext(ctx, &failures, "SELECT count(*) FROM login_failures WHERE username = ?", before.Username); err != nil {
			return err
		}
		until, err := lockedUntilTx(ctx, tx, before.Username, now)
		if err != nil {
			return err
		}
		if until.IsZero() && failures == 0 {
			return apperr.Conflictf("该用户没有被锁定，也没有登录失败记录")
		}
		if err := clearLockout(ctx, tx, before.Username); err != nil {
			return err
		}
		if after, err = getUser(ctx, tx, "u.id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, audit.Entry{Action: "user.unlock", EntityType: "user", EntityID: fmt.Sprint(id),
			OrgID: before.Org.ID, OrgPath: before.OrgPath, Reason: reason,
			Before: map[string]any{"locked": !until.IsZero(), "failures": failures}, After: map[string]any{"locked": false, "failures": 0}})
	})
	return after, err
}

var dummyHashes sync.Map // bcrypt cost → a hash of no one's password

// dummyHash keeps the time of a log-in for an unknown user like that of a known one: the same bcrypt cost.
func (s *Service) dummyHash() []byte {
	if h, ok := dummyHashes.Load(s.cost()); ok {
		return h.([]byte)
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("bangfu-no-such-user"), s.cost())
	dummyHashes.Store(s.cost(), h)
	return h
}
