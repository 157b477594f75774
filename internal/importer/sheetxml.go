package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file reads the worksheets of an XLSX workbook straight from its ZIP with a small scanner of the few
// elements a worksheet's values are in (row, c, v, is/t), instead of excelize's row iterator, whose
// encoding/xml decoding costs more than the whole rest of an import (SPEC §10: ≥ 50,000 rows a second;
// 100,000 rows took 4.7 s to read through excelize, 0.3 s here). Values come out as excelize's Rows gives
// them — shared and inline strings (rich text runs joined, phonetic guides left out, _xHHHH_ escapes
// decoded), numbers in excelize's General form — except that a number with a date format is the ISO date
// (2006-01-02) the household rules read, where excelize would format it (01-02-06). A workbook this reader
// does not understand (no workbook part, CDATA in a sheet) is read by excelize instead (openXLSX).

// errSheetXML is a workbook the fast reader leaves to excelize.
var errSheetXML = errors.New("xlsx: not a workbook the fast reader reads")

// fastBook is an open workbook: its sheets in order, shared strings and the date styles.
type fastBook struct {
	z        *zip.ReadCloser
	names    []string
	parts    map[string]*zip.File // sheet name → worksheet part
	strings  []string
	dates    []bool // by cell style index: the style's number format is a date
	date1904 bool
	read     func() float64
}

func openFastBook(p string) (*fastBook, error) {
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, err
	}
	fb := &fastBook{z: z, parts: map[string]*zip.File{}}
	if err := fb.load(); err != nil {
		z.Close()
		return nil, err
	}
	return fb, nil
}

func (fb *fastBook) file(name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	for _, f := range fb.z.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// load reads the workbook part (sheets, date system), its relationships, the shared strings and the styles.
func (fb *fastBook) load() error {
	wbPath := "xl/workbook.xml"
	if rels := fb.file("_rels/.rels"); rels != nil {
		if err := eachTag(rels, func(t *xtag) error {
			if t.name == "Relationship" && t.kind != tagEnd && strings.HasSuffix(t.attr("Type"), "/officeDocument") {
				wbPath = strings.TrimPrefix(t.attr("Target"), "/")
			}
			return nil
		}); err != nil {
			return err
		}
	}
	wb := fb.file(wbPath)
	if wb == nil {
		return errSheetXML
	}
	dir := path.Dir(wbPath)
	targets := map[string]string{}
	if rels := fb.file(path.Join(dir, "_rels", path.Base(wbPath)+".rels")); rels != nil {
		if err := eachTag(rels, func(t *xtag) error {
			if t.name == "Relationship" && t.kind != tagEnd {
				target := t.attr("Target")
				if strings.HasPrefix(target, "/") {
					target = strings.TrimPrefix(target, "/")
				} else {
					target = path.Join(dir, target)
				}
				targets[t.attr("Id")] = target
			}
			return nil
		}); err != nil {
			return err
		}
	}
	var sharedPath, stylesPath string
	for _, target := range targets {
		switch path.Base(target) {
		case "sharedStrings.xml":
			sharedPath = target
		case "styles.xml":
			stylesPath = target
		}
	}
	if err := eachTag(wb, func(t *xtag) error {
		if t.kind == tagEnd {
			return nil
		}
		switch t.name {
		case "workbookPr":
			v := t.attr("date1904")
			fb.date1904 = v == "1" || v == "true"
		case "sheet":
			part := fb.file(targets[t.attr("id")])
			if part == nil {
				return errSheetXML
			}
			name := t.attr("name")
			fb.names = append(fb.names, name)
			fb.parts[name] = part
		}
		return nil
	}); err != nil {
		return err
	}
	if f := fb.file(sharedPath); sharedPath != "" && f != nil {
		if err := fb.loadStrings(f); err != nil {
			return err
		}
	}
	if f := fb.file(stylesPath); stylesPath != "" && f != nil {
		if err := fb.loadStyles(f); err != nil {
			return err
		}
	}
	return nil
}

// loadStrings reads the shared strings: each <si> is its <t> and the <t> of its runs, not of <rPh>.
func (fb *fastBook) loadStrings(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newXScan(rc)
	var text []byte
	in, phonetic, inT := false, false, false
	for {
		t, err := s.next(inT && !phonetic)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if inT && !phonetic {
			text = append(text, s.text...)
		}
		switch t.name {
		case "si":
			if t.kind == tagStart {
				in, text = true, text[:0]
			} else {
				if t.kind == tagEnd || t.kind == tagEmpty {
					fb.strings = append(fb.strings, bstr(string(text)))
				}
				in = false
			}
		case "rPh":
			phonetic = t.kind == tagStart
		case "t":
			inT = in && t.kind == tagStart
		}
	}
}

// loadStyles marks the cell styles (cellXfs, by index) whose number format is a date.
func (fb *fastBook) loadStyles(f *zip.File) error {
	custom := map[int]bool{}
	inXfs := false
	return eachTag(f, func(t *xtag) error {
		switch t.name {
		case "numFmt":
			if t.kind == tagEnd {
				return nil
			}
			id, _ := strconv.Atoi(t.attr("numFmtId"))
			custom[id] = isDateFormat(t.attr("formatCode"))
		case "cellXfs":
			inXfs = t.kind == tagStart
		case "xf":
			if inXfs && t.kind != tagEnd {
				id, _ := strconv.Atoi(t.attr("numFmtId"))
				d, ok := custom[id]
				if !ok {
					d = builtinDate(id)
				}
				fb.dates = append(fb.dates, d)
			}
		}
		return nil
	})
}

// builtinDate: the built-in number formats that are dates, with the East Asian ones (27–36, 50–58).
func builtinDate(id int) bool {
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58)
}

