// Package org owns the organisation tree (SPEC §1.1): district federation → sub-district union → community
// union → grassroots union. Each org's materialised path makes "this org's subtree" a range query.
package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Service is the org area's entry point: every logged-in user reads the orgs of their subtree; admins
// create and rename them, inside their own subtree.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// Levels of the tree, top down.
const (
	District    = 1 // 区总工会
	SubDistrict = 2 // 街道/乡镇工会
	Community   = 3 // 社区工会
	Grassroots  = 4 // 基层工会
)

// LevelNames are the Chinese names of the levels.
var LevelNames = map[int]string{District: "区总工会", SubDistrict: "街道/乡镇工会", Community: "社区工会", Grassroots: "基层工会"}

// Org is one union organisation.
type Org struct {
	ID        int64         `db:"id" json:"id"`
	Code      string        `db:"code" json:"code"`
	Name      string        `db:"name" json:"name"`
	Level     int           `db:"level" json:"level"`
	LevelName string        `db:"-" json:"level_name"`
	ParentID  sql.NullInt64 `db:"parent_id" json:"-"`
	Parent    *int64        `db:"-" json:"parent_id"`
	Path      string        `db:"path" json:"path"`
	CreatedAt string        `db:"created_at" json:"created_at"`
}

func (o *Org) fill() {
	o.LevelName = LevelNames[o.Level]
	if o.ParentID.Valid {
		p := o.ParentID.Int64
		o.Parent = &p
	}
}

// Brief is how other records name an org.
type Brief struct {
	ID    int64  `db:"id" json:"id"`
	Code  string `db:"code" json:"code"`
	Name  string `db:"name" json:"name"`
	Level int    `db:"level" json:"level"`
}

// MarshalJSON adds the level's Chinese name, as Org has it.
func (b Brief) MarshalJSON() ([]byte, error) {
	type plain Brief
	return json.Marshal(struct {
		plain
		LevelName string `json:"level_name"`
	}{plain(b), LevelNames[b.Level]})
}

// Get returns the org with id, or 404.
func Get(ctx context.Context, q sqlx.QueryerContext, id int64) (Org, error) {
	o, err := store.Get[Org](ctx, q, "组织不存在", "SELECT * FROM orgs WHERE id = ?", id)
	if err != nil {
		return o, err
	}
	o.fill()
	return o, nil
}

// GetInScope returns the org with id if a may see it; an org outside a's subtree is reported as missing.
func GetInScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Org, error) {
	o, err := Get(ctx, q, id)
	if err == nil && !a.Sees(o.Path) {
		return Org{}, apperr.NotFoundf("组织不存在")
	}
	return o, err
}

// ByCode returns the org with the given code, or 404.
func ByCode(ctx context.Context, q sqlx.QueryerContext, code string) (Org, error) {
	o, err := store.Get[Org](ctx, q, fmt.Sprintf("组织代码 %s 不存在", code), "SELECT * FROM orgs WHERE code = ?", code)
	if err != nil {
		return o, err
	}
	o.fill()
	return o, nil
}

// Get returns org id if a sees it; an org outside a's subtree is not acknowledged.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (Org, error) {
	return GetInScope(ctx, s.DB.R, a, id)
}

// List returns the orgs in a's subtree in tree order (each parent before its children, siblings by code).
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Org, error) {
	return List(ctx, s.DB.R, a)
}

// List returns the orgs in a's subtree in tree order (each parent before its children, siblings by code).
func List(ctx context.Context, q sqlx.QueryerContext, a actor.Actor) ([]Org, error) {
	scope, args := a.Scope("path")
	var orgs []Org
	if err := sqlx.SelectContext(ctx, q, &orgs, "SELECT * FROM orgs WHERE "+scope, args...); err != nil {
		return nil, err
	}
	children := map[int64][]int{}
	var roots []int
	inList := map[int64]bool{}
	for i := range orgs {
		orgs[i].fill()
		inList[orgs[i].ID] = true
	}
	for i, o := range orgs {
		if o.ParentID.Valid && inList[o.ParentID.Int64] {
			children[o.ParentID.Int64] = append(children[o.ParentID.Int64], i)
		} else {
			roots = append(roots, i)
		}
	}
	out := make([]Org, 0, len(orgs))
	var walk func(idx []int)
	walk = func(idx []int) {
		sortByCode(orgs, idx)
		for _, i := range idx {
			out = append(out, orgs[i])
			walk(children[orgs[i].ID])
		}
	}
	walk(roots)
	return out, nil
}

