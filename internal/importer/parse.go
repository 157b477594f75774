package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"bangfu/internal/ident"
)

// layout is where a sheet keeps each column, and the header as the file wrote it.
type layout struct {
	sheet   string
	row     int             // the header's row number
	index   [numKeys]int    // -1: absent
	headers [numKeys]string // as written
	seen    map[string]bool
}

// person is one data row: one worker or family member. Its cells are kept in one string, the cell of key k
// being text[end[k-1]:end[k]], so that a 100,000-row file costs one small allocation a row.
type person struct {
	lay  *layout
	row  int
	end  [numKeys]uint32
	text string
}

// cell is the row's value in column k, trimmed; "" where the file has no such column.
func (p *person) cell(k key) string {
	from := uint32(0)
	if k > 0 {
		from = p.end[k-1]
	}
	return p.text[from:p.end[k]]
}

// rowBuf builds persons' texts; one per reading.
type rowBuf struct{ b []byte }

// person makes the person of one row's cells in lay; blank reports a row with no value in any known column.
func (rb *rowBuf) person(lay *layout, row int, cells []string) (p person, blank bool) {
	p = person{lay: lay, row: row}
	rb.b = rb.b[:0]
	blank = true
	for k := range numKeys {
		if i := lay.index[k]; i >= 0 && i < len(cells) {
			v := cells[i]
			if strings.Contains(v, "\u00a0") {
				v = strings.ReplaceAll(v, "\u00a0", " ")
			}
			v = strings.TrimSpace(v)
			if v != "" {
				blank = false
				if k == colID || k == colHeadID {
					v = strings.ToUpper(v) // an ID number's check letter is X whichever case was typed
				}
				rb.b = append(rb.b, v...)
			}
		}
		p.end[k] = uint32(len(rb.b))
	}
	if !blank {
		p.text = string(rb.b)
	}
	return p, blank
}

// header is the column's header as the file wrote it, or the canonical one if the file has no such column.
func (p *person) header(k key) string {
	if p.lay.index[k] >= 0 {
		return p.lay.headers[k]
	}
	return byKey[k].label
}

// maxHeaderSearch is how many rows above the header a sheet may have (a title, a date line).
const maxHeaderSearch = 10

// readAll reads every sheet of b: finds each sheet's header, reports unknown and missing columns, and
// returns the data rows. A sheet without a recognisable header (an instructions sheet) is skipped with a note.
func readAll(b *book, r *Report, needUnion bool, progress func(rows int)) ([]person, error) {
	var people []person
	var rb rowBuf
	found := false
	multi := len(b.sheets) > 1 // a one-sheet workbook's rows need no sheet name
	for _, name := range b.sheets {
		sh, closeSheet, err := b.open(name)
		if err != nil {
			return nil, err
		}
		var lay *layout
		var examples []string
		rowNo := 0
		for {
			cells, err := sh.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				closeSheet()
				return nil, err
			}
			rowNo++
			if lay == nil {
				if rowNo > maxHeaderSearch {
					break
				}
				shown := ""
				if multi {
					shown = name
				}
				if l := findHeader(cells, shown, rowNo); l != nil {
					lay = l
					r.Unknown = append(r.Unknown, unknownColumns(cells, l)...)
					if missing := missingColumns(l, needUnion); len(missing) > 0 {
						for _, m := range missing {
							r.Problems = append(r.Problems, problem(shown, rowNo, m, "", "文件缺少必需的列「"+m+"」"))
						}
						break
					}
				}
				continue
			}
			p, blank := rb.person(lay, rowNo, cells)
			if blank {
				continue
			}
			if (p.cell(colName) == exampleName && p.cell(colID) == exampleID) ||
				(p.cell(colID) == exampleMemberID && p.cell(colHeadID) == exampleID) {
				examples = append(examples, fmt.Sprint(rowNo))
				continue
			}
			people = append(people, p)
			if len(people)%4096 == 0 && progress != nil {
				progress(len(people))
			}
		}
		closeSheet()
		if len(examples) > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%s第 %s 行是模板的示例行，已跳过", sheetPrefix(lay.sheet), strings.Join(examples, "、")))
		}
		if lay != nil {
			found = true
		} else if multi && name != guideSheet && name != unionsSheet { // the template's own sheets need no note
			r.Notes = append(r.Notes, fmt.Sprintf("工作表「%s」中没有找到表头（需含「姓名」「身份证号」列），已跳过", name))
		}
	}
	if !found {
		r.Problems = append(r.Problems, problem("", 0, "", "", "文件中没有找到表头：第一行应为列名，至少包含「姓名」「身份证号」"))
	}
	return people, nil
}

// findHeader reads cells as a header row if it names both 姓名 and 身份证号.
func findHeader(cells []string, sheet string, row int) *layout {
	l := &layout{sheet: sheet, row: row, seen: map[string]bool{}}
	for k := range l.index {
		l.index[k] = -1
	}
	for i, c := range cells {
		col, ok := byHeader[normHeader(c)]
		if !ok || l.index[col.key] >= 0 {
			continue
		}
		l.index[col.key], l.headers[col.key] = i, strings.TrimLeft(strings.TrimSpace(c), "*＊ ")
	}
	if l.index[colName] < 0 || l.index[colID] < 0 {
		return nil
	}
	return l
}

func unknownColumns(cells []string, l *layout) []string {
	used := map[int]bool{}
	for _, i := range l.index {
		if i >= 0 {
			used[i] = true
		}
	}
	var out []string
	for i, c := range cells {
		if c = strings.TrimSpace(c); c != "" && !used[i] {
			where := c
			if l.sheet != "" {
				where = "工作表「" + l.sheet + "」的「" + c + "」"
			}
			out = append(out, where)
		}
	}
	return out
}

func missingColumns(l *layout, needUnion bool) []string {
	var out []string
	for _, c := range columns {
		if (c.required || (c.key == colUnion && needUnion)) && l.index[c.key] < 0 {
			out = append(out, c.label)
		}
	}
	return out
}

// problem renders one refused cell: 第 17 行「身份证号」校验位错误.
func problem(sheet string, row int, column, value, message string) Problem {
	text := message
	if row > 0 {
		where := fmt.Sprintf("第 %d 行", row)
		if column != "" {
			where += "「" + column + "」"
		}
		text = where + message
	}
	if sheet != "" {
		text = "工作表「" + sheet + "」" + text
	}
	return Problem{Sheet: sheet, Row: row, Column: column, Value: value, Message: message, Text: text}
}

// shown is a cell's value as the report may show it: ID and card numbers masked.
func shown(k key, v string) string {
	switch k {
	case colID, colHeadID:
		return ident.MaskID(v)
	case colCard:
		return ident.MaskBankCard(v)
	}
	return v
}

// cellProblem is a problem at person p's column k.
func cellProblem(p *person, k key, message string) Problem {
	pr := problem(p.lay.sheet, p.row, p.header(k), shown(k, p.cell(k)), message)
	if i := p.lay.index[k]; i >= 0 {
		pr.Cell, _ = excelize.CoordinatesToCellName(i+1, p.row)
	}
	return pr
}

func sheetPrefix(sheet string) string {
	if sheet == "" {
		return ""
	}
	return "工作表「" + sheet + "」"
}
