package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/demo"
)

// TestBrowser_HouseholdFormKeepsWhatWasTypedWhenRefused: SPEC §3.1 and §9.3 — a caseworker fills the stepwise form
// across its steps, and the server refuses an ID number whose check digit is wrong, then a second spouse. Each time the form
// goes to the step of the error, the Chinese message stands beside its field, and everything typed is still there. Corrected, the draft saves; the detail page shows the category, the masked ID and the creation in its
// history, and the printable file shows the file number with the ID masked.
func TestBrowser_HouseholdFormKeepsWhatWasTypedWhenRefused(t *testing.T) {
	b := start(t)
	srv := b.srv
	head := demo.ResidentID("330108", time.Date(1979, 4, 12, 0, 0, 0, 0, time.UTC), 51, true)
	badHead := head[:17] + map[bool]string{true: "1", false: "2"}[head[17] != '1'] // the check digit changed
	spouse := demo.ResidentID("330108", time.Date(1981, 8, 3, 0, 0, 0, 0, time.UTC), 52, false)
	other := demo.ResidentID("330108", time.Date(1983, 2, 7, 0, 0, 0, 0, time.UTC), 53, false)
	css := func(name string) string { return fmt.Sprintf(`#household-form [name="%s"]`, name) }
	typeIn := func(name, v string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys(chromedp.CSS(css(name)), v)
	}
	clearIn := func(name string) chromedp.Action[chromedp.Void] {
		return evaluate(fmt.Sprintf(`(document.querySelector(%q).value = '', true)`, css(name)))
	}
	visible := func(name string) bool {
		t.Helper()
		n := count(t, b, fmt.Sprintf(`#household-form .step-pane:not([hidden]) [name="%s"]`, name))
		return n == 1
	}

	b.run(login(srv, "caseworker1"))
	b.open("#/households/new")
	b.run(chromedp.WaitVisible(chromedp.CSS("#household-form")))
	// Step 1, the head of household: typed the way a user types.
	b.run(
		set("org_id", fmt.Sprint(srv.OrgID("BJ-XX-JH-01"))),
		typeIn("name", "王志刚"), typeIn("id_number", badHead), typeIn("phone", "13987654321"),
		set("industry", "catering"), set("employment_status", "unemployed"),
		typeIn("bank_card", demo.BankCard("622202", 51)), typeIn("address", "滨江区长河街道江虹路66号"),
	)
	// Typing the ID number fills the birth date and gender in from it.
	if got := b.value(css("birth_date")); got != "1979-04-12" {
		t.Fatalf("the birth date was not filled in from the ID number: %q", got)
	}
	if got := b.value(css("gender")); got != "male" {
		t.Fatalf("the gender was not filled in from the ID number: %q", got)
	}
	// Step 2, two members, both typed as the spouse.
	b.run(chromedp.Click(chromedp.CSS("#step-next")), chromedp.WaitVisible(chromedp.CSS("#member-add")),
		chromedp.Click(chromedp.CSS("#member-add")), chromedp.Click(chromedp.CSS("#member-add")),
		chromedp.WaitVisible(chromedp.CSS(".member-row:nth-child(2)")))
	member := func(row int, key string) string {
		return fmt.Sprintf(`.member-row:nth-child(%d) [name$=".%s"]`, row, key)
	}
	b.run(
		chromedp.SendKeys(chromedp.CSS(member(1, "name")), "刘桂芳"),
		chromedp.SetValue(chromedp.CSS(member(1, "relation")), "spouse"),
		chromedp.SendKeys(chromedp.CSS(member(1, "id_number")), spouse),
		chromedp.SetValue(chromedp.CSS(member(1, "employment_status")), "unemployed"),
		chromedp.SetValue(chromedp.CSS(member(1, "health")), "serious"),
		chromedp.SendKeys(chromedp.CSS(member(2, "name")), "刘桂兰"),
		chromedp.SetValue(chromedp.CSS(member(2, "relation")), "spouse"),
		chromedp.SendKeys(chromedp.CSS(member(2, "id_number")), other),
		chromedp.SetValue(chromedp.CSS(member(2, "employment_status")), "unemployed"),
	)
	// Step 3, finances; step 4, causes.
	b.run(chromedp.Click(chromedp.CSS("#step-next")), chromedp.WaitVisible(chromedp.CSS(css("income_wages_fen"))),
		clearIn("income_wages_fen"), typeIn("income_wages_fen", "24000"),
		clearIn("expense_medical_fen"), typeIn("expense_medical_fen", "6000"),
		chromedp.Click(chromedp.CSS("#step-next")), chromedp.WaitVisible(chromedp.CSS(css("main_cause"))),
		set("main_cause", "illness"),
		chromedp.Click(chromedp.CSS("#household-save")))

	// Refused: back on the head's step with the message beside the ID number.
	b.waitText(`#household-form .field-error[data-for="id_number"]`, "身份证号校验位错误")
	besideField(t, b, "#household-form", "id_number")
	if !visible("id_number") {
		t.Fatal("the form did not go back to the step with the refused ID number")
	}
	for name, want := range map[string]string{
		"name": "王志刚", "id_number": badHead, "phone": "13987654321", "address": "滨江区长河街道江虹路66号",
		"members[0].name": "刘桂芳", "members[0].id_number": spouse, "members[1].name": "刘桂兰",
		"income_wages_fen": "24000", "expense_medical_fen": "6000", "main_cause": "illness",
	} {
		if got := b.value(css(name)); strings.TrimSuffix(got, ".00") != want {
			t.Errorf("after the refusal %s holds %q, want %q", name, got, want)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// The right check digit: now the second spouse is refused, on the members' step, and the form stays as typed.
	b.run(chromedp.SetValue(chromedp.CSS(css("id_number")), head), chromedp.Click(chromedp.CSS("#household-save")))
	b.waitText(`#household-form .field-error[data-for="members[1].relation"]`, "配偶最多只能有一人")
	besideField(t, b, "#household-form", "members[1].relation")
	if !visible("members[1].relation") {
		t.Fatal("the form did not go to the members' step for the second spouse")
	}
	if n := count(t, b, `#household-form .field-error[data-for="id_number"]`); n != 0 {
		t.Fatal("the corrected ID number is still marked refused")
	}
	if got := b.value(css("members[1].name")); got != "刘桂兰" {
		t.Fatalf("after the second refusal the member's name is %q", got)
	}

	// Corrected: the second member is a child.
	b.run(
		chromedp.SetValue(chromedp.CSS(css("members[1].relation")), "child"),
		chromedp.SetValue(chromedp.CSS(css("members[1].id_number")), demo.ResidentID("330108", time.Date(2009, 9, 1, 0, 0, 0, 0, time.UTC), 54, true)),
		chromedp.SetValue(chromedp.CSS(css("members[1].name")), "王小军"),
		chromedp.SetValue(chromedp.CSS(css("members[1].employment_status")), "student"),
		chromedp.SetValue(chromedp.CSS(css("members[1].school_stage")), "senior_high"),
		chromedp.Click(chromedp.CSS("#household-save")),
		chromedp.WaitVisible(chromedp.CSS("#household-history")))
	masked := head[:6] + "********" + head[14:]
	b.waitText("#household-category", "深度困难")
	b.waitText("#household-id-number", masked)
	b.waitText("#household-status", "草稿")
	b.waitText("#member-table", "王小军")
	b.waitText("#household-history", "困难职工档案·新建")
	header, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(".page-header h1")))
	if err != nil {
		t.Fatal(err)
	}
	fileNo := strings.TrimSpace(strings.TrimPrefix(header, "档案"))
	if fileNo == "" {
		t.Fatalf("the detail page's header shows no file number: %q", header)
	}

	// The printable file: the file number, the ID masked, the full number nowhere.
	b.run(chromedp.Click(chromedp.CSS("#household-print")), chromedp.WaitVisible(chromedp.CSS("#print-now")))
	b.waitText("#main", "档案编号："+fileNo)
	b.waitText("#main", masked)
	page, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("#main")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page, head) || strings.Contains(page, spouse) {
		t.Fatalf("the printable file shows a full ID number:\n%s", page)
	}
	if regexp.MustCompile(`王志刚|刘桂芳`).MatchString(page) {
		t.Fatalf("the printable file shows a full name:\n%s", page)
	}
}
