// Package auth owns users, their roles and passwords, server-side sessions with CSRF tokens, and the
// log-in lock-out (SPEC §1.2, §1.3).
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Service holds what authentication needs. BcryptCost is lowered in tests only.
type Service struct {
	DB         *store.DB
	Clock      clock.Clock
	BcryptCost int
}

// Session timeouts of SPEC §1.3 (the lock-out's rule is in lockout.go).
const (
	IdleTimeout      = 30 * time.Minute
	AbsoluteTimeout  = 12 * time.Hour
	MinPasswordRunes = 8
)

// User is a user as the API shows it; the password hash never leaves this package.
type User struct {
	ID          int64        `db:"id" json:"id"`
	Username    string       `db:"username" json:"username"`
	Name        string       `db:"name" json:"name"`
	Org         org.Brief    `db:"org" json:"org"`
	OrgPath     string       `db:"org_path" json:"-"`
	Roles       []actor.Role `db:"-" json:"roles"`
	RoleList    string       `db:"roles" json:"-"`
	Disabled    bool         `db:"disabled" json:"disabled"`
	LockedUntil *string      `db:"locked_until" json:"locked_until"`
	MustChange  bool         `db:"must_change_password" json:"must_change_password"`
	CreatedAt   string       `db:"created_at" json:"created_at"`
}

// The org is read by subqueries, not by join: with the SQLite that go-sqlite3 bundles, a join in a statement
// with a bound parameter is re-prepared on every execution, and every request reads its user.
const selectUser = `SELECT u.id, u.username, u.name, u.disabled, u.locked_until, u.must_change_password, u.created_at,
	u.org_id AS "org.id", (SELECT o.code FROM orgs o WHERE o.id = u.org_id) AS "org.code",
	(SELECT o.name FROM orgs o WHERE o.id = u.org_id) AS "org.name", (SELECT o.level FROM orgs o WHERE o.id = u.org_id) AS "org.level",
	(SELECT o.path FROM orgs o WHERE o.id = u.org_id) AS org_path,
	coalesce((SELECT group_concat(role, ',') FROM (SELECT role FROM user_roles r WHERE r.user_id = u.id ORDER BY role)), '') AS roles
	FROM users u`

func (u *User) fill() {
	u.Roles = []actor.Role{}
	for _, r := range strings.Split(u.RoleList, ",") {
		if r != "" {
			u.Roles = append(u.Roles, actor.Role(r))
		}
	}
}

func getUser(ctx context.Context, q sqlx.QueryerContext, where string, arg any) (User, error) {
	u, err := store.Get[User](ctx, q, "用户不存在", selectUser+" WHERE "+where, arg)
	if err != nil {
		return u, err
	}
	u.fill()
	return u, nil
}

// User returns the user with id. Admins only, in their subtree: a user outside it is not found.
func (s *Service) User(ctx context.Context, a actor.Actor, id int64) (User, error) {
	if err := a.Require(actor.Admin); err != nil {
		return User{}, err
	}
	return userInScope(ctx, s.DB.R, a, id)
}

