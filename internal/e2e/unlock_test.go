package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"bangfu/internal/auth"
)

// TestBrowser_AdminUnlocksALockedUserWithAReason: a crowd of addresses locked supervisor1; the admin opens
// the user, gives a reason and unlocks; the audit trail names it.
func TestBrowser_AdminUnlocksALockedUserWithAReason(t *testing.T) {
	b := start(t)
	for i := 0; i < auth.AccountLockFailures; i++ {
		b.srv.Auth.Login(context.Background(), "supervisor1", "wrong", fmt.Sprintf("192.0.2.%d", i), "req")
	}
	var id int64
	if err := b.srv.DB.R.Get(&id, "SELECT id FROM users WHERE username = 'supervisor1'"); err != nil {
		t.Fatal(err)
	}
	b.run(login(b.srv, "admin"))
	b.open(fmt.Sprintf("#/users/%d", id))
	b.run(
		chromedp.WaitVisible(chromedp.CSS("#user-unlock-form")),
		chromedp.SetValue(chromedp.CSS(`#user-unlock-form textarea[name="reason"]`), "本人来电确认"),
		chromedp.Click(chromedp.CSS("#user-unlock-submit")),
	)
	b.waitText("body", "已解除 supervisor1 的登录锁定")
	var reason string
	if err := b.srv.DB.R.Get(&reason, "SELECT reason FROM audit_events WHERE action = 'user.unlock'"); err != nil || reason != "本人来电确认" {
		t.Fatalf("unlock audit: %q %v", reason, err)
	}
}
