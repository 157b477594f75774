package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"bangfu/internal/actor"
	"bangfu/internal/org"
)

// Workbook is a generated XLSX: the template (模板) or an import's report. It is built whole before a byte is
// sent, so that a failure is an error answer and not half a file.
type Workbook struct {
	Name string // the file name offered for download
	f    *excelize.File
}

// WriteTo writes the workbook.
func (w *Workbook) WriteTo(dst io.Writer) (int64, error) { return w.f.WriteTo(dst) }

// Close releases the workbook's temporary files.
func (w *Workbook) Close() error { return w.f.Close() }

// The template's example rows: a head and his wife. A row equal to the example head (name and ID number)
// is skipped by the importer with a note, so that a template filled in below its example imports as it is.
const (
	exampleName     = "张建华"
	exampleID       = "110101198001010010"
	exampleMemberID = "110101198203030028"
)

const (
	templateSheet = "困难职工摸底表"
	guideSheet    = "填写说明"
	unionsSheet   = "工会列表"
	templateRows  = 5000 // rows that carry the drop-down lists
)

// Template is the survey list to fill in (SPEC §8.3): every column the importer reads, the required ones
// marked, an example head and member, and each coded column's valid values as a drop-down list — 所属工会
// lists the grassroots unions in the user's scope.
func (s *Service) Template(ctx context.Context, a actor.Actor) (*Workbook, error) {
	if err := mayImport(a, true); err != nil {
		return nil, err
	}
	orgs, err := loadOrgs(ctx, s.DB.R)
	if err != nil {
		return nil, err
	}
	var unions []string
	for _, o := range orgs.byID {
		if o.Level == org.Grassroots && a.Sees(o.Path) {
			unions = append(unions, o.Name)
		}
	}
	sort.Strings(unions)
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	if err := f.SetSheetName("Sheet1", templateSheet); err != nil {
		return nil, err
	}
	styles, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	example := map[key]string{}
	member := map[key]string{colName: "李秀英", colID: exampleMemberID, colRelation: "配偶", colHeadID: exampleID,
		colHealth: "健康", colEmployment: "灵活就业", colMonthly: "800", colNote: "示例行，导入时自动跳过，可删除"}
	for _, c := range columns {
		example[c.key] = c.example
	}
	example[colName], example[colID], example[colNote] = exampleName, exampleID, "示例行，导入时自动跳过，可删除"
	if len(unions) > 0 {
		example[colUnion] = unions[0]
	}
	for i, c := range columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		head := c.label
		style := styles.header
		if c.required {
			head, style = "*"+c.label, styles.required
		}
		if err := f.SetCellStr(templateSheet, col+"1", head); err != nil {
			return nil, err
		}
		f.SetCellStyle(templateSheet, col+"1", col+"1", style)
		// Numbers people type as digits stay text: Excel would turn an ID number into 1.10101E+17.
		if c.key == colID || c.key == colHeadID || c.key == colCard || c.key == colPhone {
			f.SetColStyle(templateSheet, col, styles.text)
		}
		f.SetColWidth(templateSheet, col, col, columnWidth(c.key))
		f.SetCellStr(templateSheet, col+"2", example[c.key])
		f.SetCellStr(templateSheet, col+"3", member[c.key])
		f.SetCellStyle(templateSheet, col+"2", col+"3", styles.example)
		rng := fmt.Sprintf("%s2:%s%d", col, col, templateRows+1)
		switch {
		case c.key == colUnion && len(unions) > 0:
			dv := excelize.NewDataValidation(true)
			dv.Sqref = rng
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$1:$A$%d", unionsSheet, len(unions)))
			dv.SetInput("所属工会", "从列表中选择本人所在的基层工会；家庭成员行可留空")
			if err := f.AddDataValidation(templateSheet, dv); err != nil {
				return nil, err
			}
		case c.vocab != nil:
			dv := excelize.NewDataValidation(true)
			dv.Sqref = rng
			if err := dv.SetDropList(vocabNames(&columns[i])); err != nil {
				return nil, err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, c.label, "请从下拉列表中选择："+strings.Join(vocabNames(&columns[i]), "、"))
			if err := f.AddDataValidation(templateSheet, dv); err != nil {
				return nil, err
			}
		}
	}
	f.SetPanes(templateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if _, err := f.NewSheet(unionsSheet); err != nil {
		return nil, err
	}
	for i, u := range unions {
		f.SetCellStr(unionsSheet, fmt.Sprintf("A%d", i+1), u)
	}
	if err := f.SetSheetVisible(unionsSheet, false); err != nil {
		return nil, err
	}
	if err := writeGuide(f, styles); err != nil {
		return nil, err
	}
	ok = true
	return &Workbook{Name: "困难职工摸底排查导入模板.xlsx", f: f}, nil
}