// isDateFormat reports whether a custom format code shows a date: a y, m or d outside quotes, escapes and
// brackets ([Red], [$-804]), with no "General".
func isDateFormat(code string) bool {
	if strings.Contains(strings.ToLower(code), "general") {
		return false
	}
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case quoted:
			quoted = c != '"'
		case bracket:
			bracket = c != ']'
		case c == '"':
			quoted = true
		case c == '[':
			bracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case strings.IndexByte("yYdD", c) >= 0, c == 'm' || c == 'M':
			return true
		}
	}
	return false
}

func (fb *fastBook) close() { fb.z.Close() }

// sheetReader streams the rows of one worksheet.
type sheetReader struct {
	fb    *fastBook
	rc    io.ReadCloser
	s     *xscan
	row   int // the last row returned
	next  []string
	nextN int // the row number of next, 0 if none waiting
	cells []string
	done  bool
}

func (fb *fastBook) open(name string) (*sheetReader, error) {
	part := fb.parts[name]
	if part == nil {
		return nil, errSheetXML
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	sr := &sheetReader{fb: fb, rc: rc}
	total := float64(part.UncompressedSize64)
	counted := &countingReader{r: rc}
	sr.s = newXScan(counted)
	fb.read = func() float64 {
		if total == 0 {
			return -1
		}
		return math.Min(1, float64(counted.n)/total)
	}
	return sr, nil
}

func (sr *sheetReader) close() { sr.rc.Close() }

// rowCells answers the next row's cells as excelize's Rows does: a row the sheet skips is an empty row, so
// that row numbers stay the sheet's; io.EOF after the last.
func (sr *sheetReader) rowCells() ([]string, error) {
	if sr.nextN == 0 && !sr.done {
		if err := sr.readRow(); err != nil {
			return nil, err
		}
	}
	if sr.nextN == 0 {
		return nil, io.EOF
	}
	sr.row++
	if sr.row < sr.nextN {
		return nil, nil
	}
	sr.nextN = 0
	return sr.next, nil
}

// readRow reads the next <row> into sr.next and its number into sr.nextN (0 at the end of the sheet data).
func (sr *sheetReader) readRow() error {
	s := sr.s
	sr.cells = sr.cells[:0]
	inRow, inCell, inV, inIS, inT, phonetic := false, false, false, false, false, false
	var cellType string
	var ref []byte
	var style int
	var value []byte
	col := 0
	for {
		t, err := s.next(inV || (inT && !phonetic))
		if err == io.EOF {
			sr.done = true
			return nil
		}
		if err != nil {
			return err
		}
		if inV || (inT && !phonetic) {
			value = append(value, s.text...)
		}
		switch t.name {
		case "row":
			switch t.kind {
			case tagStart, tagEmpty:
				n := sr.row + 1
				if r := t.raw("r"); len(r) > 0 {
					if n = atoi(r); n <= sr.row {
						return errSheetXML
					}
				}
				sr.nextN = n
				inRow = t.kind == tagStart
				if !inRow {
					sr.next = sr.cells
					return nil
				}
			case tagEnd:
				sr.next = sr.cells
				return nil
			}
		case "c":
			if !inRow {
				continue
			}
			if t.kind == tagEnd {
				inCell = false
				sr.place(col, sr.value(cellType, style, value))
				continue
			}
			ref, cellType = t.raw("r"), cellTypeOf(t.raw("t"))
			style = atoi(t.raw("s"))
			col = len(sr.cells)
			if len(ref) > 0 {
				if col, err = refColumn(ref); err != nil {
					return errSheetXML
				}
			}
			value = value[:0]
			if t.kind == tagEmpty {
				sr.place(col, "")
			} else {
				inCell = true
			}
		case "v":
			inV = inCell && t.kind == tagStart
		case "is":
			inIS = inCell && t.kind == tagStart
		case "rPh":
			phonetic = t.kind == tagStart
		case "t":
			inT = inIS && t.kind == tagStart
		case "sheetData":
			if t.kind == tagEnd {
				sr.done = true
				return nil
			}
		}
	}
}

// place sets the cell of column col (0-based), padding the columns before it.
func (sr *sheetReader) place(col int, v string) {
	for len(sr.cells) < col {
		sr.cells = append(sr.cells, "")
	}
	if col < len(sr.cells) {
		sr.cells[col] = v
		return
	}
	sr.cells = append(sr.cells, v)
}

// cellTypeOf names a cell's t attribute without allocating.
func cellTypeOf(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "s":
		return "s"
	case "inlineStr":
		return "inlineStr"
	case "str":
		return "str"
	case "n":
		return ""
	}
	return string(b)
}

