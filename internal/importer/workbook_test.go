package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// saveWorkbook writes wb to the fixture's folder and opens it again as a reader would.
func (f *fixture) saveWorkbook(wb *Workbook, name string) (*excelize.File, string) {
	f.t.Helper()
	var b bytes.Buffer
	if _, err := wb.WriteTo(&b); err != nil {
		f.t.Fatal(err)
	}
	wb.Close()
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		f.t.Fatal(err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { x.Close() })
	return x, path
}

func TestTemplate_HasEveryColumnTheExampleAndDropDownsOfTheCodedColumns(t *testing.T) {
	f := newFixture(t)
	wb, err := f.svc.Template(context.Background(), f.as("caseworker1"))
	if err != nil {
		t.Fatal(err)
	}
	x, path := f.saveWorkbook(wb, "模板.xlsx")
	rows, err := x.GetRows(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 || rows[0][0] != "*姓名" || rows[1][0] != exampleName || rows[2][0] != "李秀英" {
		t.Fatalf("template rows: %v", rows[:min(3, len(rows))])
	}
	for _, c := range columns {
		if !slices.ContainsFunc(rows[0], func(h string) bool { return normHeader(h) == c.label }) {
			t.Errorf("template lacks the column %s", c.label)
		}
	}
	dvs, err := x.GetDataValidations(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Formula1)
	}
	joined := strings.Join(lists, "|")
	for _, want := range []string{"本人", "配偶", "因病", "零就业家庭", "慢性病", "重度残疾", unionsSheet} {
		if !strings.Contains(joined, want) {
			t.Errorf("no drop-down offers %s: %v", want, lists)
		}
	}
	// 所属工会 lists the caseworker's grassroots unions only.
	unions, _ := x.GetRows(unionsSheet)
	var names []string
	for _, r := range unions {
		names = append(names, r[0])
	}
	if !slices.Contains(names, union1) || slices.Contains(names, foreignUnion) {
		t.Errorf("union list %v: want %s and not %s", names, union1, foreignUnion)
	}
	// The template as downloaded imports nothing and refuses nothing: its example rows are skipped.
	r, err := f.run(f.as("caseworker1"), path, true)
	if err != nil || len(r.Problems) != 0 || r.Rows != 0 {
		t.Fatalf("the empty template: %v %v rows %d", err, texts(r), r.Rows)
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "示例行") }) {
		t.Errorf("notes %v: want the example rows named", r.Notes)
	}
	if _, err := f.svc.Template(context.Background(), f.as("finance1")); err == nil {
		t.Error("finance got the template")
	}
}

// The template filled in below its example rows imports as it is.
func TestTemplate_FilledInImports(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	wb, err := f.svc.Template(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := f.saveWorkbook(wb, "模板.xlsx")
	hdr, _ := x.GetRows(templateSheet)
	col := func(label string) string {
		for i, h := range hdr[0] {
			if normHeader(h) == label {
				n, _ := excelize.ColumnNumberToName(i + 1)
				return n
			}
		}
		t.Fatalf("no column %s", label)
		return ""
	}
	rows := sample()[1:]
	for i, r := range rows {
		for j, v := range r {
			if v != "" {
				x.SetCellStr(templateSheet, col(normHeader(header[j]))+fmt.Sprint(4+i), v)
			}
		}
	}
	filled := filepath.Join(f.dir, "已填写.xlsx")
	if err := x.SaveAs(filled); err != nil {
		t.Fatal(err)
	}
	r, err := f.run(a, filled, false)
	if err != nil || r.Create != 3 || r.Rows != 6 {
		t.Fatalf("filled template: %v %v %+v", err, texts(r), r.Summary)
	}
}

func TestReport_HighlightsTheBadCellsOfTheUploadedRows(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	rows := sample()
	rows[4][1] = rows[4][1][:17] + map[bool]string{true: "0", false: "1"}[rows[4][1][17] != '0'] // row 5: check digit
	rows[5][10] = "运气不好"                                                                         // row 6: cause
	jobs := &Jobs{Service: f.svc, Dir: f.dir}
	file, _ := os.Open(f.xlsx("survey.xlsx", rows))
	defer file.Close()
	job, err := jobs.Start(context.Background(), a, file, Options{FileName: "survey.xlsx", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if job, err = jobs.Wait(context.Background(), a, job.ID, 10*time.Second); err != nil || job.State != Done || len(job.Report.Problems) != 2 {
		t.Fatalf("job %+v %v", job, err)
	}
	if _, err := jobs.Report(context.Background(), f.as("caseworker2"), job.ID); err == nil {
		t.Fatal("another user got the report")
	}
	wb, err := jobs.Report(context.Background(), a, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := f.saveWorkbook(wb, "report.xlsx")
	sheets := x.GetSheetList()
	if len(sheets) != 2 || sheets[0] != "导入报告" {
		t.Fatalf("sheets %v", sheets)
	}
	report, _ := x.GetRows("导入报告")
	var lines []string
	for _, r := range report {
		lines = append(lines, strings.Join(r, " "))
	}
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "5 B5 身份证号") || !strings.Contains(all, "6 K6 困难原因 运气不好") || strings.Contains(all, rows[4][1]) {
		t.Errorf("report sheet:\n%s", all)
	}
	fill := func(cell string) string {
		id, err := x.GetCellStyle(sheets[1], cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(id)
		if err != nil || len(st.Fill.Color) == 0 {
			return ""
		}
		return st.Fill.Color[0]
	}
	if fill("B5") != "FFC7CE" || fill("K6") != "FFC7CE" || fill("B4") != "" || fill("A5") != "" {
		t.Errorf("fills: B5 %q K6 %q B4 %q A5 %q", fill("B5"), fill("K6"), fill("B4"), fill("A5"))
	}
	// The rows are the file's, numbered as the report numbers them; row 5 says what is wrong after its cells.
	copyRows, _ := x.GetRows(sheets[1])
	if len(copyRows) != len(rows) || copyRows[4][0] != rows[4][0] || !strings.Contains(copyRows[4][len(copyRows[4])-1], "「身份证号」") {
		t.Errorf("copy of the file: %d rows; row 5 %v", len(copyRows), copyRows[4])
	}
}
