package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"bangfu/internal/apperr"
)

// Formats of a survey list.
const (
	FormatXLSX    = "xlsx"
	FormatUTF8    = "csv-utf8"
	FormatGB18030 = "csv-gb18030"
)

// FormatNames are the Chinese names of the formats, for the report.
var FormatNames = map[string]string{FormatXLSX: "Excel 工作簿（XLSX）", FormatUTF8: "CSV（UTF-8）", FormatGB18030: "CSV（GB18030）"}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// fileFacts are what one pass over the file tells before it is parsed: its SHA-256, its size, its format.
type fileFacts struct {
	SHA256 string
	Size   int64
	Format string
}

// inspect reads path once: the SHA-256 of the import event, the format (a ZIP is a workbook; other bytes
// are CSV, UTF-8 if every byte sequence is valid UTF-8, otherwise GB18030, what Excel on a Chinese Windows
// writes).
func inspect(path string) (fileFacts, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileFacts{}, err
	}
	defer f.Close()
	h := sha256.New()
	v := &utf8Check{valid: true}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fileFacts{}, err
	}
	size, err := io.Copy(io.MultiWriter(h, v), f)
	if err != nil {
		return fileFacts{}, err
	}
	facts := fileFacts{SHA256: hex.EncodeToString(h.Sum(nil)), Size: size}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		facts.Format = FormatXLSX
	case v.done():
		facts.Format = FormatUTF8
	default:
		facts.Format = FormatGB18030
	}
	return facts, nil
}

// utf8Check reports whether everything written to it is valid UTF-8, across chunk boundaries.
type utf8Check struct {
	valid bool
	carry []byte
}

func (u *utf8Check) Write(p []byte) (int, error) {
	if !u.valid {
		return len(p), nil
	}
	buf := append(u.carry, p...)
	cut := len(buf)
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(buf[:cut]) {
		u.valid = false
	}
	u.carry = append([]byte(nil), buf[cut:]...)
	return len(p), nil
}

func (u *utf8Check) done() bool { return u.valid && len(u.carry) == 0 }

// sheet is one table of rows: a worksheet of a workbook, or the CSV file.
type sheet struct {
	name string
	next func() ([]string, error) // io.EOF at the end
}

// book yields the sheets of a file in order, streaming their rows.
type book struct {
	sheets []string
	open   func(name string) (sheet, func(), error)
	close  func()
	// progress reports the share of the file read so far (0..1) where it is known.
	progress func() float64
}

func openBook(path string, format string) (*book, error) {
	if format == FormatXLSX {
		return openXLSX(path)
	}
	return openCSV(path, format)
}

// openXLSX streams each worksheet from the ZIP with the fast reader (sheetxml.go), never holding a sheet
// whole. A workbook the fast reader does not understand, before or while reading it, is read by excelize's
// row iterator instead, from the row where the fast reader stopped.
func openXLSX(path string) (*book, error) {
	fb, err := openFastBook(path)
	if err != nil {
		return openExcelize(path)
	}
	b := &book{sheets: fb.names, close: fb.close, progress: func() float64 {
		if fb.read == nil {
			return -1
		}
		return fb.read()
	}}
	b.open = func(name string) (sheet, func(), error) {
		sr, err := fb.open(name)
		if err != nil {
			return sheet{}, nil, apperr.New(apperr.Validation, "无法读取工作表「%s」", name)
		}
		rows := 0
		var slow *book
		var slowSheet sheet
		closeSlow := func() {}
		next := func() ([]string, error) {
			if slow != nil {
				return slowSheet.next()
			}
			cells, err := sr.rowCells()
			if err == nil || errors.Is(err, io.EOF) {
				rows++
				return cells, err
			}
			if !errors.Is(err, errSheetXML) {
				return nil, apperr.New(apperr.Validation, "工作表「%s」内容损坏，无法读取", name)
			}
			// The rest of the sheet through excelize, after the rows already read.
			if slow, err = openExcelize(path); err != nil {
				return nil, err
			}
			if slowSheet, closeSlow, err = slow.open(name); err != nil {
				return nil, err
			}
			for range rows {
				if _, err := slowSheet.next(); err != nil {
					return nil, err
				}
			}
			return slowSheet.next()
		}
		return sheet{name: name, next: next}, func() {
			sr.close()
			if slow != nil {
				closeSlow()
				slow.close()
			}
		}, nil
	}
	return b, nil
}

// openExcelize streams each worksheet with excelize's row iterator: sheets larger than excelize's unzip limit
// stay in temporary files and are read row by row, never held whole (GetRows would).
func openExcelize(path string) (*book, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, apperr.New(apperr.Validation, "无法读取 Excel 文件：文件已损坏或不是 XLSX 格式")
	}
	b := &book{sheets: f.GetSheetList(), close: func() { f.Close() }, progress: func() float64 { return -1 }}
	b.open = func(name string) (sheet, func(), error) {
		rows, err := f.Rows(name)
		if err != nil {
			return sheet{}, nil, apperr.New(apperr.Validation, "无法读取工作表「%s」", name)
		}
		next := func() ([]string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return nil, apperr.New(apperr.Validation, "工作表「%s」内容损坏，无法读取", name)
				}
				return nil, io.EOF
			}
			return rows.Columns()
		}
		return sheet{name: name, next: next}, func() { rows.Close() }, nil
	}
	return b, nil
}

// openCSV reads a CSV file, UTF-8 with or without a byte-order mark, or GB18030 decoded on the fly.
func openCSV(path, format string) (*book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	counted := &countingReader{r: f}
	br := bufio.NewReaderSize(counted, 1<<16)
	var r io.Reader = br
	if format == FormatUTF8 {
		if bom, _ := br.Peek(3); bytes.Equal(bom, utf8BOM) {
			br.Discard(3)
		}
	} else {
		r = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = -1, true, true
	total := float64(st.Size())
	b := &book{sheets: []string{""}, close: func() { f.Close() }, progress: func() float64 {
		if total == 0 {
			return 1
		}
		return float64(counted.n) / total
	}}
	b.open = func(string) (sheet, func(), error) {
		next := func() ([]string, error) {
			rec, err := cr.Read()
			if err != nil && !errors.Is(err, io.EOF) {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return nil, apperr.New(apperr.Validation, "CSV 文件第 %d 行格式有误，无法读取", pe.Line)
				}
				return nil, fmt.Errorf("csv: %w", err)
			}
			return rec, err
		}
		return sheet{next: next}, func() {}, nil
	}
	return b, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
