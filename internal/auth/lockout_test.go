package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bangfu/internal/apperr"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
)

type lockoutFixture struct {
	t     *testing.T
	svc   *auth.Service
	clock *clock.Manual
}

func newLockout(t *testing.T) *lockoutFixture {
	clk := clock.NewManual(time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China))
	_, svc := demotest.Open(t, clk, demo.Seed)
	return &lockoutFixture{t: t, svc: svc, clock: clk}
}

// answer is what a client reads from a log-in attempt: the error code and message ("ok" for a session).
func (f *lockoutFixture) answer(username, password, addr string) string {
	f.t.Helper()
	_, err := f.svc.Login(context.Background(), username, password, addr, "req")
	if err == nil {
		return "ok"
	}
	e := apperr.From(err)
	if e.Code == apperr.Internal {
		f.t.Fatalf("log-in %s from %s: %v", username, addr, err)
	}
	return string(e.Code) + " " + e.Message
}

func (f *lockoutFixture) audited(action string) int {
	var n int
	if err := f.svc.DB.R.Get(&n, "SELECT count(*) FROM audit_events WHERE action = ?", action); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestLogin_AStrangersFailuresFromOneAddressDoNotStopTheOwnerAtAnother(t *testing.T) {
	f := newLockout(t)
	// The stranger hammers supervisor1 from one address, waiting out every delay, for a long while.
	refused := 0
	for i := 0; i < 40; i++ {
		if a := f.answer("supervisor1", fmt.Sprintf("guess-%d", i), "203.0.113.66"); a != "unauthenticated 用户名或密码错误" {
			refused++
		}
		f.clock.Advance(auth.Delay(i + 1))
	}
	if refused != 0 {
		t.Fatalf("%d attempts were refused although each waited its delay", refused)
	}
	// The stranger is slowed down at their address: even the right password must wait.
	f.answer("supervisor1", "wrong-again", "203.0.113.66")
	if a := f.answer("supervisor1", demo.Password, "203.0.113.66"); a[:12] != "rate_limited" {
		t.Fatalf("the stranger's address is not slowed down: %s", a)
	}
	// The owner, at the office, logs in at once.
	if a := f.answer("supervisor1", demo.Password, "10.1.2.3"); a != "ok" {
		t.Fatalf("the owner at another address: %s", a)
	}
	if f.audited("user.locked") != 0 {
		t.Fatal("one address's failures locked the account")
	}
}

func TestLogin_TheDelayPerAccountAndAddressGrows(t *testing.T) {
	f := newLockout(t)
	for i := 0; i < auth.FreeFailures; i++ {
		if a := f.answer("finance1", "wrong", "198.51.100.7"); a != "unauthenticated 用户名或密码错误" {
			t.Fatalf("failure %d: %s", i+1, a)
		}
	}
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if a := f.answer("finance1", demo.Password, "198.51.100.7"); a != fmt.Sprintf("rate_limited 登录失败次数过多，请 %d 秒后再试", int(wait.Seconds())) {
			t.Fatalf("before %v: %s", wait, a)
		}
		f.clock.Advance(wait - time.Millisecond)
		if a := f.answer("finance1", "wrong", "198.51.100.7"); a[:12] != "rate_limited" {
			t.Fatalf("just before %v passed: %s", wait, a)
		}
		f.clock.Advance(time.Millisecond)
		if a := f.answer("finance1", "wrong", "198.51.100.7"); a != "unauthenticated 用户名或密码错误" {
			t.Fatalf("after %v: %s", wait, a)
		}
	}
	if got := auth.Delay(1000); got != auth.MaxDelay {
		t.Fatalf("delay is not capped: %v", got)
	}
	// Waiting it out and logging in from there clears that address's count.
	f.clock.Advance(auth.Delay(auth.FreeFailures + 4))
	if a := f.answer("finance1", demo.Password, "198.51.100.7"); a != "ok" {
		t.Fatalf("after the delay: %s", a)
	}
	if a := f.answer("finance1", "wrong", "198.51.100.7"); a != "unauthenticated 用户名或密码错误" {
		t.Fatalf("after a success: %s", a)
	}
	if f.audited("session.login_refused") != 8 {
		t.Errorf("refused attempts audited: %d, want 8", f.audited("session.login_refused"))
	}
}

// lockByCrowd fails username's log-in from AccountLockFailures different addresses.
func (f *lockoutFixture) lockByCrowd(username string) []string {
	var answers []string
	for i := 0; i < auth.AccountLockFailures; i++ {
		answers = append(answers, f.answer(username, "wrong", fmt.Sprintf("192.0.2.%d", i)))
	}
	return answers
}