// userInScope reads the user with id if it is in a's scope, on q (the read pool or a write transaction).
func userInScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (User, error) {
	u, err := getUser(ctx, q, "u.id = ?", id)
	if err == nil && !a.Sees(u.OrgPath) {
		return User{}, apperr.NotFoundf("用户不存在")
	}
	return u, err
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Q       string `query:"q"`
	Role    string `query:"role"`
	OrgID   int64  `query:"org_id"`
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// UserPage is one page of the user list and the number of users the filter selects.
type UserPage struct {
	Items []User `json:"items"`
	Total int    `json:"total"`
}

// Users lists the users of a's subtree that f selects. Admins only.
func (s *Service) Users(ctx context.Context, a actor.Actor, f UserFilter) (UserPage, error) {
	if err := a.Require(actor.Admin); err != nil {
		return UserPage{}, err
	}
	q := s.DB.R
	scope, args := a.Scope("o.path")
	where := []string{scope}
	if f.Q != "" {
		where = append(where, "(u.username LIKE ? ESCAPE '\\' OR u.name LIKE ? ESCAPE '\\')")
		like := "%" + escapeLike(f.Q) + "%"
		args = append(args, like, like)
	}
	if f.Role != "" {
		where = append(where, "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)")
		args = append(args, f.Role)
	}
	if f.OrgID != 0 {
		where = append(where, "u.org_id = ?")
		args = append(args, f.OrgID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	out := UserPage{Items: []User{}}
	if err := sqlx.GetContext(ctx, q, &out.Total, "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id"+cond, args...); err != nil {
		return UserPage{}, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	if err := sqlx.SelectContext(ctx, q, &out.Items, selectUser+" JOIN orgs o ON o.id = u.org_id"+cond+" ORDER BY u.username LIMIT ? OFFSET ?",
		append(args, per, (page-1)*per)...); err != nil {
		return UserPage{}, err
	}
	for i := range out.Items {
		out.Items[i].fill()
	}
	return out, nil
}

// escapeLike escapes LIKE wildcards in user input.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// NewUser is the input for CreateUser.
type NewUser struct {
	Username string       `json:"username" validate:"required,min=3,max=32,alphanum"`
	Name     string       `json:"name" validate:"required,max=50"`
	OrgID    int64        `json:"org_id" validate:"required"`
	Roles    []actor.Role `json:"roles" validate:"required,min=1"`
	Password string       `json:"password" validate:"required,min=8,max=72"`
	// KeepPassword says the password is the user's own to keep, not one chosen for them: the demo users',
	// whose password is published, and the command line's, typed by the operator. Never read from a request.
	KeepPassword bool `json:"-"`
}

// CreateUser adds a user. Admins only, at an org in their subtree; the system may add anyone (command line).
// SPEC §1.3: a password someone else chose is one-time — the user must change it at first log-in — unless
// the caller says it is the user's own (KeepPassword).
func (s *Service) CreateUser(ctx context.Context, a actor.Actor, in NewUser) (User, error) {
	if !a.IsSystem() {
		if err := a.Require(actor.Admin); err != nil {
			return User{}, err
		}
	}
	if err := actor.CheckRoleCombination(in.Roles); err != nil {
		return User{}, err
	}
	if err := checkPassword("password", in.Password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.cost())
	if err != nil {
		return User{}, err
	}
	now := s.Clock.Now()
	var created User
	err = s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		o, err := org.GetInScope(ctx, tx, a, in.OrgID)
		if err != nil {
			return apperr.Invalid("org_id", "组织不存在")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (username, name, org_id, password_hash, must_change_password, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, strings.TrimSpace(in.Username), strings.TrimSpace(in.Name), o.ID, string(hash),
			!in.KeepPassword, store.FormatTime(now), store.FormatTime(now))
		if store.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Message: "用户名已被使用",
				Fields: map[string]string{"username": "用户名已被使用"}}
		}
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		if err := setRoles(ctx, tx, id, in.Roles); err != nil {
			return err
		}
		if created, err = getUser(ctx, tx, "u.id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, audit.Entry{Action: "user.create", EntityType: "user",
			EntityID: fmt.Sprint(id), OrgID: o.ID, OrgPath: o.Path, After: created})
	})
	return created, err
}

func setRoles(ctx context.Context, tx *sqlx.Tx, userID int64, roles []actor.Role) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = ?", userID); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", userID, r); err != nil {
			return err
		}
	}
	return nil
}

// UserChange is the input for UpdateUser; nil fields are left as they are.
type UserChange struct {
	Name     *string       `json:"name" validate:"omitempty,min=1,max=50"`
	OrgID    *int64        `json:"org_id"`
	Roles    *[]actor.Role `json:"roles"`
	Disabled *bool         `json:"disabled"`
}

