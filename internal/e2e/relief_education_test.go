package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/clock"
)

// TestBrowser_EducationFormShowsThePolicyAmountTheServerComputes: the form keeps no copy of the policy table;
// choosing the student asks the server's dry run (POST /applications/check), which answers the amount for
// the student's stage and the household's filing.
func TestBrowser_EducationFormShowsThePolicyAmountTheServerComputes(t *testing.T) {
	b := start(t)
	hh := filedHousehold(t, b.srv, time.Now().In(clock.China).Truncate(time.Second))
	b.run(login(b.srv, "caseworker1"))
	b.open(fmt.Sprintf("#/applications/new?household_id=%d", hh.ID))
	b.waitText("#app-household", hh.FileNo)
	b.run(evaluate(`(() => { const s = document.querySelector('#app-type'); s.value = 'education';
		s.dispatchEvent(new Event('change')); return true; })()`))
	b.run(chromedp.WaitVisible(chromedp.CSS("#app-student")))
	b.waitText("#app-student", "张小明")
	b.run(evaluate(`(() => { const s = document.querySelector('#app-student');
		s.value = [...s.options].find((o) => o.textContent.includes('张小明')).value;
		s.dispatchEvent(new Event('change')); return true; })()`))
	b.waitText("#app-edu-amount-value", "¥3,000.00（高中阶段·已建档）")
	b.waitText("#app-docs", "录取通知书") // the education type's documents, from the vocabulary
}