func TestLogin_ManyFailuresFromEverywhereLockTheAccountUntilAnAdminUnlocksIt(t *testing.T) {
	f := newLockout(t)
	f.lockByCrowd("supervisor2")
	if f.audited("user.locked") != 1 {
		t.Fatalf("user.locked audited %d times", f.audited("user.locked"))
	}
	a := f.answer("supervisor2", demo.Password, "10.1.2.3")
	if a[:12] != "rate_limited" {
		t.Fatalf("a locked account let the owner in: %s", a)
	}
	ctx := context.Background()
	admin, err := auth.ActorFor(ctx, f.svc.DB.R, 1, "req")
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := f.svc.DB.R.Get(&id, "SELECT id FROM users WHERE username = 'supervisor2'"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Unlock(ctx, admin, id, auth.UnlockInput{Reason: "  "}); apperr.CodeOf(err) != apperr.Validation {
		t.Fatalf("unlock without a reason: %v", err)
	}
	sup, _ := auth.ActorFor(ctx, f.svc.DB.R, id, "req")
	if _, err := f.svc.Unlock(ctx, sup, id, auth.UnlockInput{Reason: "自己解锁"}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a supervisor unlocked: %v", err)
	}
	u, err := f.svc.Unlock(ctx, admin, id, auth.UnlockInput{Reason: "本人电话确认，密码被他人试探"})
	if err != nil || u.LockedUntil != nil {
		t.Fatalf("unlock: %+v %v", u, err)
	}
	var reason string
	if err := f.svc.DB.R.Get(&reason, "SELECT reason FROM audit_events WHERE action = 'user.unlock' AND entity_id = ?", fmt.Sprint(id)); err != nil || reason != "本人电话确认，密码被他人试探" {
		t.Fatalf("unlock audit: %q %v", reason, err)
	}
	if a := f.answer("supervisor2", demo.Password, "10.1.2.3"); a != "ok" {
		t.Fatalf("after the unlock: %s", a)
	}
	if _, err := f.svc.Unlock(ctx, admin, id, auth.UnlockInput{Reason: "再解一次"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("unlocking an account that is not locked: %v", err)
	}
	// Without an admin the lock ends by itself after LockDuration.
	f.lockByCrowd("supervisor2")
	f.clock.Advance(auth.LockDuration - time.Second)
	if a := f.answer("supervisor2", demo.Password, "10.1.2.3"); a[:12] != "rate_limited" {
		t.Fatalf("the lock ended early: %s", a)
	}
	f.clock.Advance(time.Second)
	if a := f.answer("supervisor2", demo.Password, "10.1.2.3"); a != "ok" {
		t.Fatalf("after the lock: %s", a)
	}
}

// TestLogin_AnUnknownAndAKnownNameGetTheSameAnswers: the same sequence of attempts — failures, attempts
// during the delay, attempts after it, a crowd that locks the name, an attempt while locked and after —
// reads the same, status code and message, for a name that exists and one that does not.
func TestLogin_AnUnknownAndAKnownNameGetTheSameAnswers(t *testing.T) {
	run := func(username string) []string {
		f := newLockout(t)
		var out []string
		for i := 0; i < 6; i++ {
			out = append(out, f.answer(username, "wrong", "203.0.113.9"))
			f.clock.Advance(500 * time.Millisecond)
		}
		f.clock.Advance(time.Minute)
		out = append(out, f.answer(username, "wrong", "203.0.113.9"))
		out = append(out, f.lockByCrowd(username)...)
		out = append(out, f.answer(username, "wrong", "10.9.9.9"))
		f.clock.Advance(auth.LockDuration)
		out = append(out, f.answer(username, "wrong", "10.9.9.9"))
		if f.audited("user.locked") != 1 {
			t.Errorf("%s: the lock is not audited", username)
		}
		return out
	}
	known, unknown := run("caseworker2"), run("caseworker9")
	if len(known) != len(unknown) {
		t.Fatalf("lengths differ")
	}
	distinct := map[string]bool{}
	for i := range known {
		distinct[known[i]] = true
		if known[i] != unknown[i] {
			t.Errorf("attempt %d: known name reads %q, unknown name %q", i+1, known[i], unknown[i])
		}
	}
	if len(distinct) < 3 {
		t.Fatalf("the sequence did not reach the delay and the lock: %v", distinct)
	}
}