// atoi is the non-negative decimal b, or -1 when b is not one.
func atoi(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// refColumn is the 0-based column of a cell reference ("C17" → 2).
func refColumn(ref []byte) (int, error) {
	col := 0
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || col > 16384 {
		return 0, fmt.Errorf("xlsx: cell reference %q", ref)
	}
	return col - 1, nil
}

// value is a cell's text as excelize gives it (see the file comment).
func (sr *sheetReader) value(cellType string, style int, raw []byte) string {
	switch cellType {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || i < 0 || i >= len(sr.fb.strings) {
			return ""
		}
		return sr.fb.strings[i]
	case "inlineStr":
		return bstr(string(raw))
	case "str", "e", "d":
		return string(raw)
	case "b":
		switch string(raw) {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
		return string(raw)
	}
	v := string(raw)
	if style > 0 && style < len(sr.fb.dates) && sr.fb.dates[style] {
		if d, ok := excelDate(v, sr.fb.date1904); ok {
			return d
		}
	}
	return generalNumber(v)
}

// generalNumber is excelize's General form of a number cell (getCellDefault): digits without an exponent,
// or 15 significant digits where the number has more (an ID number typed as a number: 3.30108198001011E+17).
func generalNumber(v string) string {
	if strings.Contains(v, "_") {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	if len(plain)-strings.Count(plain, ".") > 15 && !withinPrecision(v) {
		return strconv.FormatFloat(f, 'G', 15, 64)
	}
	return plain
}

func withinPrecision(v string) bool {
	if strings.ContainsAny(v, ".Ee") {
		return false
	}
	v = strings.TrimLeft(v, "+-0")
	return len(strings.TrimRight(v, "0")) <= 15
}

// excelDate is the ISO date of an Excel serial day number (the 1900 system counts a 29 February 1900 that
// never was; the 1904 system starts on 1 January 1904).
func excelDate(v string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 {
		return "", false
	}
	days := int(math.Floor(f))
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	case days == 60:
		return "1900-02-29", true
	}
	return base.AddDate(0, 0, days).Format("2006-01-02"), true
}

// bstr decodes the _xHHHH_ escapes of an OOXML string (_x005F_ is the underscore itself), as excelize does.
func bstr(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				if n == 0x5F {
					b.WriteByte('_')
				} else {
					b.WriteRune(rune(n))
				}
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// The scanner: tags and the text before them, nothing more. It knows XML's five named entities, character
// references, comments, processing instructions and namespace prefixes (x:row); CDATA it leaves to excelize.

const (
	tagStart = iota
	tagEnd
	tagEmpty
)

type xtag struct {
	name  string // local name
	kind  int
	attrs []byte // the raw attributes, for attr
}

// attr is the value of the attribute whose local name is name ("r:id" answers "id"), decoded.
func (t *xtag) attr(name string) string {
	v := t.raw(name)
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return string(unescape(nil, v))
}

// raw is the attribute's value as written, without allocating: for the numbers and letters of a cell.
func (t *xtag) raw(name string) []byte {
	a := t.attrs
	for len(a) > 0 {
		a = bytes.TrimLeft(a, " \t\r\n")
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil
		}
		key := bytes.TrimSpace(a[:eq])
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			key = key[i+1:]
		}
		a = bytes.TrimLeft(a[eq+1:], " \t\r\n")
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return nil
		}
		val := a[1 : 1+end]
		a = a[end+2:]
		if string(key) == name {
			return val
		}
	}
	return nil
}

