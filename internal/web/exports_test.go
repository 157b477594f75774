package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// exportServer is a test server with the demo households in it.
func exportServer(t *testing.T) *webtest.Server {
	t.Helper()
	s := webtest.New(t)
	if err := demo.Households(context.Background(), s.DB, s.Auth); err != nil {
		t.Fatal(err)
	}
	return s
}

func exportCount(t *testing.T, s *webtest.Server) int {
	t.Helper()
	var n int
	if err := s.DB.R.Get(&n, "SELECT count(*) FROM audit_events WHERE action = 'export'"); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	maskedID = regexp.MustCompile(`^\d{6}\*{8}\d{3}[\dX]$`)
	fullID   = regexp.MustCompile(`^\d{17}[\dX]$`)
)

func openXLSX(t *testing.T, body []byte) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the export is not an XLSX file: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return f, rows
}

// TestExport_HouseholdsXLSX: a caseworker's export is the list in their scope, with a frozen Chinese header,
// masked ID numbers, money as a number in a yuan format and dates as dates; the export is audited.
func TestExport_HouseholdsXLSX(t *testing.T) {
	s := exportServer(t)
	cw := s.Login("caseworker1")
	total := int(cw.Must(http.StatusOK, "GET", "/api/v1/households?per_page=1", nil).JSON()["total"].(float64))
	if total == 0 {
		t.Fatal("the demo gave caseworker1 no households")
	}
	before := exportCount(t, s)
	r := cw.Must(http.StatusOK, "GET", "/api/v1/households/export?format=xlsx", nil)
	if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("Content-Type = %q", ct)
	}
	f, rows := openXLSX(t, r.Body)
	sheet := f.GetSheetName(0)
	if sheet != "困难职工档案" {
		t.Errorf("sheet name %q", sheet)
	}
	header := rows[0]
	if header[0] != "档案编号" || header[2] != "身份证号" || header[11] != "人均月收入" || header[12] != "建档日期" {
		t.Fatalf("header %q", header)
	}
	if len(rows)-1 != total {
		t.Fatalf("export has %d rows, the list says %d", len(rows)-1, total)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row is not frozen: %+v %v", panes, err)
	}
	if w, _ := f.GetColWidth(sheet, "C"); w < 20 {
		t.Errorf("ID column width %v", w)
	}
	var filedRow int
	for i, row := range rows[1:] {
		if !maskedID.MatchString(row[2]) {
			t.Fatalf("row %d shows ID %q, not masked", i+2, row[2])
		}
		if len(row) > 12 && row[12] != "" && filedRow == 0 {
			filedRow = i + 2
		}
	}
	// Money is a number cell styled in yuan.
	cell, _ := excelize.CoordinatesToCellName(12, 2)
	if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("per-capita income cell %s has type %v, want a number", cell, typ)
	}
	raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue(sheet, cell)
	if !strings.HasPrefix(shown, "¥") || strings.HasPrefix(raw, "¥") {
		t.Errorf("per-capita income: stored %q, shown %q; want a number shown in yuan", raw, shown)
	}
	if filedRow == 0 {
		t.Fatal("no filed household in the export")
	}
	dateCell, _ := excelize.CoordinatesToCellName(13, filedRow)
	raw, _ = f.GetCellValue(sheet, dateCell, excelize.Options{RawCellValue: true})
	shown, _ = f.GetCellValue(sheet, dateCell)
	if !regexp.MustCompile(`^\d+(\.\d+)?$`).MatchString(raw) || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(shown) {
		t.Errorf("filing date: stored %q, shown %q; want a date serial shown as a date", raw, shown)
	}
	if got := exportCount(t, s); got != before+1 {
		t.Errorf("%d export audit events, want %d", got, before+1)
	}
}

