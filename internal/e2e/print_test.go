package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"bangfu/internal/web/webtest"
)

// pdfText is the text of a PDF file as poppler's pdftotext reads it, one string per page. pdftotext is a
// separate program (poppler-utils, installed by .ci/run beside Chromium) rather than a Go library: Chromium
// writes CJK text as CID fonts with ToUnicode maps, which pdftotext reads exactly, and no well-kept pure-Go
// PDF text extractor is among our dependencies. Without it the test skips, or with BANGFU_E2E=1 fails.
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("BANGFU_E2E") == "1" {
			t.Fatal("BANGFU_E2E=1 but pdftotext is missing: apt-get install -y poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install -y poppler-utils); set BANGFU_E2E=1 to make this a failure")
	}
	path := filepath.Join(t.TempDir(), "print.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f") // a form feed ends each page
}

// printPDF prints the page in view as the browser's print dialog would on A4, print CSS applied.
func (b *browser) printPDF() []byte {
	b.t.Helper()
	pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		b.t.Fatalf("printing to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		b.t.Fatalf("the print is not a PDF: %q", pdf[:min(16, len(pdf))])
	}
	return pdf
}

// TestBrowser_PublicityListPrintsMasked: a caseworker opens the publicity rounds, prints a round's list, and
// the PDF shows the union, the objection deadline and every worker by masked name and ID, and neither a full
// name, nor a full ID number, nor the navigation.
func TestBrowser_PublicityListPrintsMasked(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	api := b.srv.Login("caseworker1")
	var rounds struct {
		Items []struct {
			Start string `json:"start"`
			End   string `json:"end"`
		} `json:"items"`
	}
	api.Must(http.StatusOK, "GET", "/api/v1/households/publicity-rounds", nil).Decode(&rounds)
	if len(rounds.Items) == 0 {
		t.Fatal("no publicity round in caseworker1's scope")
	}
	round := rounds.Items[0]
	var list struct {
		Union string `json:"union"`
		Items []struct {
			FileNo string `json:"file_no"`
			Name   string `json:"name"`
			ID     string `json:"id_number"`
		} `json:"items"`
	}
	api.Must(http.StatusOK, "GET", "/api/v1/households/publicity-rounds/"+round.Start, nil).Decode(&list)

	b.run(login(b.srv, "caseworker1"))
	b.open("#/publicity")
	b.run(chromedp.WaitVisible(chromedp.CSS(`#publicity-rounds tr[data-start="` + round.Start + `"] .publicity-print`)))
	b.run(chromedp.Click(chromedp.CSS(`#publicity-rounds tr[data-start="` + round.Start + `"] .publicity-print`)))
	b.waitText("#publicity-deadline", round.End)
	text := strings.Join(pdfText(t, b.printPDF()), "\n")

	for _, want := range []string{list.Union, "困难职工建档公示名单", round.End, "打印日期"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed list lacks %q:\n%s", want, text)
		}
	}
	for _, nav := range []string{"档案查询", "退出"} {
		if strings.Contains(text, nav) {
			t.Errorf("the printed list shows the navigation (%q)", nav)
		}
	}
	for _, e := range list.Items {
		var full struct {
			Name string `db:"head_name"`
			ID   string `db:"id_number"`
		}
		if err := b.srv.DB.R.Get(&full, "SELECT head_name, id_number FROM households WHERE file_no = ?", e.FileNo); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, e.Name) || !strings.Contains(text, e.ID) {
			t.Errorf("%s: the PDF lacks the masked %q %q", e.FileNo, e.Name, e.ID)
		}
		if strings.Contains(text, full.ID) || (len([]rune(full.Name)) > 1 && strings.Contains(text, full.Name)) {
			t.Errorf("%s: the PDF shows the full name or ID number (%s %s)", e.FileNo, full.Name, full.ID)
		}
	}
}

