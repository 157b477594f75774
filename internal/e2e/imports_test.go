package e2e

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"bangfu/internal/demo"
)

// fillTemplate writes rows into the template below its example rows and saves it as name.
func fillTemplate(t *testing.T, template []byte, dir, name string, rows []map[string]string) string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(template))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	all, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]int{}
	for i, h := range all[0] {
		cols[strings.TrimPrefix(h, "*")] = i + 1
	}
	for i, r := range rows {
		for label, v := range r {
			c, ok := cols[label]
			if !ok {
				t.Fatalf("the template has no column %s", label)
			}
			cell, _ := excelize.CoordinatesToCellName(c, len(all)+1+i)
			x.SetCellStr(sheet, cell, v)
		}
	}
	path := filepath.Join(dir, name)
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func surveyPerson(name, id, relation, headID string) map[string]string {
	r := map[string]string{"姓名": name, "身份证号": id, "与户主关系": relation}
	if headID != "" {
		r["户主身份证号"] = headID
	} else {
		r["所属工会"], r["家庭住址"], r["困难原因"], r["月收入"] = "江南建设工程有限公司工会", "滨江区西兴街道江汉路 8 号", "因病", "1200"
		r["联系电话"], r["银行卡号"] = "13900001111", demo.BankCard("622202", int(id[16]-'0')+len(name))
	}
	return r
}

// TestBrowser_ImportTheTemplateFixTheBadRowAndFindTheHouseholds: a caseworker downloads the template, fills
// in three rows of which one is bad, sees that row's error beside its row number, fixes the file, imports it
// for real, and finds the households in the list (SPEC §8.3).
func TestBrowser_ImportTheTemplateFixTheBadRowAndFindTheHouseholds(t *testing.T) {
	b := start(t)
	cw := b.srv.Login("caseworker1")
	tpl := cw.Must(http.StatusOK, "GET", "/api/v1/imports/template", nil).Body

	born := func(y int) time.Time { return time.Date(y, 4, 12, 0, 0, 0, 0, time.UTC) }
	head1, wife := demo.ResidentID("330108", born(1979), 51, true), demo.ResidentID("330108", born(1981), 52, false)
	head2 := demo.ResidentID("330108", born(1985), 53, true)
	bad := head2[:17] + map[bool]string{true: "0", false: "1"}[head2[17] != '0']
	dir := t.TempDir()
	rows := func(second string) []map[string]string {
		return []map[string]string{
			surveyPerson("孙志刚", head1, "本人", ""),
			surveyPerson("周红", wife, "配偶", head1),
			surveyPerson("吴建新", second, "本人", ""),
		}
	}
	// The template's header row, then its example head and member: the filled rows are rows 4 to 6.
	badFile := fillTemplate(t, tpl, dir, "摸底-有误.xlsx", rows(bad))
	goodFile := fillTemplate(t, tpl, dir, "摸底.xlsx", rows(head2))

	b.run(login(b.srv, "caseworker1"))
	b.open("#/imports")
	b.run(chromedp.WaitVisible(chromedp.CSS("#import-file-button")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{badFile}))
	b.waitText("#import-file-name", "摸底-有误.xlsx")
	b.run(chromedp.Click(chromedp.CSS("#import-dry")))
	b.waitText(`#import-problems tr[data-row="6"]`, "第 6 行")
	b.waitText(`#import-problems tr[data-row="6"]`, "身份证号")
	b.waitText("#import-summary", "其中 1 行有误")
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#import-problems tbody tr').length`)); err != nil || n != 1 {
		t.Fatalf("%d problem rows (%v), want 1", n, err)
	}
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#import-run').length`)); err != nil || n != 0 {
		t.Fatalf("a dry run with errors offers the real run (%d, %v)", n, err)
	}
	b.shot("imports-refused")
	if rep := b.follow("#import-report-link"); rep.Status != http.StatusOK || !strings.Contains(rep.Type, "spreadsheetml") {
		t.Errorf("report download: %+v", rep)
	}

	b.run(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{goodFile}))
	b.waitText("#import-file-name", "摸底.xlsx")
	b.run(chromedp.Click(chromedp.CSS("#import-dry")))
	b.waitText("#import-summary", "试导入通过")
	b.waitText(`#import-outcomes tr[data-row="4"]`, "新建")
	b.run(chromedp.Click(chromedp.CSS("#import-run")))
	b.waitText("#import-summary", "已导入")
	b.waitText("#import-status", "导入完成")
	b.waitText(`#import-outcomes tr[data-row="6"]`, "吴建新")
	b.waitText("#import-history-table", "摸底.xlsx") // the run is in the history at once

	b.shot("imports-done")
	b.run(chromedp.Click(chromedp.CSS("#import-households")))
	b.waitText("#household-list", "孙志刚")
	b.waitText("#household-list", "吴建新")
	var n int
	if err := b.srv.DB.R.Get(&n, "SELECT count(*) FROM households WHERE status = 'draft'"); err != nil || n != 2 {
		t.Fatalf("%d draft households (%v), want 2", n, err)
	}
}