func sortByCode(orgs []Org, idx []int) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && orgs[idx[j]].Code < orgs[idx[j-1]].Code; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// NewOrg is the input for Create. ParentID 0 creates the district federation (only on an empty tree).
type NewOrg struct {
	Code     string `json:"code" validate:"required,max=32"`
	Name     string `json:"name" validate:"required,max=100"`
	ParentID int64  `json:"parent_id"`
}

// Create adds an org under its parent, one level down. Admins only, inside their subtree.
func (s *Service) Create(ctx context.Context, a actor.Actor, in NewOrg) (Org, error) {
	if err := a.Require(actor.Admin); err != nil {
		return Org{}, err
	}
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if !codePattern.MatchString(in.Code) {
		return Org{}, apperr.Invalid("code", "组织代码只能由字母、数字、连字符和下划线组成")
	}
	if in.Name == "" {
		return Org{}, apperr.Invalid("name", "此项为必填")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return Org{}, apperr.Invalid("name", "名称不能超过100个字")
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Org, error) { return create(ctx, tx, a, now, in) })
}

func create(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in NewOrg) (Org, error) {
	level, parentPath := District, "/"
	var parent sql.NullInt64
	if in.ParentID == 0 {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT count(*) FROM orgs"); err != nil {
			return Org{}, err
		}
		if n > 0 {
			return Org{}, apperr.Invalid("parent_id", "请选择上级组织")
		}
	} else {
		p, err := GetInScope(ctx, tx, a, in.ParentID)
		if err != nil {
			return Org{}, apperr.Invalid("parent_id", "上级组织不存在")
		}
		if p.Level == Grassroots {
			return Org{}, apperr.Invalid("parent_id", "基层工会下不能再设下级组织")
		}
		level, parentPath, parent = p.Level+1, p.Path, sql.NullInt64{Int64: p.ID, Valid: true}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO orgs (code, name, level, parent_id, path, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, in.Code, in.Name, level, parent, fmt.Sprintf("%s%s-new/", parentPath, in.Code), store.FormatTime(now))
	if store.IsUniqueViolation(err) {
		return Org{}, &apperr.Error{Code: apperr.Conflict, Message: "组织代码已存在", Fields: map[string]string{"code": "组织代码已存在"}}
	}
	if err != nil {
		return Org{}, err
	}
	id, _ := res.LastInsertId()
	path := fmt.Sprintf("%s%d/", parentPath, id)
	if _, err := tx.ExecContext(ctx, "UPDATE orgs SET path = ? WHERE id = ?", path, id); err != nil {
		return Org{}, err
	}
	created, err := Get(ctx, tx, id)
	if err != nil {
		return Org{}, err
	}
	return created, audit.Record(ctx, tx, a, now, audit.Entry{Action: "org.create", EntityType: "org",
		EntityID: fmt.Sprint(id), OrgID: id, OrgPath: path, After: created})
}

// NewName is the input for Rename.
type NewName struct {
	Name string `json:"name" validate:"required,max=100"`
}

// Rename changes an org's name. Admins only, inside their subtree.
func (s *Service) Rename(ctx context.Context, a actor.Actor, id int64, in NewName) (Org, error) {
	if err := a.Require(actor.Admin); err != nil {
		return Org{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return Org{}, apperr.Invalid("name", "名称不能为空，且不超过100个字")
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Org, error) {
		before, err := GetInScope(ctx, tx, a, id)
		if err != nil {
			return Org{}, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE orgs SET name = ? WHERE id = ?", name, id); err != nil {
			return Org{}, err
		}
		after := before
		after.Name = name
		return after, audit.Record(ctx, tx, a, now, audit.Entry{Action: "org.rename", EntityType: "org",
			EntityID: fmt.Sprint(id), OrgID: id, OrgPath: before.Path, Before: before, After: after})
	})
}

// AuditActions names every audit action code the org area writes (SPEC §7).
var AuditActions = map[string]string{"org.create": "组织·新建", "org.rename": "组织·重命名"}