// UpdateUser changes a user's name, org, roles or disabled flag. Admins only; an admin cannot disable
// or demote themselves (so a district never loses its last way in by accident).
func (s *Service) UpdateUser(ctx context.Context, a actor.Actor, id int64, ch UserChange) (User, error) {
	if err := a.Require(actor.Admin); err != nil {
		return User{}, err
	}
	if ch.Roles != nil {
		if err := actor.CheckRoleCombination(*ch.Roles); err != nil {
			return User{}, err
		}
	}
	if id == a.UserID && ((ch.Disabled != nil && *ch.Disabled) || (ch.Roles != nil && !hasRole(*ch.Roles, actor.Admin))) {
		return User{}, apperr.Conflictf("不能停用自己或取消自己的管理员角色")
	}
	now := s.Clock.Now()
	var after User
	err := s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		before, err := userInScope(ctx, tx, a, id)
		if err != nil {
			return err
		}
		orgPath := before.OrgPath
		if ch.Name != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET name = ? WHERE id = ?", strings.TrimSpace(*ch.Name), id); err != nil {
				return err
			}
		}
		if ch.OrgID != nil {
			o, err := org.GetInScope(ctx, tx, a, *ch.OrgID)
			if err != nil {
				return apperr.Invalid("org_id", "组织不存在")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE users SET org_id = ? WHERE id = ?", o.ID, id); err != nil {
				return err
			}
			orgPath = o.Path
		}
		if ch.Roles != nil {
			if err := setRoles(ctx, tx, id, *ch.Roles); err != nil {
				return err
			}
		}
		if ch.Disabled != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled = ? WHERE id = ?", *ch.Disabled, id); err != nil {
				return err
			}
			if *ch.Disabled {
				if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET updated_at = ? WHERE id = ?", store.FormatTime(now), id); err != nil {
			return err
		}
		if after, err = getUser(ctx, tx, "u.id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, audit.Entry{Action: "user.update", EntityType: "user",
			EntityID: fmt.Sprint(id), OrgID: after.Org.ID, OrgPath: orgPath, Before: before, After: after})
	})
	return after, err
}

func hasRole(roles []actor.Role, r actor.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// PasswordReset is the input for ResetPassword.
type PasswordReset struct {
	Password string `json:"password" validate:"required"`
}

// ResetPassword sets a new password for another user (admin) and ends that user's sessions.
func (s *Service) ResetPassword(ctx context.Context, a actor.Actor, id int64, in PasswordReset) error {
	if err := a.Require(actor.Admin); err != nil {
		return err
	}
	return s.setPassword(ctx, a, id, in.Password, "user.password_reset")
}

// PasswordChange is the input for ChangeOwnPassword.
type PasswordChange struct {
	OldPassword string `json:"old_password" validate:"required"`
	NewPassword string `json:"new_password" validate:"required"`
}

// ChangeOwnPassword lets any user change their password after proving the old one.
func (s *Service) ChangeOwnPassword(ctx context.Context, a actor.Actor, in PasswordChange) error {
	oldPassword, newPassword := in.OldPassword, in.NewPassword
	var hash string
	if err := s.DB.R.GetContext(ctx, &hash, "SELECT password_hash FROM users WHERE id = ?", a.UserID); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(oldPassword)) != nil {
		return apperr.Invalid("old_password", "原密码不正确")
	}
	if oldPassword == newPassword {
		return apperr.Invalid("new_password", "新密码不能与原密码相同")
	}
	return s.setPassword(ctx, a, a.UserID, newPassword, "user.password_change")
}

func (s *Service) setPassword(ctx context.Context, a actor.Actor, id int64, password, action string) error {
	field := "password"
	if action == "user.password_change" {
		field = "new_password"
	}
	if err := checkPassword(field, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		u, err := userInScope(ctx, tx, a, id)
		if err != nil {
			return err
		}
		oneTime := action == "user.password_reset" // an admin chose it: the user must change it at first log-in
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = ?, locked_until = NULL, updated_at = ? WHERE id = ?",
			string(hash), oneTime, store.FormatTime(now), id); err != nil {
			return err
		}
		// Other sessions of this user end; a user changing their own password keeps the current one.
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND user_id <> ?", id, a.UserID); err != nil {
			return err
		}
		// A new password ends the lock-out too: whoever was guessing the old one has nothing left to guess.
		if err := clearLockout(ctx, tx, u.Username); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, audit.Entry{Action: action, EntityType: "user",
			EntityID: fmt.Sprint(id), OrgID: u.Org.ID, OrgPath: u.OrgPath})
	})
}

