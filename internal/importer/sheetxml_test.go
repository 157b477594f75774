package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// fastRows reads every row of every sheet with the fast reader.
func fastRows(t *testing.T, path string) map[string][][]string {
	t.Helper()
	fb, err := openFastBook(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.close()
	out := map[string][][]string{}
	for _, name := range fb.names {
		sr, err := fb.open(name)
		if err != nil {
			t.Fatal(err)
		}
		for {
			cells, err := sr.rowCells()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out[name] = append(out[name], trimRow(slices.Clone(cells)))
		}
		sr.close()
	}
	return out
}

// excelizeRows reads them with excelize's row iterator, what the fast reader stands in for.
func excelizeRows(t *testing.T, path string) map[string][][]string {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	out := map[string][][]string{}
	for _, name := range x.GetSheetList() {
		rows, err := x.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			cells, err := rows.Columns()
			if err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], trimRow(cells))
		}
		rows.Close()
	}
	return out
}

func trimRow(cells []string) []string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// The fast reader gives what excelize's Rows gives: shared strings (with rich text runs, entities, line
// ends, _xHHHH_ escapes), inline strings of the stream writer, numbers in General form (an ID number typed as
// a number too), booleans, formulas' cached values, skipped cells and skipped rows, every sheet in order.
func TestSheetXML_ReadsWhatExcelizeReads(t *testing.T) {
	x := excelize.NewFile()
	set := func(sheet, cell string, v any) {
		t.Helper()
		if err := x.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("Sheet1", "A1", "姓名")
	set("Sheet1", "B1", "身份证号")
	set("Sheet1", "D1", "备注 <a & b> \"q\" 'p'")
	set("Sheet1", "A2", "张建华")
	set("Sheet1", "B2", 330108198001011234)
	set("Sheet1", "C2", 1500)
	set("Sheet1", "D2", 1500.5)
	set("Sheet1", "E2", true)
	set("Sheet1", "F2", "第一行\r\n第二行")
	set("Sheet1", "G2", "_x0041_ and _x005F_x0041_")
	set("Sheet1", "A5", "跳过了两行")
	set("Sheet1", "C5", 13812345678)
	set("Sheet1", "D5", -0.25)
	if err := x.SetCellRichText("Sheet1", "B5", []excelize.RichTextRun{{Text: "富"}, {Text: "文本", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellFormula("Sheet1", "E5", `="公式"&"结果"`); err != nil {
		t.Fatal(err)
	}
	x.NewSheet("第二页 & more")
	set("第二页 & more", "B3", "只有 B3")
	sw, err := x.NewStreamWriter("Sheet3")
	if err != nil {
		x.NewSheet("Sheet3")
		sw, err = x.NewStreamWriter("Sheet3")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"流式", 42, "x&y", nil, "末"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A4", []any{"隔行"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mixed.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	x.Close()
	want, got := excelizeRows(t, path), fastRows(t, path)
	if len(want) != 3 {
		t.Fatalf("excelize reads %d sheets", len(want))
	}
	for name, rows := range want {
		if len(got[name]) != len(rows) {
			t.Errorf("%s: %d rows, excelize %d", name, len(got[name]), len(rows))
		}
		for i := range min(len(rows), len(got[name])) {
			if !slices.Equal(got[name][i], rows[i]) {
				t.Errorf("%s row %d: %q, excelize %q", name, i+1, got[name][i], rows[i])
			}
		}
	}
	if r := got["Sheet1"]; len(r) < 2 || r[1][1] != "3.30108198001011E+17" {
		t.Errorf("an ID number typed as a number: %q", r)
	}
}

// A number shown as a date is the ISO date the household rules read (excelize would give 01-02-06).
func TestSheetXML_ADateCellIsAnISODate(t *testing.T) {
	x := excelize.NewFile()
	builtin, err := x.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	code := "yyyy\"年\"m\"月\"d\"日\""
	custom, err := x.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		t.Fatal(err)
	}
	money, err := x.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		t.Fatal(err)
	}
	x.SetCellValue("Sheet1", "A1", time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC))
	x.SetCellStyle("Sheet1", "A1", "A1", builtin)
	x.SetCellValue("Sheet1", "B1", 29222) // 1980-01-02
	x.SetCellStyle("Sheet1", "B1", "B1", custom)
	x.SetCellValue("Sheet1", "C1", 1500)
	x.SetCellStyle("Sheet1", "C1", "C1", money)
	path := filepath.Join(t.TempDir(), "dates.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	x.Close()
	got := fastRows(t, path)["Sheet1"]
	if len(got) != 1 || !slices.Equal(got[0], []string{"1980-01-02", "1980-01-02", "1500"}) {
		t.Errorf("dates and money: %q", got)
	}
}

func TestSheetXML_DateFormats(t *testing.T) {
	for code, want := range map[string]bool{"yyyy-mm-dd": true, `yyyy"年"m"月"`: true, "0.00": false, "General": false,
		`[Red]0.00`: false, `0 "days"`: false, "[$-804]yyyy/m/d": true, `\d0`: false, "@": false} {
		if got := isDateFormat(code); got != want {
			t.Errorf("%q: date %v, want %v", code, got, want)
		}
	}
	for _, c := range []struct {
		serial string
		want   string
	}{{"1", "1900-01-01"}, {"59", "1900-02-28"}, {"61", "1900-03-01"}, {"29222", "1980-01-02"}, {"45000.75", "2023-03-15"}} {
		if got, _ := excelDate(c.serial, false); got != c.want {
			t.Errorf("serial %s: %s, want %s", c.serial, got, c.want)
		}
	}
}

// A sheet the fast reader does not read (here CDATA in its third row) is read on by excelize from that row.
func TestOpenXLSX_FallsBackToExcelizeWhereTheFastReaderStops(t *testing.T) {
	f := newFixture(t)
	rows := [][]string{{"第一行", "1"}, {"第二行", "2"}, {"第三行", "3"}, {"第四行", "4"}}
	path := f.xlsx("plain.xlsx", rows)
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(f.dir, "cdata.xlsx")
	dst, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(dst)
	for _, e := range z.File {
		r, _ := e.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if strings.HasPrefix(e.Name, "xl/worksheets/") {
			if !bytes.Contains(b, []byte(">第三行<")) {
				t.Fatalf("sheet %s", b)
			}
			b = bytes.Replace(b, []byte(">第三行<"), []byte("><![CDATA[第三行]]><"), 1)
		}
		ew, _ := w.Create(e.Name)
		ew.Write(b)
	}
	w.Close()
	dst.Close()
	z.Close()
	b, err := openXLSX(out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	sh, closeSheet, err := b.open(b.sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	defer closeSheet()
	var got [][]string
	for {
		cells, err := sh.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, slices.Clone(cells))
	}
	if !slices.EqualFunc(got, rows, slices.Equal) {
		t.Errorf("rows %q", got)
	}
}
