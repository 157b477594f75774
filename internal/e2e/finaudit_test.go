package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/web/webtest"
)

// SPEC §8.2 and §7 in the browser, over the demo: the auditor opens the anomaly report, drills into the
// split-payment finding and follows it to the applications involved; finance takes a checkpoint and sees it
// listed with its text and QR code.
func TestBrowser_AuditorDrillsIntoASplitPaymentAndFinanceTakesACheckpoint(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	b.run(login(b.srv, "auditor1"))
	b.open("#/finaudit/anomalies")
	b.waitText("#anomalies-summary", "发现线索")
	b.run(chromedp.Click(chromedp.CSS(`.anomaly-drill[data-rule="split_payments"]`)))
	b.waitText("#anomaly-split_payments", "同一困难户 30 天内 2 笔医疗救助")
	hash, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.hash`)) // the drill-down is a shareable address
	if err != nil || !strings.Contains(hash, "rule=split_payments") {
		t.Errorf("drill-down address %q does not carry the rule", hash)
	}
	if n := count(t, b, "#anomaly-split_payments .finding-ref"); n != 2 {
		t.Fatalf("the split-payment finding links %d records, want its 2 applications", n)
	}
	appNo := b.text("#anomaly-split_payments .finding-ref")
	b.run(chromedp.Click(chromedp.CSS("#anomaly-split_payments .finding-ref")))
	b.waitText("main", appNo)
	b.waitText("main", "医疗救助")

	// The register lists the campaigns' purchases beside the relief payments, each linked to its campaign.
	b.open("#/finaudit/register?type=cooling")
	b.waitText("#register-totals", "送清凉")
	b.run(chromedp.Click(chromedp.CSS(`#register .finding-ref[data-type="campaign"]`)))
	b.waitText("#campaign-figures", "") // the campaign's own page

	b.run(switchUser("finance1"))
	b.open("#/finaudit/checkpoints")
	b.waitText("#checkpoints", "尚未生成检查点")
	b.run(chromedp.Click(chromedp.CSS("#checkpoint-take")))
	b.waitText("#checkpoints .checkpoint-text", "BANGFU-CHECKPOINT v1")
	b.waitText("#checkpoints", "由 finance1 签署")
	var width int
	for deadline := time.Now().Add(10 * time.Second); width == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		width, _ = chromedp.Run(b.ctx, chromedp.Evaluate[int](`(() => { const i = document.querySelector('#checkpoints img'); return i && i.complete ? i.naturalWidth : 0; })()`))
	}
	if width < 200 {
		t.Errorf("the checkpoint's QR code is %d px wide", width)
	}
}