func checkPassword(field, p string) error {
	if n := len([]rune(p)); n < MinPasswordRunes || len(p) > 72 {
		return apperr.Invalid(field, fmt.Sprintf("密码长度应为%d到72个字符", MinPasswordRunes))
	}
	return nil
}

func (s *Service) cost() int {
	if s.BcryptCost == 0 {
		return bcrypt.DefaultCost
	}
	return s.BcryptCost
}

// ActorFor returns the actor for the user with id, for work done on a user's behalf outside a request
// (the command line, demo data).
func ActorFor(ctx context.Context, q sqlx.QueryerContext, id int64, requestID string) (actor.Actor, error) {
	u, err := getUser(ctx, q, "u.id = ?", id)
	if err != nil {
		return actor.Actor{}, err
	}
	return actor.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, OrgID: u.Org.ID,
		OrgPath: u.OrgPath, RequestID: requestID, ClientAddr: "local", MustChangePassword: u.MustChange}, nil
}

// ActorNamed is ActorFor the user with username, for demo data and tests that name their users.
func ActorNamed(ctx context.Context, q sqlx.QueryerContext, username, requestID string) (actor.Actor, error) {
	var id int64
	if err := sqlx.GetContext(ctx, q, &id, "SELECT id FROM users WHERE username = ?", username); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return actor.Actor{}, apperr.NotFoundf("用户不存在：%s", username)
		}
		return actor.Actor{}, err
	}
	return ActorFor(ctx, q, id, requestID)
}

// Bootstrap creates the district federation and its first admin in an empty database, in one transaction
// with their audit events. It reports false, and does nothing, when the database already has orgs.
// With oneTime the admin must change the password at first log-in (SPEC §1.3: a one-time password).
func (s *Service) Bootstrap(ctx context.Context, orgCode, orgName, username, name, password string, oneTime bool) (bool, error) {
	if err := checkPassword("password", password); err != nil {
		return false, err
	}
	// Every start of the server calls this: a database that has its orgs needs no hash (bcrypt at full cost,
	// seconds under the race detector). The write below looks again inside its transaction.
	var orgs int
	if err := s.DB.R.GetContext(ctx, &orgs, "SELECT count(*) FROM orgs"); err != nil || orgs > 0 {
		return false, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return false, err
	}
	now := s.Clock.Now()
	created := false
	err = s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT count(*) FROM orgs"); err != nil || n > 0 {
			return err
		}
		ts := store.FormatTime(now)
		res, err := tx.ExecContext(ctx, "INSERT INTO orgs (code, name, level, parent_id, path, created_at) VALUES (?, ?, 1, NULL, '/1/', ?)",
			orgCode, orgName, ts)
		if err != nil {
			return err
		}
		if id, _ := res.LastInsertId(); id != 1 {
			return fmt.Errorf("bootstrap: the first org got id %d", id)
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO users (username, name, org_id, password_hash, must_change_password, created_at, updated_at)
			VALUES (?, ?, 1, ?, ?, ?, ?)`, username, name, string(hash), oneTime, ts, ts)
		if err != nil {
			return err
		}
		uid, _ := res.LastInsertId()
		if err := setRoles(ctx, tx, uid, []actor.Role{actor.Admin}); err != nil {
			return err
		}
		sys := actor.System("bootstrap")
		o, err := org.Get(ctx, tx, 1)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, "u.id = ?", uid)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, sys, now, audit.Entry{Action: "org.create", EntityType: "org", EntityID: "1",
			OrgID: 1, OrgPath: o.Path, After: o}); err != nil {
			return err
		}
		created = true
		return audit.Record(ctx, tx, sys, now, audit.Entry{Action: "user.create", EntityType: "user",
			EntityID: fmt.Sprint(uid), OrgID: 1, OrgPath: o.Path, After: u})
	})
	return created, err
}
