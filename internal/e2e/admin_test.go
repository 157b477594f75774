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

func TestBrowser_AUserWithAOneTimePasswordIsLedToChangeItFirst(t *testing.T) {
	b := start(t)
	b.srv.Login("admin").Must(201, "POST", "/api/v1/users", map[string]any{"username": "zhaolei", "name": "赵磊",
		"org_id": b.srv.OrgID("BJ-XX-JH"), "roles": []string{"caseworker"}, "password": "given-2026"})
	b.login("zhaolei", "given-2026")
	b.waitText("#must-change-password", "请先修改密码")
	b.run(
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name="old_password"]`), "given-2026"),
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name="new_password"]`), "zhaolei-own-1"),
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name="confirm_password"]`), "zhaolei-own-1"),
		chromedp.Click(chromedp.CSS("#password-form-submit")),
	)
	b.waitText("body", "赵磊") // the dashboard greets the user by name
	b.run(chromedp.WaitNotPresent(chromedp.CSS("#must-change-password")))
	b.srv.LoginWith("zhaolei", "zhaolei-own-1").Must(200, "GET", "/api/v1/policies/current", nil)
}