// writeGuide is the template's 填写说明 sheet: one line per column. It has no 姓名/身份证号 header row, so the
// importer skips it with a note.
func writeGuide(f *excelize.File, st styles) error {
	if _, err := f.NewSheet(guideSheet); err != nil {
		return err
	}
	lines := [][]string{
		{"填写说明"},
		{"每行一人：户主一行（「与户主关系」填「本人」或留空），家庭成员各一行，填「与户主关系」和「户主身份证号」（或紧跟在户主行之后）。"},
		{"带 * 的列必须填写；身份证号、银行卡号请保持文本格式。同一文件可重复导入：按身份证号识别，已有的草稿档案会被更新，已提交的档案不会被覆盖。"},
		{"先「试导入」检查，全部通过后再正式导入；正式导入要么全部成功，要么什么都不写入。"},
		{},
		{"列名", "是否必填", "填写内容", "可选值"},
	}
	for _, c := range columns {
		req := "否"
		if c.required {
			req = "是"
		}
		if c.key == colUnion {
			req = "户主行必填（或导入时指定默认工会）"
		}
		what := columnHelp[c.key]
		if len(c.variants) > 0 {
			what += "（也可写作：" + strings.Join(c.variants, "、") + "）"
		}
		lines = append(lines, []string{c.label, req, what, strings.Join(vocabNames(&columns[keyIndex(c.key)]), "、")})
	}
	for i, l := range lines {
		for j, v := range l {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			f.SetCellStr(guideSheet, cell, v)
		}
	}
	f.SetCellStyle(guideSheet, "A1", "A1", st.header)
	f.SetCellStyle(guideSheet, "A6", "D6", st.header)
	f.SetColWidth(guideSheet, "A", "A", 16)
	f.SetColWidth(guideSheet, "B", "B", 14)
	f.SetColWidth(guideSheet, "C", "C", 60)
	f.SetColWidth(guideSheet, "D", "D", 50)
	return nil
}

func keyIndex(k key) int {
	for i, c := range columns {
		if c.key == k {
			return i
		}
	}
	return 0
}

var columnHelp = map[key]string{
	colName: "姓名", colID: "18 位居民身份证号", colRelation: "户主填「本人」", colHeadID: "家庭成员行填户主的身份证号",
	colGender: "可不填，按身份证号确定", colBirth: "可不填，按身份证号确定；格式 2006-01-02", colPhone: "11 位手机号",
	colUnion: "所在基层工会的名称或代码", colEmployer: "工作单位全称", colIndustry: "所在行业", colEmployment: "就业状况",
	colAddress: "家庭住址", colMonthly: "个人月收入（元），全家合计 ×12 计为工资性年收入", colCause: "主要困难原因；多个用顿号分隔，第一个为主要原因",
	colCauses2: "其他困难原因，用顿号分隔", colHealth: "健康状况", colDisability: "残疾情况", colSchool: "家庭成员的就学阶段",
	colMigrant: "是否农民工", colMemberSince: "入会时间，格式 2006-01-02", colBank: "开户银行名称，记入备注", colCard: "本人银行卡号（发放救助金用）",
	colNote: "备注",
}

func columnWidth(k key) float64 {
	switch k {
	case colID, colHeadID, colCard:
		return 22
	case colUnion, colEmployer, colAddress:
		return 28
	case colNote, colCause, colCauses2:
		return 18
	}
	return 12
}

type styles struct{ header, required, example, text, bad, note int }

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	st.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	st.required = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	st.example = mk(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}, NumFmt: 49})
	st.text = mk(&excelize.Style{NumFmt: 49})
	st.bad = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}, Font: &excelize.Font{Color: "9C0006"}, NumFmt: 49})
	st.note = mk(&excelize.Style{Font: &excelize.Font{Color: "9C0006"}, Alignment: &excelize.Alignment{WrapText: true}})
	return st, err
}

