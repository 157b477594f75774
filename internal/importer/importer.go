// Package importer owns the import of survey lists (摸底排查, SPEC §8.3): XLSX workbooks and CSV files of
// workers and their family members become draft households. A dry run names every bad cell and writes
// nothing; a real run is all-or-nothing in one write transaction, idempotent by ID number, and audited.
// Every rule of a household is the household area's own (household.Input.Check, the open-ID index).
package importer

import (
	"fmt"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Service imports survey lists. The CLI (`bangfu import`) and the API (POST /api/v1/imports) call it.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// Actions a row's household gets.
const (
	Create    = "create"    // a new draft household
	Update    = "update"    // a draft household of this head, changed by the file
	Unchanged = "unchanged" // the file says what the database already holds
	Review    = "review"    // a household past draft that the file would change: listed, never overwritten
)

// Actions lists the actions in the order a report shows them.
var Actions = []string{Create, Update, Unchanged, Review}

// ActionNames are the Chinese names of the actions.
var ActionNames = map[string]string{Create: "新建", Update: "更新", Unchanged: "无变化", Review: "需人工核对"}

// Options are what an import is asked to do besides the file.
type Options struct {
	FileName string // as the user named it; the audit event and the report carry it
	DryRun   bool
	OrgCode  string // the grassroots union of rows that name none
	// Progress, if set, is told how far the import is; it is called from the importing goroutine.
	Progress func(Progress)
	// JobID, if set, is the import_jobs row that a real run marks done in its own transaction.
	JobID int64
}

// Progress is how far an import is: the phase and its count, and Share (0..1) where the total is known.
type Progress struct {
	Phase string  `json:"phase"` // read, check, write
	Done  int     `json:"done"`
	Total int     `json:"total"`
	Share float64 `json:"share"` // -1 while unknown
}

// Problem is one refused cell (or the file itself, at row 0): where, what was there, and why, in Chinese.
type Problem struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Cell    string `json:"cell,omitempty"` // the cell's address in its sheet ("B17"), where the column is in the file
	Value   string `json:"value"`          // ID and card numbers masked
	Message string `json:"message"`
	Text    string `json:"text"` // 第 17 行「身份证号」校验位错误
}

// Outcome is what the import does (or would do) with one household of the file.
type Outcome struct {
	Sheet       string   `json:"sheet,omitempty"`
	Row         int      `json:"row"` // the head's row
	Name        string   `json:"name"`
	IDNumber    string   `json:"id_number"` // masked
	Members     int      `json:"members"`
	Action      string   `json:"action"`
	HouseholdID int64    `json:"household_id"`
	FileNo      string   `json:"file_no"`
	Status      string   `json:"status"`   // of the stored household, for update, unchanged and review
	Category    string   `json:"category"` // suggested by the policy in force
	Changed     []string `json:"changed"`  // the columns that differ, for update and review
}

// Report is the answer of an import, dry or real.
type Report struct {
	ID           int64     `json:"id"`
	FileName     string    `json:"file_name"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	Format       string    `json:"format"`
	DryRun       bool      `json:"dry_run"`
	Written      bool      `json:"written"` // a real run that committed
	Rows         int       `json:"rows"`    // data rows read: one per person
	RowsRefused  int       `json:"rows_refused"`
	Households   int       `json:"households"`
	Create       int       `json:"create"`
	Update       int       `json:"update"`
	Unchanged    int       `json:"unchanged"`
	Review       int       `json:"review"`
	Problems     []Problem `json:"problems"`      // the first maxAnswered in an API answer; all in the workbook
	ProblemCount int       `json:"problem_count"` // all of them
	Unknown      []string  `json:"unknown_columns"`
	Notes        []string  `json:"notes"`
	Outcomes     []Outcome `json:"outcomes"`
	Summary      string    `json:"summary"`
}

// summarize writes the one-line Chinese summary of r.
func (r *Report) summarize() {
	r.ProblemCount = len(r.Problems)
	switch {
	case r.Written && r.Create+r.Update == 0:
		r.Summary = fmt.Sprintf("共 %d 行、%d 户，与系统中已有数据一致，本次导入没有任何改动", r.Rows, r.Households)
	case r.Written:
		r.Summary = fmt.Sprintf("已导入：共 %d 行、%d 户，新建 %d 户，更新 %d 户，无变化 %d 户，需人工核对 %d 户",
			r.Rows, r.Households, r.Create, r.Update, r.Unchanged, r.Review)
	case len(r.Problems) > 0 && r.DryRun:
		r.Summary = fmt.Sprintf("试导入：共 %d 行，其中 %d 行有误；改正后才能正式导入", r.Rows, r.RowsRefused)
	case len(r.Problems) > 0:
		r.Summary = fmt.Sprintf("未导入：共 %d 行，其中 %d 行有误，整个文件没有写入任何数据", r.Rows, r.RowsRefused)
	default:
		r.Summary = fmt.Sprintf("试导入通过：共 %d 行、%d 户，正式导入将新建 %d 户，更新 %d 户，无变化 %d 户，需人工核对 %d 户",
			r.Rows, r.Households, r.Create, r.Update, r.Unchanged, r.Review)
	}
}

// ErrRefused is the error of a real run that wrote nothing because rows were refused; the report names them.
func errRefused(r *Report) error {
	return apperr.New(apperr.Validation, "文件中有 %d 行未通过校验，整个文件未导入，请按报告改正后重试", r.RowsRefused)
}

// mayImport: caseworkers register households (SPEC §1.2), so they import; a supervisor may check a file.
func mayImport(a actor.Actor, dryRun bool) error {
	if dryRun {
		return a.Require(actor.Caseworker, actor.Supervisor)
	}
	return a.Require(actor.Caseworker)
}

// AuditActions names every audit action code the importer writes itself (SPEC §7); the households it creates
// and updates are household.create and household.update.
var AuditActions = map[string]string{"import.run": "摸底导入·执行"}