type xscan struct {
	r    *bufio.Reader
	text []byte // the decoded text before the last tag, when asked for
	buf  []byte
	tag  xtag
}

func newXScan(r io.Reader) *xscan { return &xscan{r: bufio.NewReaderSize(r, 1<<16)} }

// readUntil answers the bytes up to and without delim; the slice is valid until the next read.
func (s *xscan) readUntil(delim byte) ([]byte, error) {
	b, err := s.r.ReadSlice(delim)
	if err == nil {
		return b[:len(b)-1], nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return b, err
	}
	s.buf = append(s.buf[:0], b...)
	for {
		b, err = s.r.ReadSlice(delim)
		s.buf = append(s.buf, b...)
		if err == nil {
			return s.buf[:len(s.buf)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return s.buf, err
		}
	}
}

// next reads the next tag; with text, s.text is the decoded text before it.
func (s *xscan) next(text bool) (*xtag, error) {
	for {
		b, err := s.readUntil('<')
		if err != nil {
			if err == io.EOF && len(bytes.TrimSpace(b)) == 0 {
				return nil, io.EOF
			}
			if err == io.EOF {
				return nil, errSheetXML
			}
			return nil, err
		}
		if text {
			s.text = unescape(s.text[:0], b)
		}
		b, err = s.readUntil('>')
		if err != nil {
			return nil, errSheetXML
		}
		// A '>' inside a quoted attribute value does not end the tag.
		if quotesOpen(b) {
			whole := append([]byte(nil), b...)
			for quotesOpen(whole) {
				more, err := s.readUntil('>')
				if err != nil {
					return nil, errSheetXML
				}
				whole = append(append(whole, '>'), more...)
			}
			b = whole
		}
		if len(b) == 0 {
			return nil, errSheetXML
		}
		switch b[0] {
		case '?':
			continue
		case '!':
			if bytes.HasPrefix(b, []byte("!--")) {
				for !bytes.HasSuffix(b, []byte("--")) {
					if b, err = s.readUntil('>'); err != nil {
						return nil, errSheetXML
					}
				}
				continue
			}
			if bytes.HasPrefix(b, []byte("![CDATA[")) {
				return nil, errSheetXML
			}
			continue
		}
		t := &s.tag
		t.kind = tagStart
		if b[0] == '/' {
			t.kind, b = tagEnd, b[1:]
		} else if b[len(b)-1] == '/' {
			t.kind, b = tagEmpty, b[:len(b)-1]
		}
		end := bytes.IndexAny(b, " \t\r\n")
		name := b
		t.attrs = nil
		if end >= 0 {
			name, t.attrs = b[:end], b[end:]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		t.name = internName(name)
		return t, nil
	}
}

func quotesOpen(b []byte) bool {
	var q byte
	for _, c := range b {
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		}
	}
	return q != 0
}

// internName answers the common element names without allocating.
func internName(b []byte) string {
	switch string(b) {
	case "c":
		return "c"
	case "v":
		return "v"
	case "row":
		return "row"
	case "t":
		return "t"
	case "is":
		return "is"
	case "r":
		return "r"
	case "f":
		return "f"
	case "si":
		return "si"
	}
	return string(b)
}

// unescape appends the XML text b to dst with its entities and character references decoded and its line
// ends normalised (\r\n and \r are \n), as an XML parser does.
func unescape(dst, b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return append(dst, b...)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			dst = append(dst, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		if c != '&' {
			dst = append(dst, c)
			continue
		}
		semi := bytes.IndexByte(b[i:], ';')
		if semi < 0 {
			dst = append(dst, c)
			continue
		}
		ent := string(b[i+1 : i+semi])
		switch ent {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var n uint64
			var err error = strconv.ErrSyntax
			if strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X") {
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			} else if strings.HasPrefix(ent, "#") {
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				dst = append(dst, b[i:i+semi+1]...)
			} else {
				dst = utf8.AppendRune(dst, rune(n))
			}
		}
		i += semi
	}
	return dst
}

// eachTag calls fn with each tag of a small part (the workbook, its relationships, the styles).
func eachTag(f *zip.File, fn func(*xtag) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newXScan(rc)
	for {
		t, err := s.next(false)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
}
