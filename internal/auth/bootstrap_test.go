package auth_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/storetest"
)

func TestBootstrap_CreatesTheFirstAdminOnceWithAOneTimePassword(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	svc := &auth.Service{DB: db, Clock: clock.NewManual(time.Date(2026, 1, 5, 9, 0, 0, 0, clock.China)), BcryptCost: bcrypt.MinCost}
	created, err := svc.Bootstrap(ctx, "district", "区总工会", "admin", "系统管理员", "first-start-pw", true)
	if err != nil || !created {
		t.Fatalf("bootstrap: %v %v", created, err)
	}
	again, err := svc.Bootstrap(ctx, "other", "另一个", "root", "x", "other-start-pw", true)
	if err != nil || again {
		t.Fatalf("a second bootstrap must do nothing: %v %v", again, err)
	}
	sess, err := svc.Login(ctx, "admin", "first-start-pw", "127.0.0.1", "r1")
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := svc.Authenticate(ctx, sess.Token, "r2", "127.0.0.1")
	if err != nil || !a.MustChangePassword || a.OrgPath != "/1/" {
		t.Fatalf("actor %+v, %v: the printed password must be one-time", a, err)
	}
	if err := svc.ChangeOwnPassword(ctx, a, auth.PasswordChange{OldPassword: "first-start-pw", NewPassword: "admin-chosen-pw"}); err != nil {
		t.Fatal(err)
	}
	if a, _, _ = svc.Authenticate(ctx, sess.Token, "r3", "127.0.0.1"); a.MustChangePassword {
		t.Fatal("the change must clear the one-time flag")
	}
}