// TestBrowser_ApprovalFormsPrintOneToAPage: two applications ticked on the list open one print of their approval
// forms, in the list's order; each form is its own page with the decisions' deciders and the signature lines, names masked.
func TestBrowser_ApprovalFormsPrintOneToAPage(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	var apps struct {
		Items []struct {
			ID    int64  `json:"id"`
			AppNo string `json:"app_no"`
			Name  string `json:"applicant_name"`
		} `json:"items"`
	}
	b.srv.Login("supervisor1").Must(http.StatusOK, "GET", "/api/v1/applications?status=disbursed&per_page=2", nil).Decode(&apps)
	if len(apps.Items) < 2 {
		t.Fatal("fewer than two disbursed applications for supervisor1")
	}
	b.run(login(b.srv, "supervisor1"))
	b.open("#/applications?status=disbursed&per_page=20")
	for _, a := range apps.Items {
		b.run(chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#print-select-%d", a.ID))), chromedp.Click(chromedp.CSS(fmt.Sprintf("#print-select-%d", a.ID))))
	}
	b.waitText("#print-forms", "打印审批表（2）")
	b.run(chromedp.Click(chromedp.CSS("#print-forms")))
	b.waitText("#forms-count", "共 2 份")
	pages := pdfText(t, b.printPDF())
	if len(pages) != 2 {
		t.Fatalf("the two forms print on %d pages, want one each:\n%s", len(pages), strings.Join(pages, "\n-----\n"))
	}
	for i, a := range apps.Items {
		p := pages[i]
		for _, want := range []string{"困难职工救助审批表", a.AppNo, "审批记录", "审批人签字", "打印日期"} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q:\n%s", i+1, want, p)
			}
		}
		if strings.Contains(p, a.Name) {
			t.Errorf("page %d shows the applicant's full name %q", i+1, a.Name)
		}
	}
}

// TestBrowser_ReportAndCampaignPagesExport: the register, the anomaly report, the fund-use summary, the
// reconciliation, the green-channel report and a campaign's delivery and enrolment lists offer their exports
// with the filters on screen; the auditor is offered the full-number export of the register, and the report
// pages have a print button.
func TestBrowser_ReportAndCampaignPagesExport(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	b.run(login(b.srv, "auditor1"))

	b.open("#/finaudit/register?type=living")
	b.run(chromedp.WaitVisible(chromedp.CSS("#register-export-xlsx-full")))
	if e := b.follow("#register-export-csv"); e.Status != http.StatusOK || !strings.Contains(e.Head, "申请编号") {
		t.Errorf("register CSV export = %+v", e)
	}
	if href, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#register-export-csv').href`)); !strings.Contains(href, "type=living") {
		t.Errorf("the register export %q does not carry the filter on screen", href)
	}

	b.open("#/finaudit/anomalies")
	b.waitText("#anomalies-summary", "发现线索")
	if e := b.follow("#anomalies-export-xlsx"); e.Status != http.StatusOK || !strings.Contains(e.Type, "spreadsheetml") {
		t.Errorf("anomaly export = %+v", e)
	}
	b.run(chromedp.WaitVisible(chromedp.CSS("#print-now")))

	b.open("#/reports/green-channel")
	b.run(chromedp.WaitVisible(chromedp.CSS("#green-report-export-csv")))
	if e := b.follow("#green-report-export-csv"); e.Status != http.StatusOK || !strings.HasPrefix(e.Type, "text/csv") {
		t.Errorf("green-channel export = %+v", e)
	}

	b.open("#/finaudit/reconciliation")
	b.run(chromedp.WaitVisible(chromedp.CSS("#reconciliation-result")))
	if e := b.follow("#reconciliation-export-xlsx"); e.Status != http.StatusOK || !strings.Contains(e.Type, "spreadsheetml") {
		t.Errorf("reconciliation export = %+v", e)
	}

	b.open("#/reports/campaigns")
	b.run(chromedp.WaitVisible(chromedp.CSS("#campaign-report-export-csv")))
	if e := b.follow("#campaign-report-export-csv"); e.Status != http.StatusOK || !strings.HasPrefix(e.Type, "text/csv") {
		t.Errorf("campaign coverage export = %+v", e)
	}

	b.open("#/finaudit/fund-use")
	b.run(chromedp.WaitVisible(chromedp.CSS("#fund-use-export-xlsx")))
	if e := b.follow("#fund-use-export-xlsx"); e.Status != http.StatusOK || !strings.Contains(e.Type, "spreadsheetml") {
		t.Errorf("fund-use export = %+v", e)
	}

	var cs struct {
		Items []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	b.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/campaigns?per_page=50", nil).Decode(&cs)
	for _, c := range cs.Items {
		pick := map[string][2]string{"cooling": {"deliveries", "delivery-list"}, "health_check": {"enrolments", "enrolment-list"}}[c.Kind]
		tab, list := pick[0], pick[1]
		if tab == "" {
			continue
		}
		b.open(fmt.Sprintf("#/campaigns/%d?tab=%s", c.ID, tab))
		b.run(chromedp.WaitVisible(chromedp.CSS("#" + list + "-export-csv")))
		if e := b.follow("#" + list + "-export-csv"); e.Status != http.StatusOK || !strings.HasPrefix(e.Type, "text/csv") {
			t.Errorf("campaign %d %s export = %+v", c.ID, tab, e)
		}
	}
}
