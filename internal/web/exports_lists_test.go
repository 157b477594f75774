package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"bangfu/internal/web/webtest"
)

var (
	maskedPhone = regexp.MustCompile(`^\d{3}\*{4}\d{4}$`)
	fullPhone   = regexp.MustCompile(`^1\d{10}$`)
	maskedName  = regexp.MustCompile(`^\p{Han}\*+\p{Han}?$`)
	serial      = regexp.MustCompile(`^\d+(\.\d+)?$`)
	isoDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// sheetOf is an opened export with its header, to look columns up by their Chinese title.
type sheetOf struct {
	t    *testing.T
	f    *excelize.File
	name string
	rows [][]string
}

func openSheet(t *testing.T, body []byte, name string, header ...string) *sheetOf {
	t.Helper()
	f, rows := openXLSX(t, body)
	s := &sheetOf{t: t, f: f, name: f.GetSheetName(0), rows: rows}
	if s.name != name {
		t.Errorf("sheet %q, want %q", s.name, name)
	}
	if len(rows) == 0 || len(rows[0]) < len(header) {
		t.Fatalf("header %q, want it to start %q", rows, header)
	}
	for i, h := range header {
		if rows[0][i] != h {
			t.Fatalf("header %q, want it to start %q", rows[0], header)
		}
	}
	if panes, err := f.GetPanes(s.name); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("%s: header row is not frozen: %+v %v", name, panes, err)
	}
	return s
}

func (s *sheetOf) col(title string) int {
	for i, h := range s.rows[0] {
		if h == title {
			return i
		}
	}
	s.t.Fatalf("%s has no column %q: %q", s.name, title, s.rows[0])
	return -1
}

// values is column title's text in every data row ("" past a row's last cell).
func (s *sheetOf) values(title string) []string {
	c := s.col(title)
	out := make([]string, 0, len(s.rows)-1)
	for _, r := range s.rows[1:] {
		v := ""
		if c < len(r) {
			v = r[c]
		}
		out = append(out, v)
	}
	return out
}

func (s *sheetOf) raw(title string, row int) (raw, shown string) {
	cell, _ := excelize.CoordinatesToCellName(s.col(title)+1, row+2)
	raw, _ = s.f.GetCellValue(s.name, cell, excelize.Options{RawCellValue: true})
	shown, _ = s.f.GetCellValue(s.name, cell)
	return raw, shown
}

// money checks that column title holds numbers shown in yuan.
func (s *sheetOf) money(title string) {
	s.t.Helper()
	raw, shown := s.raw(title, 0)
	if !serial.MatchString(raw) || !strings.HasPrefix(shown, "¥") {
		s.t.Errorf("%s %s: stored %q, shown %q; want a number shown in yuan", s.name, title, raw, shown)
	}
}

// date checks that the first non-empty cell of column title is a date serial shown as a date.
func (s *sheetOf) date(title string) {
	s.t.Helper()
	for i, v := range s.values(title) {
		if v == "" {
			continue
		}
		raw, shown := s.raw(title, i)
		if !serial.MatchString(raw) || !isoDate.MatchString(shown) {
			s.t.Errorf("%s %s: stored %q, shown %q; want a date serial shown as a date", s.name, title, raw, shown)
		}
		return
	}
	s.t.Errorf("%s %s: no date in any row", s.name, title)
}

// every checks that every value of column title matches re.
func (s *sheetOf) every(title string, re *regexp.Regexp) {
	s.t.Helper()
	for i, v := range s.values(title) {
		if v != "" && !re.MatchString(v) {
			s.t.Fatalf("%s row %d %s = %q, want %s", s.name, i+2, title, v, re)
		}
	}
}

func campaignOf(t *testing.T, c *webtest.Client, kind string) int64 {
	t.Helper()
	var p struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	c.Must(http.StatusOK, "GET", "/api/v1/campaigns?kind="+kind, nil).Decode(&p)
	if len(p.Items) == 0 {
		t.Fatalf("the demo has no %s campaign", kind)
	}
	return p.Items[0].ID
}

func totalOf(t *testing.T, c *webtest.Client, path string) int {
	t.Helper()
	return int(c.Must(http.StatusOK, "GET", path, nil).JSON()["total"].(float64))
}

