package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowser_WrongPasswordShowsTheChineseError(t *testing.T) {
	b := start(t)
	b.login("admin", "not-the-password")
	b.waitText("#login-error", "用户名或密码错误")
}

func TestBrowser_AdminCreatesAUserAndSeesItInTheList(t *testing.T) {
	b := start(t)
	b.login("admin", "bangfu-demo")
	b.waitText("body", "系统管理员")
	b.open("#/users/new")
	b.run(
		chromedp.WaitVisible(chromedp.CSS("#user-form")),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name="username"]`), "liuyang"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name="name"]`), "刘洋"),
		chromedp.SetValue(chromedp.CSS(`#user-form select[name="org_id"]`), "4"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name="password"]`), "short"),
		chromedp.Click(chromedp.CSS(`#user-form input[name="roles"][value="caseworker"]`)),
		chromedp.Click(chromedp.CSS("#user-form-submit")),
	)
	// The server refuses the short password; the message stands beside the field and typed values stay.
	b.waitText("#user-form", "长度不能少于8个字符")
	if username := b.value(`#user-form input[name="username"]`); username != "liuyang" {
		t.Fatalf("the form lost what was typed")
	}
	b.run(
		chromedp.SetValue(chromedp.CSS(`#user-form input[name="password"]`), "liuyang-2026"),
		chromedp.Click(chromedp.CSS("#user-form-submit")),
	)
	b.waitText("#user-list", "liuyang")
	b.waitText("#user-list", "刘洋")
	b.srv.LoginWith("liuyang", "liuyang-2026")
}
