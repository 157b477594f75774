package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"bangfu/internal/money"
)

func sample() Sheet {
	return Sheet{Name: "名单", Columns: []Column{{Title: "身份证号"}, {Title: "人数", Kind: Int}, {Title: "金额", Kind: Money},
		{Title: "日期", Kind: Date}}, Rows: func(emit func([]any) error) error {
		if err := emit([]any{"110101199003071234", 3, money.Fen(123456), "2026-06-01T08:00:00Z"}); err != nil {
			return err
		}
		return emit([]any{"", int64(0), money.Fen(5), ""})
	}}
}

// TestWriteXLSX_TypesTheCells: an ID stays text, money is a number in yuan with the yuan format, a date is a
// date, and the header row is frozen.
func TestWriteXLSX_TypesTheCells(t *testing.T) {
	var buf bytes.Buffer
	n, err := Write(&buf, XLSX, sample())
	if err != nil || n != 2 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cell := func(ref string) (string, excelize.CellType, string) {
		v, _ := f.GetCellValue("名单", ref, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType("名单", ref)
		style, _ := f.GetCellStyle("名单", ref)
		s, _ := f.GetStyle(style)
		format := ""
		if s != nil && s.CustomNumFmt != nil {
			format = *s.CustomNumFmt
		}
		return v, typ, format
	}
	if v, _, _ := cell("A1"); v != "身份证号" {
		t.Errorf("header A1 = %q", v)
	}
	if v, typ, _ := cell("A2"); v != "110101199003071234" || typ == excelize.CellTypeNumber {
		t.Errorf("ID cell = %q (type %v), want the digits as text", v, typ)
	}
	if v, _, format := cell("C2"); v != "1234.56" || !strings.Contains(format, "¥") {
		t.Errorf("money cell = %q format %q, want 1234.56 in a yuan format", v, format)
	}
	if v, _, format := cell("D2"); v == "2026-06-01T08:00:00Z" || format != "yyyy-mm-dd" {
		t.Errorf("date cell = %q format %q, want an Excel date", v, format)
	}
	panes, err := f.GetPanes("名单")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v: want the header row frozen", panes, err)
	}
}

// TestWriteCSV_OpensInExcel: a byte-order mark first, then the header and the rows, money in yuan, dates as
// the calendar day.
func TestWriteCSV_OpensInExcel(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Write(&buf, CSV, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
		t.Fatal("no byte-order mark")
	}
	records, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"身份证号", "人数", "金额", "日期"}, {"110101199003071234", "3", "1234.56", "2026-06-01"}, {"", "0", "0.05", ""}}
	if len(records) != len(want) {
		t.Fatalf("records = %v", records)
	}
	for i := range want {
		if strings.Join(records[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %v, want %v", i, records[i], want[i])
		}
	}
}

func TestParseFormat_RefusesAnUnknownFormat(t *testing.T) {
	if f, err := ParseFormat(""); err != nil || f != XLSX {
		t.Errorf("ParseFormat(\"\") = %v, %v", f, err)
	}
	if _, err := ParseFormat("pdf"); err == nil {
		t.Error("pdf accepted")
	}
}