// Report is the workbook of job id's report (SPEC §8.3): a 导入报告 sheet with every refused cell and what the
// import does with each household, then — when cells were refused — the file as it was uploaded with those
// cells highlighted and each row's errors beside it, to correct and upload again. Only the uploader gets it;
// the report sheet masks ID and card numbers, the copy of the file holds what the uploader sent.
func (j *Jobs) Report(ctx context.Context, a actor.Actor, id int64) (*Workbook, error) {
	path, job, err := j.file(ctx, a, id)
	if err != nil {
		return nil, err
	}
	r := job.Report
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	const reportSheet = "导入报告"
	if err := f.SetSheetName("Sheet1", reportSheet); err != nil {
		return nil, err
	}
	if err := writeReportSheet(f, reportSheet, st, r); err != nil {
		return nil, err
	}
	if len(r.Problems) > 0 {
		if err := annotate(f, st, path, r, reportSheet); err != nil {
			return nil, err
		}
	}
	ok = true
	name := strings.TrimSuffix(r.FileName, fileExt(r.FileName))
	return &Workbook{Name: name + "-导入报告.xlsx", f: f}, nil
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

func writeReportSheet(f *excelize.File, sheet string, st styles, r *Report) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	row := 0
	put := func(style int, values ...string) error {
		row++
		cells := make([]any, len(values))
		for i, v := range values {
			cells[i] = excelize.Cell{StyleID: style, Value: v}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, cells)
	}
	sw.SetColWidth(1, 1, 14)
	sw.SetColWidth(2, 3, 10)
	sw.SetColWidth(4, 5, 20)
	sw.SetColWidth(6, 6, 60)
	mode := "正式导入"
	if r.DryRun {
		mode = "试导入"
	}
	if err := put(st.header, fmt.Sprintf("%s：%s", mode, r.FileName)); err != nil {
		return err
	}
	put(0, r.Summary)
	put(0, fmt.Sprintf("格式：%s；大小 %d 字节；SHA-256：%s", FormatNames[r.Format], r.Size, r.SHA256))
	for _, u := range r.Unknown {
		put(0, "未识别的列（已忽略）："+u)
	}
	for _, n := range r.Notes {
		put(0, "说明："+n)
	}
	put(0)
	if len(r.Problems) > 0 {
		put(st.header, "工作表", "行号", "单元格", "列", "填写内容", "错误说明")
		for _, p := range r.Problems {
			rowNo := ""
			if p.Row > 0 {
				rowNo = fmt.Sprint(p.Row)
			}
			if err := put(0, p.Sheet, rowNo, p.Cell, p.Column, p.Value, p.Message); err != nil {
				return err
			}
		}
	} else {
		put(st.header, "工作表", "行号", "处理", "姓名", "身份证号", "家庭成员", "建议类别", "档案编号", "变更的项目")
		for _, o := range r.Outcomes {
			if err := put(0, o.Sheet, fmt.Sprint(o.Row), ActionNames[o.Action], o.Name, o.IDNumber, fmt.Sprint(o.Members),
				o.Category, o.FileNo, strings.Join(o.Changed, "、")); err != nil {
				return err
			}
		}
		if len(r.Outcomes) < r.Households {
			put(0, fmt.Sprintf("……另有 %d 户未逐一列出", r.Households-len(r.Outcomes)))
		}
	}
	return sw.Flush()
}

// annotate copies every sheet of the uploaded file into f, row for row (so the row numbers of the report are
// the sheet's), with the refused cells highlighted and the row's errors in a column after the last.
func annotate(f *excelize.File, st styles, path string, r *Report, reportSheet string) error {
	facts, err := inspect(path)
	if err != nil {
		return err
	}
	b, err := openBook(path, facts.Format)
	if err != nil {
		return err
	}
	defer b.close()
	type at struct {
		sheet string
		row   int
	}
	badCells := map[at]map[string]bool{}
	messages := map[at][]string{}
	for _, p := range r.Problems {
		k := at{p.Sheet, p.Row}
		if badCells[k] == nil {
			badCells[k] = map[string]bool{}
		}
		if p.Cell != "" {
			badCells[k][p.Cell] = true
		}
		msg := p.Message
		if p.Column != "" {
			msg = "「" + p.Column + "」" + msg
		}
		messages[k] = append(messages[k], msg)
	}
	multi := len(b.sheets) > 1
	used := map[string]bool{reportSheet: true}
	for _, name := range b.sheets {
		shown := ""
		if multi {
			shown = name
		}
		out := name
		if out == "" {
			out = "原表"
		}
		for used[out] {
			out += "（原表）"
		}
		used[out] = true
		if _, err := f.NewSheet(out); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(out)
		if err != nil {
			return err
		}
		sh, closeSheet, err := b.open(name)
		if err != nil {
			return err
		}
		noteCol := 0
		for rowNo := 1; ; rowNo++ {
			cells, err := sh.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				closeSheet()
				return err
			}
			noteCol = max(noteCol, len(cells)+1)
			k := at{shown, rowNo}
			msgs := messages[k]
			n := len(cells)
			if msgs != nil {
				n = noteCol
			}
			row := make([]any, n)
			for i, v := range cells {
				cell, _ := excelize.CoordinatesToCellName(i+1, rowNo)
				style := st.text
				if badCells[k][cell] {
					style = st.bad
				}
				row[i] = excelize.Cell{StyleID: style, Value: v}
			}
			if msgs != nil {
				row[noteCol-1] = excelize.Cell{StyleID: st.note, Value: strings.Join(msgs, "；")}
			}
			cell, _ := excelize.CoordinatesToCellName(1, rowNo)
			if err := sw.SetRow(cell, row); err != nil {
				closeSheet()
				return err
			}
		}
		closeSheet()
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
