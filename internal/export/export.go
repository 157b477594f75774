// Package export writes a list as a spreadsheet (SPEC §8.1): XLSX through excelize's stream writer, with a
// Chinese header row that stays frozen, column widths, money as numbers in a yuan format and dates as dates;
// or CSV in UTF-8 with a byte-order mark, which Excel needs to open Chinese text. Rows arrive one at a time
// from the caller, so a list of any length is written without being held in memory.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/money"
)

// Format is a file format: XLSX or CSV.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat reads the format a request asked for; XLSX when it asked for none.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", XLSX:
		return XLSX, nil
	case CSV:
		return CSV, nil
	}
	return "", apperr.Invalid("format", "导出格式只能是 xlsx 或 csv")
}

// ContentType is the media type of a file in format f.
func (f Format) ContentType() string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// Kind says how a column's values are written.
type Kind int

const (
	Text  Kind = iota // a string, written as text even when it looks like a number (ID and card numbers)
	Int               // an integer count
	Money             // money.Fen, written in yuan as a number with a yuan format
	Date              // a calendar date or an instant, "2006-01-02…", written as a date
)

// Column is one column of a sheet.
type Column struct {
	Title string // the Chinese header
	Kind  Kind
	Width float64 // in characters; 0: 14
}

// Sheet is a list to write: its name (the worksheet's and the file's), its columns and its rows. Rows calls
// emit once per row, in order, with one value per column (string, int/int64, money.Fen, or a date string),
// and stops at the first error emit returns.
type Sheet struct {
	Name    string
	Columns []Column
	Rows    func(emit func(row []any) error) error
}

// Write writes s to w in format f and returns how many rows it wrote.
func Write(w io.Writer, f Format, s Sheet) (int, error) {
	if f == CSV {
		return writeCSV(w, s)
	}
	return writeXLSX(w, s)
}

func writeCSV(w io.Writer, s Sheet) (int, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	header := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		header[i] = c.Title
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	n := 0
	record := make([]string, len(s.Columns))
	err := s.Rows(func(row []any) error {
		for i, c := range s.Columns {
			record[i] = csvValue(c.Kind, row[i])
		}
		n++
		return cw.Write(record)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func csvValue(k Kind, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case money.Fen:
		return x.Decimal()
	case string:
		if k == Date && len(x) >= 10 {
			return x[:10]
		}
		return x
	default:
		return fmt.Sprint(x)
	}
}

func writeXLSX(w io.Writer, s Sheet) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	name := s.Name
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return 0, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return 0, err
	}
	yuanFormat := `"¥"#,##0.00`
	yuan, err := f.NewStyle(&excelize.Style{CustomNumFmt: &yuanFormat})
	if err != nil {
		return 0, err
	}
	dateFormat := "yyyy-mm-dd"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	if err != nil {
		return 0, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": Excel keeps an 18-digit ID as typed
	if err != nil {
		return 0, err
	}
	// The header row stays in view while scrolling.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	for i, c := range s.Columns {
		width := c.Width
		if width == 0 {
			width = 14
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return 0, err
		}
	}
	header := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		header[i] = excelize.Cell{StyleID: bold, Value: c.Title}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return 0, err
	}
	n := 0
	cells := make([]any, len(s.Columns))
	err = s.Rows(func(row []any) error {
		for i, c := range s.Columns {
			cells[i] = xlsxCell(c.Kind, row[i], yuan, date, text)
		}
		n++
		cell, err := excelize.CoordinatesToCellName(1, n+1)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	return n, f.Write(w)
}

func xlsxCell(k Kind, v any, yuan, date, text int) any {
	switch x := v.(type) {
	case nil:
		return nil
	case money.Fen:
		return excelize.Cell{StyleID: yuan, Value: x.Float()}
	case string:
		if k == Date {
			if t, ok := parseDate(x); ok {
				return excelize.Cell{StyleID: date, Value: t}
			}
			return x
		}
		if k == Text {
			return excelize.Cell{StyleID: text, Value: x}
		}
		return x
	default:
		return x
	}
}

// parseDate reads the dates and instants bangfu stores ("2026-01-02", "2026-01-02T03:04:05.000000Z") as the
// calendar date in China.
func parseDate(s string) (time.Time, bool) {
	if len(s) < 10 {
		return time.Time{}, false
	}
	if len(s) > 10 {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			s = clock.Date(t)
		}
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	return t, err == nil
}
