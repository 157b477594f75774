package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"bangfu/internal/apperr"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/importer"
)

// importFile is `bangfu import [--dry-run] [--org CODE] [--as USER] FILE` (SPEC §8.3, §9.1): the same import
// and report as the imports page, as the user named by --as (their roles and scope apply). Exit 1 when any
// row is refused (nothing is written then), 2 when the command itself cannot run.
func importFile(ctx context.Context, args []string, out io.Writer) (int, error) {
	fs, dbPath := newFlags("import", out)
	dry := fs.Bool("dry-run", false, "check the file and report what a real run would do; write nothing")
	orgCode := fs.String("org", "", "code of the grassroots union for rows without 所属工会")
	as := fs.String("as", env("BANGFU_AS", ""), "username of the caseworker the import is done as (BANGFU_AS); their scope applies")
	progress := fs.Bool("progress", isTerminal(os.Stderr), "show progress on stderr (default: when stderr is a terminal)")
	fs.Usage = func() {
		fmt.Fprintln(out, "Usage: bangfu import [--db FILE] [--dry-run] [--org CODE] --as USER FILE")
		fmt.Fprintln(out, "Imports a survey list (摸底排查, XLSX or CSV in UTF-8 or GB18030) as draft households, all or nothing.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2, fmt.Errorf("请给出一个要导入的文件")
	}
	path := fs.Arg(0)
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return 2, fmt.Errorf("无法读取文件 %s", path)
	}
	if *as == "" {
		return 2, fmt.Errorf("请用 --as 指定导入人（经办人的用户名）：导入的档案记在此人名下，按其所属组织的范围校验")
	}
	db, err := openExisting(*dbPath)
	if err != nil {
		return 2, err
	}
	defer db.Close()
	var uid int64
	var disabled bool
	row := db.R.QueryRowContext(ctx, "SELECT id, disabled FROM users WHERE username = ?", *as)
	if err := row.Scan(&uid, &disabled); err != nil || disabled {
		return 2, fmt.Errorf("用户 %s 不存在或已停用", *as)
	}
	a, err := auth.ActorFor(ctx, db.R, uid, "cli-import")
	if err != nil {
		return 2, err
	}
	svc := &importer.Service{DB: db, Clock: clock.System{}}
	opts := importer.Options{FileName: filepath.Base(path), DryRun: *dry, OrgCode: *orgCode}
	var bar *progressBar
	if *progress {
		bar = &progressBar{w: os.Stderr, dry: *dry}
		opts.Progress = bar.show
	}
	r, err := svc.Import(ctx, a, path, opts)
	if bar != nil {
		bar.done()
	}
	if r.FileName != "" {
		printReport(out, r)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Validation && len(r.Problems) > 0 {
			return 1, describe(err)
		}
		if c := apperr.CodeOf(err); c == apperr.Forbidden || c == apperr.Validation {
			return 2, describe(err)
		}
		return 2, err
	}
	if len(r.Problems) > 0 {
		return 1, fmt.Errorf("%d 行未通过校验", r.RowsRefused)
	}
	return 0, nil
}

// printReport prints the per-row report: the refused cells, then what the run did or would do.
func printReport(w io.Writer, r importer.Report) {
	mode := "正式导入"
	if r.DryRun {
		mode = "试导入（不写入）"
	}
	fmt.Fprintf(w, "文件：%s（%s，%d 字节，SHA-256 %s）%s\n", r.FileName, importer.FormatNames[r.Format], r.Size, r.SHA256, mode)
	for _, c := range r.Unknown {
		fmt.Fprintf(w, "未识别的列（已忽略）：%s\n", c)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "说明：%s\n", n)
	}
	for _, p := range r.Problems {
		line := "错误\t" + p.Text
		if p.Value != "" {
			line += "（填写的是「" + p.Value + "」）"
		}
		fmt.Fprintln(w, line)
	}
	if len(r.Problems) == 0 {
		for _, o := range r.Outcomes {
			line := fmt.Sprintf("第 %d 行\t%s\t%s\t%s\t家庭成员 %d 人\t%s", o.Row, importer.ActionNames[o.Action], o.Name, o.IDNumber, o.Members, o.Category)
			if o.Sheet != "" {
				line = "工作表「" + o.Sheet + "」" + line
			}
			if o.FileNo != "" {
				line += "\t档案 " + o.FileNo
			}
			if len(o.Changed) > 0 {
				line += "\t变更：" + strings.Join(o.Changed, "、")
			}
			fmt.Fprintln(w, line)
		}
		if shown := len(r.Outcomes); shown < r.Households {
			fmt.Fprintf(w, "……另有 %d 户未逐一列出\n", r.Households-shown)
		}
	}
	fmt.Fprintln(w, r.Summary)
}

// progressBar draws the import's progress on one terminal line.
type progressBar struct {
	mu   sync.Mutex
	w    io.Writer
	dry  bool
	last time.Time
}

func (b *progressBar) show(p importer.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.last) < 100*time.Millisecond && p.Share != 1 {
		return
	}
	b.last = time.Now()
	pct, msg := importer.Percent(p, b.dry)
	const width = 30
	if pct < 0 {
		fmt.Fprintf(b.w, "\r[%s] %s   ", strings.Repeat("·", width), msg)
		return
	}
	n := int(pct / 100 * width)
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%% %s   ", strings.Repeat("█", n), strings.Repeat("·", width-n), pct, msg)
}

func (b *progressBar) done() { fmt.Fprintln(b.w) }

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
