package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fieldError waits until the field (the .field wrapper) of the control matching sel shows an error containing want,
// so the message is known to stand beside that control and not only in the form's banner.
func (b *browser) fieldError(sel, want string) {
	b.t.Helper()
	script := fmt.Sprintf(`(() => {
		const c = document.querySelector(%q);
		const f = c && c.closest('.field');
		const e = f && f.querySelector('.field-error');
		return e ? e.textContent : '';
	})()`, sel)
	deadline := time.Now().Add(15 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](script)); err == nil {
			if got = s; strings.Contains(got, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("no error %q beside %s; it shows %q", want, sel, got)
}

// noFieldError fails if the field of the control matching sel shows an error.
func (b *browser) noFieldError(sel string) {
	b.t.Helper()
	n := count(b.t, b, fmt.Sprintf(`.field:has(%s) .field-error`, sel))
	if n != 0 {
		b.t.Fatalf("%s shows a field error it should not", sel)
	}
}

// kept fails unless each control (selector → value) still holds what was typed.
func (b *browser) kept(values map[string]string) {
	b.t.Helper()
	for sel, want := range values {
		if got := b.value(sel); got != want {
			b.t.Fatalf("after the refusal %s holds %q, want what was typed: %q", sel, got, want)
		}
	}
}

func TestBrowser_AdminCreatesAGrassrootsUnionUnderACommunityUnion(t *testing.T) {
	b := start(t)
	parent := b.srv.OrgID("BJ-XX-JH")
	b.run(login(b.srv, "admin"))
	b.open("#/orgs")
	parentRow := fmt.Sprintf(`#org-list tbody tr[data-id="%d"]`, parent)
	b.run(
		chromedp.WaitVisible(chromedp.CSS(parentRow)),
		chromedp.Click(chromedp.CSS(parentRow+" .org-add-child")),
		chromedp.WaitVisible(chromedp.CSS("#org-form")),
	)
	b.waitText("#org-form", "江汉社区工会联合会")
	code, name := `#org-form input[name="code"]`, `#org-form input[name="name"]`
	if got := b.value(`#org-form select[name="parent_id"]`); got != fmt.Sprint(parent) {
		t.Fatalf("the dialog opened from the community union's row has parent %q selected, want %d", got, parent)
	}

	// No name: the form says so beside the name and keeps the code.
	b.run(
		chromedp.SendKeys(chromedp.CSS(code), "BJ-XX-JH-01"),
		chromedp.Click(chromedp.CSS("#org-form-submit")),
	)
	b.fieldError(name, "请填写此项")
	b.kept(map[string]string{code: "BJ-XX-JH-01"})

	// A code that exists: the server refuses it, the message stands beside the code, both values stay.
	b.run(
		chromedp.SendKeys(chromedp.CSS(name), "江汉物业服务有限公司工会"),
		chromedp.Click(chromedp.CSS("#org-form-submit")),
	)
	b.fieldError(code, "组织代码已存在")
	b.noFieldError(name)
	b.kept(map[string]string{code: "BJ-XX-JH-01", name: "江汉物业服务有限公司工会"})

	// A fresh code: the dialog closes and the union appears in the tree under its community union.
	b.run(
		chromedp.SetValue(chromedp.CSS(code), "BJ-XX-JH-03"),
		chromedp.Click(chromedp.CSS("#org-form-submit")),
		chromedp.WaitNotPresent(chromedp.CSS("#org-form")),
	)
	b.waitText("#org-list", "江汉物业服务有限公司工会")
	id := b.srv.OrgID("BJ-XX-JH-03")
	row := fmt.Sprintf(`#org-list tbody tr[data-id="%d"]`, id)
	b.waitText(row, "BJ-XX-JH-03")
	b.waitText(row, "基层工会")
	b.waitText(row, "江汉社区工会联合会") // the 上级组织 column
	// In the tree the nearest row above it one level up is its parent.
	above, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		let r = document.querySelector(%q);
		const level = Number(r.dataset.level);
		while ((r = r.previousElementSibling) && Number(r.dataset.level) >= level) {}
		return r ? r.dataset.id : '';
	})()`, row)))
	if err != nil {
		t.Fatal(err)
	}
	if above != fmt.Sprint(parent) {
		t.Fatalf("the new union is drawn under org %s in the tree, want its parent %d", above, parent)
	}
}

func TestBrowser_AdminCreatesAPolicyVersionAfterFieldErrors(t *testing.T) {
	b := start(t)
	b.run(login(b.srv, "admin"))
	b.open("#/policies/new")
	b.run(chromedp.WaitVisible(chromedp.CSS("#policy-form")))
	dibao := `#policy-form input[name="dibao_monthly_fen"]`
	multiplier := `#policy-form input[name="relative_multiplier"]`
	date := `#policy-form input[name="effective_from"]`
	if got := b.value(dibao); got != "900" {
		t.Fatalf("the form is not prefilled from the version in force: 低保 shows %q, want 900", got)
	}

	// A negative 低保 is refused in the page, beside the field, before anything is sent.
	b.run(
		chromedp.SetValue(chromedp.CSS(date), "2026-07-01"),
		chromedp.SetValue(chromedp.CSS(dibao), "-50"),
		chromedp.SetValue(chromedp.CSS(multiplier), "0"),
		chromedp.Click(chromedp.CSS("#policy-form-submit")),
	)
	b.fieldError(dibao, "金额不能为负数")
	b.kept(map[string]string{date: "2026-07-01", dibao: "-50", multiplier: "0"})

	// A multiplier of 0 is refused by the server; its message stands beside the multiplier.
	b.run(
		chromedp.SetValue(chromedp.CSS(dibao), "1000"),
		chromedp.Click(chromedp.CSS("#policy-form-submit")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
	)
	b.fieldError(multiplier, "必须大于0")
	b.noFieldError(dibao)
	b.kept(map[string]string{date: "2026-07-01", dibao: "1000", multiplier: "0"})

	// Put right, the version is saved and listed with its date and its 低保.
	b.run(
		chromedp.SetValue(chromedp.CSS(multiplier), "2"),
		chromedp.Click(chromedp.CSS("#policy-form-submit")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitVisible(chromedp.CSS("#policy-list")),
	)
	b.waitText("#policy-list tbody", "2026-07-01")
	b.waitText("#policy-list tbody tr:first-child", "¥1,000.00")
	b.waitText("#policy-list tbody tr:first-child", "admin")
	b.waitText("#policy-list tbody", "¥900.00") // the version it replaces stays listed
}

func TestBrowser_EachRoleSeesTheNavigationOfItsRole(t *testing.T) {
	b := start(t)
	for _, tc := range []struct {
		user      string
		see, miss []string
	}{
		{"caseworker1",
			[]string{"档案查询", "新建档案", "救助申请", "签收确认"},
			[]string{"审批队列", "事后复核", "发放队列", "经费台账", "审计日志", "用户管理", "组织机构", "政策参数"}},
		{"supervisor1",
			[]string{"档案查询", "审批队列", "事后复核", "绿色通道报表"},
			[]string{"新建档案", "救助申请", "发放队列", "签收确认", "审计日志", "用户管理", "组织机构", "政策参数"}},
		{"finance1",
			[]string{"经费台账", "下拨额度", "发放队列", "签收确认"},
			[]string{"新建档案", "救助申请", "审批队列", "事后复核", "审计日志", "用户管理", "组织机构", "政策参数"}},
		{"auditor1",
			[]string{"审计日志", "经费台账", "绿色通道报表"},
			[]string{"新建档案", "救助申请", "审批队列", "发放队列", "签收确认", "用户管理", "组织机构", "政策参数"}},
		{"admin",
			[]string{"用户管理", "组织机构", "政策参数", "审计日志"},
			[]string{"档案查询", "转介跟踪", "新建档案", "救助申请", "审批队列", "事后复核", "发放队列", "签收确认", "经费台账", "下拨额度"}},
	} {
		b.run(login(b.srv, tc.user))
		links, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('#nav .nav-link')].map((a) => a.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		has := map[string]bool{}
		for _, l := range links {
			has[l] = true
		}
		for _, want := range tc.see {
			if !has[want] {
				t.Errorf("%s does not see %s in the navigation %v", tc.user, want, links)
			}
		}
		for _, not := range tc.miss {
			if has[not] {
				t.Errorf("%s sees %s in the navigation %v", tc.user, not, links)
			}
		}
	}
	// A page of another role, opened by its address, says so instead of showing it.
	b.run(login(b.srv, "caseworker1"))
	b.open("#/users")
	b.waitText("#main", "您没有权限访问此页面")
}
