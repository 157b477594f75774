package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"bangfu/internal/demo"
)

// exported is what the page's export link answers when the browser follows it.
type exported struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Rows   string `json:"rows"`
	Head   string `json:"head"`
}

// follow fetches the href of the export link sel as the page's own session would download it.
func (b *browser) follow(sel string) exported {
	b.t.Helper()
	js := `fetch(document.querySelector('` + sel + `').href).then(async (r) => JSON.stringify({status: r.status,
		type: r.headers.get('Content-Type') || '', rows: r.headers.get('X-Export-Rows') || '',
		head: (await r.text()).split('\n')[0]}))`
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("following %s: %v", sel, err)
	}
	var e exported
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		b.t.Fatal(err)
	}
	return e
}

// TestBrowser_ListExportsCarryTheFiltersOnScreen: the household list's export buttons download the rows the
// list shows with its filter; a caseworker is offered no full-number export, an auditor is.
func TestBrowser_ListExportsCarryTheFiltersOnScreen(t *testing.T) {
	b := start(t)
	if err := demo.Households(context.Background(), b.srv.DB, b.srv.Auth); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Total int `json:"total"`
	}
	b.srv.Login("caseworker1").Must(http.StatusOK, "GET", "/api/v1/households?status=filed", nil).Decode(&list)
	if list.Total == 0 {
		t.Fatal("the demo has no filed household in caseworker1's scope")
	}

	b.run(login(b.srv, "caseworker1"))
	b.open("#/households?status=filed")
	b.run(chromedp.WaitVisible(chromedp.CSS("#household-list-export-csv")))
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#household-list-export-xlsx-full').length`)); err != nil || n != 0 {
		t.Fatalf("a caseworker is offered the full-number export (%d, %v)", n, err)
	}
	csv := b.follow("#household-list-export-csv")
	if csv.Status != http.StatusOK || !strings.HasPrefix(csv.Type, "text/csv") || csv.Rows != strconv.Itoa(list.Total) {
		t.Fatalf("CSV export = %+v, want 200 text/csv with %d rows", csv, list.Total)
	}
	if !strings.Contains(csv.Head, "身份证号") {
		t.Errorf("CSV header = %q", csv.Head)
	}
	if x := b.follow("#household-list-export-xlsx"); x.Status != http.StatusOK || !strings.Contains(x.Type, "spreadsheetml") {
		t.Errorf("XLSX export = %+v", x)
	}

	b.run(login(b.srv, "auditor1"))
	b.open("#/households?status=filed")
	b.run(chromedp.WaitVisible(chromedp.CSS("#household-list-export-xlsx-full")))
	if full := b.follow("#household-list-export-xlsx-full"); full.Status != http.StatusOK {
		t.Errorf("the auditor's full-number export = %+v", full)
	}
}
