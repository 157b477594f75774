package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/clock"
	"bangfu/internal/demo"
)

// TestBrowser_GreenChannelOpensTheFileAlongside: SPEC §4.3 — a caseworker applies on the green channel for a worker
// who has no household file yet. The form opens the file alongside: a wrong ID number is refused beside its field
// with everything typed kept, the corrected form saves the draft and the new file together, the two documents the
// green channel needs are uploaded to the new file from the same page, and the application goes to 待审批 linked
// to that file.
func TestBrowser_GreenChannelOpensTheFileAlongside(t *testing.T) {
	b := start(t)
	srv, ctx := b.srv, b.ctx
	now := time.Now().In(clock.China).Truncate(time.Second)
	srv.Clock.Set(now)
	budgetLine(t, srv, now.Year(), "living", 5_000_000)

	css := func(name string) string { return fmt.Sprintf(`#application-form [name="%s"]`, name) }
	set := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue(chromedp.CSS(css(name)), value)
	}
	id := demo.ResidentID("330108", time.Date(1986, 11, 5, 0, 0, 0, 0, time.UTC), 41, false)
	badID := id[:17] + map[bool]string{true: "1", false: "2"}[id[17] != '1'] // the checksum digit changed
	cw := srv.Login("caseworker1")
	countApps := func() int {
		var r struct {
			Total int `json:"total"`
		}
		cw.Must(http.StatusOK, "GET", "/api/v1/applications", nil).Decode(&r)
		return r.Total
	}

	b.run(login(srv, "caseworker1"))
	b.open("#/applications/new")
	b.run(chromedp.WaitVisible(chromedp.CSS("#application-form")))
	// Without the green channel there is no new file to open: the household is chosen from the file.
	b.run(chromedp.WaitVisible(chromedp.CSS("#app-household-finder")))
	if n := count(t, b, "#app-subject:not([hidden])"); n != 0 {
		t.Fatalf("the new-file choice is offered outside the green channel")
	}
	b.run(
		chromedp.Click(chromedp.CSS("#app-green")),
		chromedp.WaitVisible(chromedp.CSS(css("green_reason"))),
		set("green_reason", "pandemic"), set("green_note", "饭店停业三个月，无收入"),
		chromedp.WaitVisible(chromedp.CSS("#app-subject-new")),
		chromedp.Click(chromedp.CSS("#app-subject-new")),
		chromedp.WaitVisible(chromedp.CSS("#app-new-household")),
		chromedp.WaitNotVisible(chromedp.CSS("#app-household-finder")),
	)
	if n := count(t, b, "#application-submit:not([hidden])"); n != 0 {
		t.Fatalf("the form offers submission before the new file exists to hold the documents")
	}
	b.waitText("#app-docs", "保存后上传到新档案")
	b.run(
		set("household.org_id", fmt.Sprint(srv.OrgID("BJ-XX-JH-01"))), set("household.name", "陈美玲"),
		set("household.id_number", badID), set("household.gender", "female"), set("household.birth_date", "1986-11-05"),
		set("household.phone", "13912345678"), set("household.employer", "江汉路老字号面馆"),
		set("household.industry", "catering"), set("household.employment_status", "unemployed"),
		set("household.bank_card", demo.BankCard("622202", 41)), set("household.address", "滨江区西兴街道江汉路18号"),
		set("household.main_cause", "pandemic"),
		set("amount_fen", "3000"), set("purpose", "饭店停业，一家三口生活无着"),
	)
	b.shot("application-newfile-form")
	b.run(chromedp.Click(chromedp.CSS("#application-save")))
	// The server checks the ID number's checksum; its message stands beside the ID field of the new file.
	b.waitText(`#application-form .field-error[data-for="household.id_number"]`, "校验位")
	b.waitText("#application-form .form-error", "输入有误")
	b.shot("application-newfile-refused")
	for name, want := range map[string]string{
		"household.name": "陈美玲", "household.id_number": badID, "household.address": "滨江区西兴街道江汉路18号",
		"household.employer": "江汉路老字号面馆", "household.main_cause": "pandemic", "amount_fen": "3000",
		"purpose": "饭店停业，一家三口生活无着", "green_note": "饭店停业三个月，无收入", "green_reason": "pandemic",
	} {
		if v := b.value(css(name)); v != want {
			t.Fatalf("after the refusal %s is %q, want %q as typed", name, v, want)
		}
	}
	if n := countApps(); n != 0 {
		t.Fatalf("a refused form left %d applications", n)
	}

	// A member with a wrong ID number: the server names members[0].id_number; the message stands beside that
	// member's field, and the folded part of the new file's fields opens to show it.
	child := demo.ResidentID("330108", time.Date(2012, 3, 9, 0, 0, 0, 0, time.UTC), 42, true)
	// A new row is numbered when the form is sent (rows are renumbered in page order then), so it is found by place.
	member := func(k string) string { return fmt.Sprintf(`#app-new-household .member-row [name$=".%s"]`, k) }
	mset := func(k, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.CSS(member(k)), v) }
	memberID := member("id_number")
	b.run(set("household.id_number", id),
		chromedp.Click(chromedp.CSS("#app-new-household-more > summary")),
		chromedp.WaitVisible(chromedp.CSS("#app-member-add")), chromedp.Click(chromedp.CSS("#app-member-add")),
		chromedp.WaitVisible(chromedp.CSS(memberID)),
		mset("name", "陈小雨"), mset("relation", "child"),
		mset("id_number", child[:17]+map[bool]string{true: "1", false: "2"}[child[17] != '1']),
		mset("employment_status", "student"), mset("school_stage", "primary"),
		set("household.income_transfer_fen", "3600"),
		// folded again (by script: scrolled to the top of the window, the summary lies under the sticky top bar)
		evaluate(`(() => { document.querySelector('#app-new-household-more').open = false; return true; })()`),
		chromedp.Click(chromedp.CSS("#application-save")))
	b.waitText(`#application-form .field-error[data-for="household.members[0].id_number"]`, "校验位")
	if open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#app-new-household-more').open`)); err != nil || !open {
		t.Fatalf("the member's error is inside the folded part, which stayed folded (%v)", err)
	}
	b.run(chromedp.WaitVisible(chromedp.CSS(`#application-form [name="household.members[0].id_number"]`)))
	if n := count(t, b, `#application-form .field-error[data-for="household.id_number"]`); n != 0 {
		t.Fatalf("the corrected head's ID number is still marked")
	}
	if n := countApps(); n != 0 {
		t.Fatalf("a refused form left %d applications", n)
	}

	// Corrected: the draft and the file are saved together, and the page stays for the documents.
	b.run(chromedp.SetValue(chromedp.CSS(memberID), child), chromedp.Click(chromedp.CSS("#application-save")))
	b.waitText("#app-new-file-no", "KN")
	fileNo := strings.TrimSpace(b.text("#app-new-file-no"))
	b.waitText("#app-household", fileNo)
	b.waitText("#app-household", "陈美玲")
	b.waitText(".page-header h1", "修改申请 JZ")
	if n := count(t, b, "#app-new-household"); n != 0 {
		t.Fatalf("the new-file fields are still on the form after the file was opened")
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`#/applications/(\d+)/edit$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after the draft was saved the address is %s, want the draft's edit page", loc)
	}
	appID := m[1]
	var app struct {
		Status          string `json:"status"`
		HouseholdID     int64  `json:"household_id"`
		OpenedHousehold bool   `json:"opened_household"`
		MissingDocs     []string
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/applications/"+appID, nil).Decode(&app)
	if app.Status != "draft" || !app.OpenedHousehold || app.HouseholdID == 0 {
		t.Fatalf("the saved application: %+v", app)
	}
	b.waitText(`#app-docs li[data-kind="id_scan"]`, "请上传")
	b.shot("application-newfile-saved")

	// The two documents go to the new file from this page.
	dir := t.TempDir()
	for _, kind := range []string{"id_scan", "statement"} {
		path := filepath.Join(dir, kind+".png")
		if err := os.WriteFile(path, pngBytes, 0o644); err != nil {
			t.Fatal(err)
		}
		b.run(chromedp.WaitVisible(chromedp.CSS("#app-doc-"+kind+"-button")), chromedp.SetUploadFiles(chromedp.CSS("#app-doc-"+kind), []string{path}))
		b.waitText(fmt.Sprintf(`#app-docs li.doc-ok[data-kind="%s"]`, kind), "✓")
	}
	b.shot("application-newfile-documents")
	b.run(chromedp.WaitVisible(chromedp.CSS("#application-submit")), chromedp.Click(chromedp.CSS("#application-submit")),
		chromedp.WaitVisible(chromedp.CSS("#application-actions")))
	b.waitText("#app-status", "待审批")
	b.waitText("#app-green", "剩余 23小时")
	b.waitText("#app-household-link", fileNo)
	b.shot("application-newfile-submitted")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#app-household-link').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("#/households/%d", app.HouseholdID); href != want {
		t.Fatalf("the application links the file at %q, want %q", href, want)
	}
	// The file itself: submitted for its own review, with both documents.
	b.run(chromedp.Click(chromedp.CSS("#app-household-link")), chromedp.WaitVisible(chromedp.CSS("#document-table")))
	b.waitText(".page-header h1", fileNo)
	b.waitText("#household-status", "已提交")
	b.waitText("#document-table", "身份证复印件")
	b.waitText("#document-table", "本人签字承诺书")
	b.waitText("#member-table", "陈小雨")
}

// text returns the text of the element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}
