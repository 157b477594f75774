package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// Session is a logged-in session: the token goes into the cookie, the CSRF token to the client's script.
type Session struct {
	Token string
	CSRF  string
	User  User
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness is broken; nothing safe can continue
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

var errBadCredentials = apperr.New(apperr.Unauthenticated, "用户名或密码错误")

// Login checks a username and password and opens a session. Every success, failure, delay and lock is an
// audit event (SPEC §1.3). The lock-out cannot be aimed (lockout.go): failures slow down the account at the
// address they come from, and lock it for everyone only past AccountLockFailures. A known and an unknown
// username get the same answers at every step, so the answers do not tell a stranger which names exist.
func (s *Service) Login(ctx context.Context, username, password, clientAddr, requestID string) (Session, error) {
	now := s.Clock.Now()
	var row struct {
		ID       int64  `db:"id"`
		Hash     string `db:"password_hash"`
		Disabled bool   `db:"disabled"`
	}
	err := s.DB.R.GetContext(ctx, &row, "SELECT id, password_hash, disabled FROM users WHERE username = ?", username)
	known := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Session{}, err
	}
	who := actor.Actor{Username: username, RequestID: requestID, ClientAddr: clientAddr}
	entityID := username
	if known {
		u, err := getUser(ctx, s.DB.R, "u.id = ?", row.ID)
		if err != nil {
			return Session{}, err
		}
		who = actor.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, OrgID: u.Org.ID,
			OrgPath: u.OrgPath, RequestID: requestID, ClientAddr: clientAddr}
		entityID = fmt.Sprint(row.ID)
	}
	if refusal, reason, err := s.refusal(ctx, s.DB.R, username, clientAddr, now); err != nil {
		return Session{}, err
	} else if refusal != nil {
		err := s.DB.Write(ctx, func(tx *sqlx.Tx) error {
			return audit.Record(ctx, tx, who, now, audit.Entry{Action: "session.login_refused", EntityType: "user",
				EntityID: entityID, Reason: reason})
		})
		if err != nil {
			return Session{}, err
		}
		return Session{}, refusal
	}
	hash := s.dummyHash()
	if known {
		hash = []byte(row.Hash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !known || row.Disabled {
		return Session{}, s.recordFailure(ctx, who, entityID, known, row.ID, now)
	}
	sess := Session{Token: randomToken(), CSRF: randomToken()}
	err = s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		// A lock may have been set by a concurrent failure since we looked.
		if until, err := lockedUntilTx(ctx, tx, username, now); err != nil {
			return err
		} else if !until.IsZero() {
			return lockedError(until)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, client_addr)
			VALUES (?, ?, ?, ?, ?, ?)`, hashToken(sess.Token), row.ID, sess.CSRF, store.FormatTime(now), store.FormatTime(now), clientAddr); err != nil {
			return err
		}
		// The owner's success clears the failures from this address only: a stranger's elsewhere still count.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE username = ? AND client_addr = ?", username, clientAddr); err != nil {
			return err
		}
		var err error
		if sess.User, err = getUser(ctx, tx, "u.id = ?", row.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, now, audit.Entry{Action: "session.login", EntityType: "user", EntityID: fmt.Sprint(row.ID)})
	})
	return sess, err
}

// errExpired is returned for a missing, expired or revoked session.
var errExpired = apperr.New(apperr.Unauthenticated, "未登录或会话已过期，请重新登录")

// Authenticate returns the actor and CSRF token of the session behind token, ending it when it has been idle
// longer than IdleTimeout or open longer than AbsoluteTimeout.
func (s *Service) Authenticate(ctx context.Context, token, requestID, clientAddr string) (actor.Actor, string, error) {
	if token == "" {
		return actor.Actor{}, "", errExpired
	}
	now := s.Clock.Now()
	th := hashToken(token)
	var row struct {
		UserID   int64  `db:"user_id"`
		CSRF     string `db:"csrf_token"`
		Created  string `db:"created_at"`
		LastSeen string `db:"last_seen_at"`
		Disabled bool   `db:"disabled"`
	}
	// The user's flag is read by subquery, not by join: with the SQLite that go-sqlite3 bundles, a join in a
	// statement with a bound parameter is re-prepared on every execution, and this runs on every request.
	err := s.DB.R.GetContext(ctx, &row, `SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at,
		(SELECT u.disabled FROM users u WHERE u.id = s.user_id) AS disabled FROM sessions s WHERE s.token_hash = ?`, th)
	if errors.Is(err, sql.ErrNoRows) {
		return actor.Actor{}, "", errExpired
	}
	if err != nil {
		return actor.Actor{}, "", err
	}
	created, _ := store.ParseTime(row.Created)
	lastSeen, _ := store.ParseTime(row.LastSeen)
	if row.Disabled || now.Sub(lastSeen) > IdleTimeout || now.Sub(created) > AbsoluteTimeout {
		err := s.DB.Write(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", th)
			return err
		})
		if err != nil {
			return actor.Actor{}, "", err
		}
		return actor.Actor{}, "", errExpired
	}
	// Touch at most once a minute: the idle clock needs no finer grain, and the writer is spared.
	if now.Sub(lastSeen) > time.Minute {
		if err := s.DB.Write(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", store.FormatTime(now), th)
			return err
		}); err != nil {
			return actor.Actor{}, "", err
		}
	}
	u, err := getUser(ctx, s.DB.R, "u.id = ?", row.UserID)
	if err != nil {
		return actor.Actor{}, "", err
	}
	return actor.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, OrgID: u.Org.ID,
		OrgPath: u.OrgPath, RequestID: requestID, ClientAddr: clientAddr, MustChangePassword: u.MustChange}, row.CSRF, nil
}

// CSRFMatches compares a sent CSRF token with the session's in constant time.
func CSRFMatches(sent, want string) bool {
	return sent != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// Logout ends the session behind token.
func (s *Service) Logout(ctx context.Context, a actor.Actor, token string) error {
	now := s.Clock.Now()
	return s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, audit.Entry{Action: "session.logout", EntityType: "user", EntityID: fmt.Sprint(a.UserID)})
	})
}

// Me returns the user behind a.
func (s *Service) Me(ctx context.Context, a actor.Actor) (User, error) {
	return getUser(ctx, s.DB.R, "u.id = ?", a.UserID)
}

// AuditActions names every audit action code the auth area writes (SPEC §7): log-ins, log-outs, refusals and
// lock-outs, and the users' own records. (The first start also writes the district's org.create: see org.)
var AuditActions = map[string]string{
	"session.login": "登录", "session.logout": "退出登录", "session.login_failed": "登录失败", "session.login_refused": "登录被拒绝",
	"user.create": "用户·新建", "user.update": "用户·修改", "user.password_reset": "用户·重置密码",
	"user.password_change": "用户·修改密码", "user.locked": "用户·账户锁定", "user.unlock": "用户·解锁",
}