// TestExport_CSVHasBOMAndTheSameRows: the CSV opens in Excel (UTF-8 BOM) and holds the rows of the XLSX.
func TestExport_CSVHasBOMAndTheSameRows(t *testing.T) {
	s := exportServer(t)
	cw := s.Login("caseworker2")
	x := cw.Must(http.StatusOK, "GET", "/api/v1/households/export?format=xlsx&status=filed", nil)
	c := cw.Must(http.StatusOK, "GET", "/api/v1/households/export?format=csv&status=filed", nil)
	if !bytes.HasPrefix(c.Body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV starts %q, want the UTF-8 BOM", c.Body[:min(8, len(c.Body))])
	}
	records, err := csv.NewReader(bytes.NewReader(c.Body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	_, rows := openXLSX(t, x.Body)
	if len(records) != len(rows) || len(rows) < 2 {
		t.Fatalf("CSV has %d lines, XLSX %d rows", len(records), len(rows))
	}
	for i := range rows {
		for _, col := range []int{0, 1, 2, 5} { // file number, name, masked ID, status
			if records[i][col] != rows[i][col] {
				t.Fatalf("line %d column %d: CSV %q, XLSX %q", i+1, col+1, records[i][col], rows[i][col])
			}
		}
	}
	for _, rec := range records[1:] {
		if rec[5] != "已建档" {
			t.Fatalf("filter status=filed not applied: %q", rec)
		}
	}
}

// TestExport_UnmaskedOnlyForFinanceAndAuditors: a caseworker asking for full numbers gets 403 and nothing is
// audited; an auditor gets them, and the export is audited with its filter, masking and row count.
func TestExport_UnmaskedOnlyForFinanceAndAuditors(t *testing.T) {
	s := exportServer(t)
	before := exportCount(t, s)
	s.Login("caseworker1").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/households/export?unmasked=1", nil)
	s.Login("supervisor1").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/applications/export?unmasked=1", nil)
	if got := exportCount(t, s); got != before {
		t.Fatalf("a refused export wrote %d audit events", got-before)
	}

	r := s.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/households/export?unmasked=1&format=csv&category=deep", nil)
	records, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) < 2 {
		t.Fatal("the auditor's export is empty")
	}
	for _, rec := range records[1:] {
		if !fullID.MatchString(rec[2]) {
			t.Fatalf("unmasked export shows ID %q", rec[2])
		}
	}
	who, after, reason := lastExport(t, s)
	for _, want := range []string{`"unmasked":true`, `"filter":"category=deep"`, `"rows":` + strconv.Itoa(len(records)-1)} {
		if !strings.Contains(after, want) {
			t.Errorf("audit event after = %s, want %s", after, want)
		}
	}
	if who != "auditor1" || !strings.Contains(reason, "不打码") {
		t.Errorf("audit event by %q: %q", who, reason)
	}
}

// TestExport_RefusedToAdminAndBadFormat: admin reads no case data, not even as a file; an unknown format is a
// validation error.
func TestExport_RefusedToAdminAndBadFormat(t *testing.T) {
	s := webtest.New(t)
	admin := s.Login("admin")
	for _, p := range []string{"/api/v1/households/export", "/api/v1/applications/export", "/api/v1/referrals/export", "/api/v1/funds/1/transfers/export"} {
		admin.Refused(http.StatusForbidden, "forbidden", "GET", p, nil)
	}
	s.Login("caseworker1").Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/applications/export?format=pdf", nil)
	s.Login("finance1").Refused(http.StatusNotFound, "not_found", "GET", "/api/v1/funds/99999/transfers/export", nil)
}

// TestExport_OtherLists: applications, referrals and an account statement export with their headers.
func TestExport_OtherLists(t *testing.T) {
	s := exportServer(t)
	cases := []struct {
		user, path, sheet, first string
	}{
		{"caseworker1", "/api/v1/applications/export", "救助申请", "申请编号"},
		{"caseworker1", "/api/v1/referrals/export", "转介跟踪", "姓名"},
	}
	for _, c := range cases {
		f, rows := openXLSX(t, s.Login(c.user).Must(http.StatusOK, "GET", c.path, nil).Body)
		if f.GetSheetName(0) != c.sheet || rows[0][0] != c.first {
			t.Errorf("%s: sheet %q header %q", c.path, f.GetSheetName(0), rows[0])
		}
	}
	var referrals int
	if err := s.DB.R.Get(&referrals, "SELECT count(*) FROM referrals r JOIN orgs o ON o.id = r.org_id WHERE o.path LIKE (SELECT path FROM orgs WHERE code = 'BJ') || '%'"); err != nil {
		referrals = -1
	}
	_, rows := openXLSX(t, s.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/referrals/export", nil).Body)
	if referrals >= 0 && len(rows)-1 != referrals {
		t.Errorf("district auditor's referral export has %d rows, the table %d", len(rows)-1, referrals)
	}
}

// A work queue exports as it stands on screen: the applications export takes the queue as its filter.
func TestExport_AQueueExportsItsOwnRows(t *testing.T) {
	s := webtest.NewDemo(t)
	for _, c := range []struct{ user, queue string }{{"supervisor2", "approval"}, {"finance1", "finance"}} {
		cl := s.Login(c.user)
		want := totalOf(t, cl, "/api/v1/applications?per_page=1&queue="+c.queue)
		all := totalOf(t, cl, "/api/v1/applications?per_page=1")
		_, rows := openXLSX(t, cl.Must(http.StatusOK, "GET", "/api/v1/applications/export?queue="+c.queue, nil).Body)
		if len(rows)-1 != want || want == 0 || want == all {
			t.Errorf("%s's %s queue: export %d rows, the queue %d of %d applications", c.user, c.queue, len(rows)-1, want, all)
		}
	}
}

// The audit trail exports with its filter, each action named in Chinese, to its readers only; the export is
// itself audited.
func TestExport_AuditTrail(t *testing.T) {
	s := exportServer(t)
	aud := s.Login("auditor1")
	want := totalOf(t, aud, "/api/v1/audit/events?per_page=1&entity_type=household")
	f, rows := openXLSX(t, aud.Must(http.StatusOK, "GET", "/api/v1/audit/events/export?entity_type=household", nil).Body)
	if f.GetSheetName(0) != "审计日志" || rows[0][0] != "序号" || len(rows)-1 != want || want == 0 {
		t.Fatalf("sheet %q header %v: %d rows, the trail %d", f.GetSheetName(0), rows[0], len(rows)-1, want)
	}
	for _, r := range rows[1:] {
		if r[5] != "household" || r[3] == "" || r[3] == r[4] {
			t.Fatalf("row %v: not a household event, or its action unnamed", r)
		}
	}
	if got := totalOf(t, aud, "/api/v1/audit/events?per_page=1&action=export&entity_id=audit_events"); got != 1 {
		t.Errorf("%d export events of the trail after one export", got)
	}
	aud.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/audit/events/export?unmasked=1", nil)
	for _, u := range []string{"caseworker1", "finance1", "supervisor1"} {
		s.Login(u).Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/audit/events/export?unmasked=garbage", nil)
	}
}

// The funds page and the allocations page export their accounts with balances, money as yuan numbers.
func TestExport_FundsAndAllocations(t *testing.T) {
	s := webtest.NewDemo(t)
	fin := s.Login("finance1")
	for _, c := range []struct{ list, kind string }{{"funds", ""}, {"allocations", "下拨额度"}} {
		want := totalOf(t, fin, "/api/v1/"+c.list+"?per_page=1")
		f, rows := openXLSX(t, fin.Must(http.StatusOK, "GET", "/api/v1/"+c.list+"/export", nil).Body)
		if f.GetSheetName(0) != "经费账户" || rows[0][0] != "类型" || len(rows)-1 != want || want < 3 {
			t.Fatalf("%s: sheet %q header %v, %d rows of %d", c.list, f.GetSheetName(0), rows[0], len(rows)-1, want)
		}
		for i, r := range rows[1:] {
			if c.kind != "" && r[0] != c.kind {
				t.Fatalf("%s row %d is a %q", c.list, i+2, r[0])
			}
		}
		cell, _ := excelize.CoordinatesToCellName(9, 2) // 可用余额 of the first account
		raw, err := f.GetCellValue(f.GetSheetName(0), cell, excelize.Options{RawCellValue: true})
		if _, perr := strconv.ParseFloat(raw, 64); err != nil || perr != nil {
			t.Errorf("%s: 可用余额 is %q (%v), want a number", c.list, raw, err)
		}
	}
	s.Login("admin").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/funds/export?unmasked=1", nil)
	fin.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/allocations/export?unmasked=1", nil)
}

// The campaign list exports as it is filtered.
func TestExport_Campaigns(t *testing.T) {
	s := webtest.NewDemo(t)
	aud := s.Login("auditor1")
	want := totalOf(t, aud, "/api/v1/campaigns?per_page=1&kind=cooling")
	f, rows := openXLSX(t, aud.Must(http.StatusOK, "GET", "/api/v1/campaigns/export?kind=cooling", nil).Body)
	if f.GetSheetName(0) != "帮扶活动" || len(rows)-1 != want || want == 0 || rows[1][1] != "送清凉" {
		t.Fatalf("sheet %q: %d rows of %d, first %v", f.GetSheetName(0), len(rows)-1, want, rows[1:])
	}
	s.Login("admin").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/campaigns/export", nil)
}

// A warmth campaign's list exports masked, as it is filtered.
func TestExport_WarmthList(t *testing.T) {
	s := webtest.NewDemo(t)
	sup := s.Login("supervisor2")
	id := campaignOf(t, sup, "warmth")
	path := fmt.Sprintf("/api/v1/campaigns/%d/warmth", id)
	want := totalOf(t, sup, path+"?per_page=1")
	f, rows := openXLSX(t, sup.Must(http.StatusOK, "GET", path+"/export", nil).Body)
	if f.GetSheetName(0) != "送温暖名单" || len(rows)-1 != want || want == 0 {
		t.Fatalf("sheet %q: %d rows of %d", f.GetSheetName(0), len(rows)-1, want)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(r[1], "*") {
			t.Fatalf("name not masked: %v", r)
		}
	}
	sup.Refused(http.StatusBadRequest, "validation", "GET", path+"/export?unmasked=1", nil)
}

// The admin's user list exports with its filter, roles named in Chinese; no one else may export it.
func TestExport_Users(t *testing.T) {
	s := exportServer(t)
	adm := s.Login("admin")
	want := totalOf(t, adm, "/api/v1/users?per_page=1&role=supervisor")
	f, rows := openXLSX(t, adm.Must(http.StatusOK, "GET", "/api/v1/users/export?role=supervisor", nil).Body)
	if f.GetSheetName(0) != "用户" || len(rows)-1 != want || want < 2 {
		t.Fatalf("sheet %q: %d rows of %d", f.GetSheetName(0), len(rows)-1, want)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(r[3], "审批人") {
			t.Fatalf("a supervisor's row without the role's name: %v", r)
		}
	}
	s.Login("auditor1").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/users/export", nil)
}

// The policy versions and the holidays, the admin's two settings lists, export whole.
func TestExport_PoliciesAndHolidays(t *testing.T) {
	s := exportServer(t)
	adm := s.Login("admin")
	for _, day := range []string{"2026-10-01", "2026-10-02"} {
		adm.Must(http.StatusOK, "PUT", "/api/v1/holidays/"+day, map[string]string{"name": "国庆节"})
	}
	for _, c := range []struct{ path, sheet string }{{"/api/v1/policies", "政策参数"}, {"/api/v1/holidays", "节假日"}} {
		want := totalOf(t, adm, c.path)
		f, rows := openXLSX(t, adm.Must(http.StatusOK, "GET", c.path+"/export", nil).Body)
		if f.GetSheetName(0) != c.sheet || len(rows)-1 != want || want == 0 {
			t.Errorf("%s: sheet %q, %d rows of %d", c.path, f.GetSheetName(0), len(rows)-1, want)
		}
	}
	adm.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/policies/export?unmasked=1", nil)
}

// The dashboard exports its figures as shown: the open files and each status add up, money only for the
// roles that see it, and admin, who has no dashboard, may not.
func TestExport_Dashboard(t *testing.T) {
	s := webtest.NewDemo(t)
	for _, c := range []struct {
		user  string
		money bool
	}{{"auditor1", true}, {"caseworker1", false}} {
		cl := s.Login(c.user)
		var d struct {
			Households struct {
				Open int `json:"open"`
			} `json:"households"`
		}
		cl.Must(http.StatusOK, "GET", "/api/v1/reports/dashboard", nil).Decode(&d)
		f, rows := openXLSX(t, cl.Must(http.StatusOK, "GET", "/api/v1/reports/dashboard/export", nil).Body)
		if f.GetSheetName(0) != "首页统计" || rows[1][1] != "在档合计" || rows[1][2] != strconv.Itoa(d.Households.Open) || d.Households.Open == 0 {
			t.Fatalf("%s: sheet %q, first row %v, the dashboard's open files %d", c.user, f.GetSheetName(0), rows[1], d.Households.Open)
		}
		byStatus, money := 0, false
		for _, r := range rows[1:] {
			if r[0] == "档案·按状态" {
				n, _ := strconv.Atoi(r[2])
				byStatus += n
			}
			money = money || strings.HasPrefix(r[0], "经费")
		}
		if byStatus != d.Households.Open || money != c.money {
			t.Errorf("%s: statuses add up to %d of %d; money rows %v, want %v", c.user, byStatus, d.Households.Open, money, c.money)
		}
	}
	s.Login("admin").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/dashboard/export", nil)
}
