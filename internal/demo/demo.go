// Package demo fills an empty database with a realistic district: its union tree and one user per role
// (SPEC §1.3, "the demo users listed in the README"). Everything goes through the areas' own functions,
// so demo data obeys the same rules and leaves the same audit trail as real work.
package demo

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Password is every demo user's password.
const Password = "bangfu-demo"

// User is a demo user as printed at start and listed in the README.
type User struct {
	Username string
	Name     string
	OrgCode  string
	Roles    []actor.Role
}

// Orgs is the demo tree: code, name, parent code.
var Orgs = [][3]string{
	{"BJ", "滨江区总工会", ""},
	{"BJ-XX", "西兴街道总工会", "BJ"},
	{"BJ-CH", "长河街道总工会", "BJ"},
	{"BJ-XX-JH", "江汉社区工会联合会", "BJ-XX"},
	{"BJ-XX-GH", "官河社区工会联合会", "BJ-XX"},
	{"BJ-CH-CH", "长河社区工会联合会", "BJ-CH"},
	{"BJ-CH-SY", "山一社区工会联合会", "BJ-CH"},
	{"BJ-XX-JH-01", "江南建设工程有限公司工会", "BJ-XX-JH"},
	{"BJ-XX-JH-02", "悦来餐饮管理有限公司工会", "BJ-XX-JH"},
	{"BJ-XX-GH-01", "顺达物流有限公司工会", "BJ-XX-GH"},
	{"BJ-XX-GH-02", "星河酒店管理有限公司工会", "BJ-XX-GH"},
	{"BJ-CH-CH-01", "联润超市连锁有限公司长河店工会", "BJ-CH-CH"},
	{"BJ-CH-CH-02", "恒通电子制造有限公司工会", "BJ-CH-CH"},
	{"BJ-CH-SY-01", "长河环境卫生服务有限公司工会", "BJ-CH-SY"},
	{"BJ-CH-SY-02", "鑫源快递服务站工会", "BJ-CH-SY"},
}

// Users are the demo users; admin is created first by Bootstrap.
var Users = []User{
	{"admin", "系统管理员", "BJ", []actor.Role{actor.Admin}},
	{"caseworker1", "王丽娟", "BJ-XX-JH", []actor.Role{actor.Caseworker}},
	{"caseworker2", "陈志强", "BJ-XX-GH", []actor.Role{actor.Caseworker}},
	{"supervisor1", "李建国", "BJ-XX", []actor.Role{actor.Supervisor}},
	{"supervisor2", "赵敏", "BJ", []actor.Role{actor.Supervisor}},
	{"finance1", "孙晓燕", "BJ", []actor.Role{actor.Finance}},
	{"auditor1", "周德明", "BJ", []actor.Role{actor.Auditor}},
}

// Full writes everything `bangfu serve --demo` shows: the orgs and users of Seed, then each area's demo
// records. It reports false and writes nothing when the database is not empty.
func Full(ctx context.Context, db *store.DB, svc *auth.Service) (bool, error) {
	created, err := Seed(ctx, db, svc)
	if err != nil || !created {
		return created, err
	}
	// The demo is written in many transactions: the markers tell a finished demo from one cut short (a
	// kill or a crash half-way), which a later start must not take for a database in use.
	if err := mark(ctx, db, svc, "demo.begin"); err != nil {
		return true, err
	}
	// Each area adds its demo records here, in dependency order.
	if err := Households(ctx, db, svc); err != nil {
		return true, err
	}
	if err := seedFunds(ctx, db, svc.Clock.Now()); err != nil {
		return true, err
	}
	if err := Applications(ctx, db, svc); err != nil {
		return true, err
	}
	if err := Campaigns(ctx, db, svc); err != nil {
		return true, err
	}
	return true, mark(ctx, db, svc, "demo.complete")
}

func mark(ctx context.Context, db *store.DB, svc *auth.Service, action string) error {
	return db.Write(ctx, func(tx *sqlx.Tx) error {
		return audit.Record(ctx, tx, actor.System("demo"), svc.Clock.Now(), audit.Entry{Action: action, EntityType: "demo", EntityID: "1", OrgPath: "/"})
	})
}

// Interrupted reports whether the demo data in db was begun and never finished: such a database holds part
// of the demo, and `serve --demo` says so instead of serving it.
func Interrupted(ctx context.Context, q sqlx.QueryerContext) (bool, error) {
	var begun, done int
	err := sqlx.GetContext(ctx, q, &begun, "SELECT count(*) FROM audit_events WHERE action = 'demo.begin'")
	if err == nil {
		err = sqlx.GetContext(ctx, q, &done, "SELECT count(*) FROM audit_events WHERE action = 'demo.complete'")
	}
	return begun > 0 && done == 0, err
}

// Seed writes the demo orgs and users into an empty database; test servers start from it. It reports false and writes nothing when
// the database is not empty.
func Seed(ctx context.Context, db *store.DB, svc *auth.Service) (bool, error) {
	created, err := svc.Bootstrap(ctx, Orgs[0][0], Orgs[0][1], Users[0].Username, Users[0].Name, Password, false)
	if err != nil || !created {
		return false, err
	}
	admin, err := auth.ActorFor(ctx, db.R, 1, "demo")
	if err != nil {
		return false, err
	}
	ids := map[string]int64{Orgs[0][0]: 1}
	for _, o := range Orgs[1:] {
		created, err := (&org.Service{DB: db, Clock: svc.Clock}).Create(ctx, admin, org.NewOrg{Code: o[0], Name: o[1], ParentID: ids[o[2]]})
		if err != nil {
			return false, fmt.Errorf("demo org %s: %w", o[0], err)
		}
		ids[o[0]] = created.ID
	}
	for _, u := range Users[1:] {
		if _, err := svc.CreateUser(ctx, admin, auth.NewUser{Username: u.Username, Name: u.Name, OrgID: ids[u.OrgCode],
			Roles: u.Roles, Password: Password, KeepPassword: true}); err != nil { // the published demo password
			return false, fmt.Errorf("demo user %s: %w", u.Username, err)
		}
	}
	return true, nil
}

// AuditActions names the audit action codes the demo writes around its data.
var AuditActions = map[string]string{"demo.begin": "演示数据·开始写入", "demo.complete": "演示数据·写入完成"}