func lastExport(t *testing.T, s *webtest.Server) (actor, after, reason string) {
	t.Helper()
	var ev struct {
		Actor  string `db:"actor"`
		After  string `db:"changes"`
		Reason string `db:"reason"`
	}
	if err := s.DB.R.Get(&ev, "SELECT actor, changes, reason FROM audit_events WHERE action = 'export' ORDER BY seq DESC LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	return ev.Actor, strings.ReplaceAll(ev.After, " ", ""), ev.Reason
}

// TestExport_ReportsAndCampaignLists: the register, the anomaly report, and a campaign's deliveries and
// enrolments export as XLSX with their Chinese headers, the rows the list's filter selects, money in yuan,
// dates as dates, and names and numbers masked; the CSV of a list has the BOM and the same rows; full numbers
// are refused to a caseworker and a supervisor and given, audited with the filter and the row count, to an
// auditor. One demo server for all: building it is the slow part.
func TestExport_ReportsAndCampaignLists(t *testing.T) {
	s := webtest.NewDemo(t)
	finance, auditor, cw := s.Login("finance1"), s.Login("auditor1"), s.Login("caseworker1")

	t.Run("register", func(t *testing.T) {
		total := totalOf(t, finance, "/api/v1/reports/register?per_page=1&type=living")
		if total == 0 {
			t.Fatal("no living-aid payment in the demo")
		}
		sh := openSheet(t, finance.Must(http.StatusOK, "GET", "/api/v1/reports/register/export?type=living", nil).Body,
			"支出明细", "申请编号", "救助类型", "状态", "绿色通道", "金额", "发放日期")
		if len(sh.rows)-1 != total {
			t.Fatalf("register export has %d rows, the register says %d", len(sh.rows)-1, total)
		}
		sh.every("救助类型", regexp.MustCompile(`^生活救助$`)) // the filter type=living
		sh.money("金额")
		sh.date("发放日期")
		sh.every("领款人", maskedName)
		sh.every("银行卡号", regexp.MustCompile(`^\d{6}\*+\d{4}$`))
	})

	t.Run("anomalies", func(t *testing.T) {
		var rep struct {
			Total int `json:"total"`
		}
		auditor.Must(http.StatusOK, "GET", "/api/v1/reports/anomalies", nil).Decode(&rep)
		r := auditor.Must(http.StatusOK, "GET", "/api/v1/reports/anomalies/export", nil)
		sh := openSheet(t, r.Body, "异常线索", "规则", "说明", "涉及金额", "相关记录")
		if len(sh.rows)-1 != rep.Total || r.Header.Get("X-Export-Rows") != strconv.Itoa(rep.Total) {
			t.Fatalf("anomaly export has %d rows (header %s), the report %d findings", len(sh.rows)-1, r.Header.Get("X-Export-Rows"), rep.Total)
		}
		if rep.Total > 0 {
			sh.money("涉及金额")
		}
		auditor.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/anomalies/export?unmasked=1", nil)
		cw.Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/anomalies/export", nil)
	})

	t.Run("fund use", func(t *testing.T) {
		var r struct {
			Funds       []struct{ Name string } `json:"funds"`
			Lines       []struct{ Name string } `json:"budget_lines"`
			Allocations []struct{ Name string } `json:"allocations"`
		}
		finance.Must(http.StatusOK, "GET", "/api/v1/reports/fund-use", nil).Decode(&r)
		sh := openSheet(t, finance.Must(http.StatusOK, "GET", "/api/v1/reports/fund-use/export", nil).Body,
			"经费使用情况", "层级", "名称", "组织", "来款/安排/下拨")
		if n := len(r.Funds) + len(r.Lines) + len(r.Allocations); n == 0 || len(sh.rows)-1 != n {
			t.Fatalf("fund-use export has %d rows, the summary %d accounts", len(sh.rows)-1, n)
		}
		sh.money("已支付")
		sh.money("可用余额")
		finance.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/fund-use/export?unmasked=1", nil)
		cw.Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/fund-use/export", nil)
	})

	t.Run("green channel", func(t *testing.T) {
		var r struct {
			Green struct {
				Submitted int `json:"submitted"`
			} `json:"green"`
			Normal struct {
				Submitted int `json:"submitted"`
			} `json:"normal"`
		}
		sup := s.Login("supervisor1")
		sup.Must(http.StatusOK, "GET", "/api/v1/reports/green-channel", nil).Decode(&r)
		sh := openSheet(t, sup.Must(http.StatusOK, "GET", "/api/v1/reports/green-channel/export", nil).Body, "绿色通道报表")
		if got := sh.values("绿色通道"); len(got) != 13 || got[0] != strconv.Itoa(r.Green.Submitted) || sh.values("普通申请")[0] != strconv.Itoa(r.Normal.Submitted) {
			t.Fatalf("green-channel export %q, the report submitted %d / %d", sh.rows, r.Green.Submitted, r.Normal.Submitted)
		}
		if raw, shown := sh.raw("绿色通道", 9); !serial.MatchString(raw) || !strings.HasPrefix(shown, "¥") { // 批准金额
			t.Errorf("approved amount stored %q, shown %q", raw, shown)
		}
		sup.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/green-channel/export?unmasked=1", nil)
	})

	t.Run("reconciliation", func(t *testing.T) {
		var r struct {
			Differences []any `json:"differences"`
		}
		auditor.Must(http.StatusOK, "GET", "/api/v1/reports/reconciliation", nil).Decode(&r)
		sh := openSheet(t, auditor.Must(http.StatusOK, "GET", "/api/v1/reports/reconciliation/export", nil).Body, "对账", "规则", "说明")
		if len(sh.rows)-1 != 1+len(r.Differences) || sh.rows[1][0] != "合计" {
			t.Fatalf("reconciliation export %q, want the totals and %d differences", sh.rows, len(r.Differences))
		}
		sh.money("账本金额")
		s.Login("supervisor1").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/reconciliation/export", nil)
	})

	t.Run("campaign coverage", func(t *testing.T) {
		total := totalOf(t, cw, "/api/v1/reports/campaigns?per_page=1")
		sh := openSheet(t, cw.Must(http.StatusOK, "GET", "/api/v1/reports/campaigns/export", nil).Body, "活动覆盖报表", "活动", "类型", "状态")
		if total == 0 || len(sh.rows)-1 != total {
			t.Fatalf("coverage export has %d rows, the report %d campaigns", len(sh.rows)-1, total)
		}
		sh.money("已支出")
		sh.date("开始日期")
	})

	t.Run("deliveries", func(t *testing.T) {
		id := campaignOf(t, cw, "cooling")
		path := fmt.Sprintf("/api/v1/campaigns/%d/deliveries", id)
		total := totalOf(t, cw, path+"?status=confirmed")
		sh := openSheet(t, cw.Must(http.StatusOK, "GET", path+"/export?status=confirmed", nil).Body,
			"配送记录", "配送单号", "活动", "所属工会")
		if total == 0 || len(sh.rows)-1 != total {
			t.Fatalf("deliveries export has %d rows, the list %d", len(sh.rows)-1, total)
		}
		sh.every("状态", regexp.MustCompile(`^已签收$`)) // the filter status=confirmed
		sh.money("价值")
		sh.date("配送日期")
		sh.every("收货人电话", maskedPhone)
		if raw, _ := sh.raw("覆盖职工", 0); !serial.MatchString(raw) {
			t.Errorf("workers cell %q, want a number", raw)
		}
		s.Login("caseworker1").Refused(http.StatusNotFound, "not_found", "GET", "/api/v1/campaigns/99999/deliveries/export", nil)
	})

	t.Run("enrolments CSV has the BOM and the rows of the XLSX", func(t *testing.T) {
		id := campaignOf(t, cw, "health_check")
		path := fmt.Sprintf("/api/v1/campaigns/%d/enrolments/export?status=checked", id)
		sh := openSheet(t, cw.Must(http.StatusOK, "GET", path, nil).Body, "体检报名", "姓名", "身份证号", "联系电话")
		sh.every("身份证号", maskedID)
		sh.every("联系电话", maskedPhone)
		sh.date("体检日期")
		c := cw.Must(http.StatusOK, "GET", path+"&format=csv", nil)
		if !bytes.HasPrefix(c.Body, []byte("\xEF\xBB\xBF")) {
			t.Fatalf("CSV starts %q, want the UTF-8 BOM", c.Body[:min(8, len(c.Body))])
		}
		records, err := csv.NewReader(bytes.NewReader(c.Body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != len(sh.rows) || len(records) < 2 {
			t.Fatalf("CSV has %d lines, XLSX %d rows", len(records), len(sh.rows))
		}
		for i := range records {
			for col := 0; col < 6; col++ {
				if records[i][col] != sh.rows[i][col] {
					t.Fatalf("line %d column %d: CSV %q, XLSX %q", i+1, col+1, records[i][col], sh.rows[i][col])
				}
			}
		}
	})

	t.Run("full numbers only for finance and auditors, audited", func(t *testing.T) {
		id := campaignOf(t, cw, "health_check")
		path := fmt.Sprintf("/api/v1/campaigns/%d/enrolments/export", id)
		before := exportCount(t, s)
		cw.Refused(http.StatusForbidden, "forbidden", "GET", path+"?unmasked=1", nil)
		s.Login("supervisor1").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/register/export?unmasked=1", nil)
		if got := exportCount(t, s); got != before {
			t.Fatalf("a refused export wrote %d audit events", got-before)
		}

		sh := openSheet(t, auditor.Must(http.StatusOK, "GET", path+"?unmasked=1&status=checked", nil).Body, "体检报名", "姓名", "身份证号")
		sh.every("身份证号", fullID)
		sh.every("联系电话", fullPhone)
		who, after, reason := lastExport(t, s)
		for _, want := range []string{`"list":"enrolments"`, `"unmasked":true`, `"filter":"status=checked"`, `"rows":` + strconv.Itoa(len(sh.rows)-1)} {
			if !strings.Contains(after, want) {
				t.Errorf("audit event after = %s, want %s", after, want)
			}
		}
		if who != "auditor1" || !strings.Contains(reason, "不打码") {
			t.Errorf("audit event by %q: %q", who, reason)
		}

		reg := openSheet(t, finance.Must(http.StatusOK, "GET", "/api/v1/reports/register/export?unmasked=1", nil).Body, "支出明细", "申请编号")
		for i, name := range reg.values("领款人") {
			if strings.Contains(name, "*") {
				t.Fatalf("row %d: unmasked register shows payee %q", i+2, name)
			}
		}
		reg.every("银行卡号", regexp.MustCompile(`^\d{12,19}$`))
		if who, after, _ := lastExport(t, s); who != "finance1" || !strings.Contains(after, `"list":"register"`) || !strings.Contains(after, `"unmasked":true`) {
			t.Errorf("register export audited as %q %s", who, after)
		}
	})
}
