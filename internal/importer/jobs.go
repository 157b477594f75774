package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/store"
)

// MaxFileSize is the largest survey list accepted by upload: a 100 MB workbook is streamed, never held.
const MaxFileSize = 100 << 20

// Job states. A job that read the file has a report whatever its state; a failed one has an error too (a
// real run refused by its rows, a file that could not be read, a database failure, a server restart).
const (
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// jobKeep is how long the uploaded file of a finished job stays for its owner to run it for real or download
// its report with the bad cells highlighted; reportKeep is how long a job that wrote nothing keeps its report.
// The job itself (state, counts, the written run's report in imports) stays.
const (
	jobKeep    = 2 * time.Hour
	reportKeep = 7 * 24 * time.Hour
	sweepEvery = time.Minute
)

// uploadPattern names the uploaded files in Dir, so that a sweep finds those of a server that stopped.
const uploadPattern = "bangfu-import-*"

// maxRunning bounds the imports running at once on the server (one each per user besides).
const maxRunning = 2

// Jobs runs the imports of the API in the background, so that the imports page can ask how far a large file
// is while it runs (SPEC §8.3 "progress shown for large files"). A job belongs to the user who uploaded the
// file: nobody else learns it exists. Each job is a row of import_jobs (migration 22) from its start, so that
// it answers after a restart; a running job's progress is kept in memory beside it, and a job that was
// running when the server stopped is failed as interrupted when the server next touches the jobs.
type Jobs struct {
	Service *Service
	Dir     string       // where uploaded files wait; "": the system's temporary folder
	Log     *slog.Logger // nil: slog.Default()

	once      sync.Once
	mu        sync.Mutex
	live      map[int64]*job // the running jobs of this server
	lastSweep time.Time
}

// Job is what GET /api/v1/imports/{id} answers.
type Job struct {
	ID          int64     `json:"id"`
	State       string    `json:"state"`
	Interrupted bool      `json:"interrupted,omitempty"` // failed because the server stopped while it ran
	DryRun      bool      `json:"dry_run"`
	FileName    string    `json:"file_name"`
	Size        int64     `json:"size"`
	OrgCode     string    `json:"org_code,omitempty"`
	Progress    Progress  `json:"progress"`
	Percent     float64   `json:"percent"` // the whole job, 0..100; -1 while it cannot be told (reading a workbook)
	Message     string    `json:"message"` // what the job is doing or did, in Chinese
	Report      *Report   `json:"report,omitempty"`
	Error       *JobError `json:"error,omitempty"`
	RunID       int64     `json:"run_id,omitempty"`    // the real run started from this dry run
	ImportID    int64     `json:"import_id,omitempty"` // the written run's row in the history
	Started     time.Time `json:"started_at"`
	Finished    time.Time `json:"finished_at,omitzero"`
}

// JobError is a failed job's error in the API's vocabulary (SPEC §9.2).
type JobError struct {
	Code    apperr.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

type job struct {
	Job
	owner int64
	path  string // the uploaded file
	done  chan struct{}
	a     actor.Actor
}

// Check refuses, before any of the file is read, an actor who may not import as opts asks: the role (a
// caseworker imports; a supervisor may check a file), and the default union's scope.
func (s *Service) Check(ctx context.Context, a actor.Actor, opts Options) error {
	if err := mayImport(a, opts.DryRun); err != nil {
		return err
	}
	if opts.OrgCode == "" {
		return nil
	}
	orgs, err := loadOrgs(ctx, s.DB.R)
	if err != nil {
		return err
	}
	if _, msg := orgs.resolve(a, opts.OrgCode); msg != "" {
		return apperr.Invalid("org", "默认工会"+msg)
	}
	return nil
}

// Start saves the file read from src (the caller bounds its size) and starts importing it as a; it answers
// the job as it is at once. Each user runs one import at a time.
func (j *Jobs) Start(ctx context.Context, a actor.Actor, src io.Reader, opts Options) (Job, error) {
	if err := j.Service.Check(ctx, a, opts); err != nil {
		return Job{}, err
	}
	j.init(ctx)
	if err := j.admit(a); err != nil {
		return Job{}, err
	}
	f, err := os.CreateTemp(j.Dir, uploadPattern)
	if err != nil {
		return Job{}, err
	}
	size, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size == 0 {
		err = apperr.Invalid("file", "上传的文件是空的，请选择填好的调查表")
	}
	if err != nil {
		os.Remove(f.Name())
		return Job{}, err
	}
	x, err := j.create(ctx, a, f.Name(), size, opts, 0)
	if err != nil {
		os.Remove(f.Name())
		return Job{}, err
	}
	return j.launch(x, opts), nil
}

// RunForReal starts the real run of the file of dry run id, which must have passed: the importer checks the
// file, then loads exactly the file it checked. A dry run starts one real run, however often it is asked.
func (j *Jobs) RunForReal(ctx context.Context, a actor.Actor, id int64) (Job, error) {
	if err := mayImport(a, false); err != nil {
		return Job{}, err
	}
	j.init(ctx)
	dry, err := j.load(ctx, a, id)
	if err != nil {
		return Job{}, err
	}
	switch {
	case !dry.DryRun:
		return Job{}, apperr.Conflictf("这已是正式导入，不能再次运行；如需重新导入请重新上传文件")
	case dry.State == Running:
		return Job{}, apperr.Conflictf("试导入尚未完成，不能正式导入")
	case dry.State != Done || dry.Report == nil || len(dry.Report.Problems) > 0:
		return Job{}, apperr.Conflictf("试导入发现错误，请按报告改正文件后重新上传")
	case dry.RunID != 0:
		return Job{}, apperr.Conflictf("该文件已开始正式导入（任务 %d）", dry.RunID)
	case dry.path == "":
		return Job{}, apperr.Conflictf("试导入的文件已超过保留时间被清除，请重新上传文件")
	}
	opts := Options{FileName: dry.FileName, OrgCode: dry.OrgCode}
	if err := j.Service.Check(ctx, a, opts); err != nil {
		return Job{}, err
	}
	if err := j.admit(a); err != nil {
		return Job{}, err
	}
	// The real run gets its own name for the same file: each job removes its own file.
	path := dry.path + "-run"
	if err := os.Link(dry.path, path); err != nil {
		if err := copyFile(dry.path, path); err != nil {
			return Job{}, err
		}
	}
	x, err := j.create(ctx, a, path, dry.Size, opts, id)
	if err != nil {
		os.Remove(path)
		return Job{}, err
	}
	return j.launch(x, opts), nil
}

var errNoJob = apperr.NotFoundf("导入任务不存在或已过期，请重新上传文件")

// Get answers the job id as it is now; only its owner sees it.
func (j *Jobs) Get(ctx context.Context, a actor.Actor, id int64) (Job, error) {
	j.init(ctx)
	j.sweepSometimes(ctx)
	x, err := j.load(ctx, a, id)
	if err != nil {
		return Job{}, err
	}
	if r := x.Report; r != nil && len(r.Problems) > maxAnswered {
		short := *r
		short.Problems = r.Problems[:maxAnswered]
		x.Report = &short
	}
	return x.Job, nil
}

// maxAnswered bounds the problems an answer of the API lists (a file of 100,000 bad rows would be 20 MB of
// JSON); problem_count counts them all, and the report workbook lists every one.
const maxAnswered = 1000

// Wait waits up to d for job id to finish (a small file is done at once) and answers it as it is then.
func (j *Jobs) Wait(ctx context.Context, a actor.Actor, id int64, d time.Duration) (Job, error) {
	j.mu.Lock()
	x, ok := j.live[id]
	j.mu.Unlock()
	if ok && x.owner == a.UserID {
		select {
		case <-x.done:
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	return j.Get(ctx, a, id)
}

// file answers the uploaded file and the finished report of job id, for the report workbook; the file is ""
// when the report needs none (nothing was refused).
func (j *Jobs) file(ctx context.Context, a actor.Actor, id int64) (string, Job, error) {
	x, err := j.load(ctx, a, id)
	if err != nil {
		return "", Job{}, err
	}
	if x.State == Running || x.Report == nil {
		return "", Job{}, apperr.Conflictf("导入尚未完成或没有读出报告，暂无报告可下载")
	}
	if len(x.Report.Problems) > 0 && x.path == "" {
		return "", Job{}, apperr.Conflictf("上传的文件已超过保留时间被清除，无法再生成标注错误的报告，请重新上传文件")
	}
	return x.path, x.Job, nil
}

func (j *Jobs) admit(a actor.Actor) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	running := 0
	for _, x := range j.live {
		if x.owner == a.UserID {
			return apperr.Conflictf("你已有一个导入正在进行（任务 %d），请等它完成后再上传", x.ID)
		}
		running++
	}
	if running >= maxRunning {
		return apperr.Conflictf("系统正在处理其他导入，请稍后再试")
	}
	return nil
}

// create records a new running job of a's file at path (from dry run `from`, if not 0).
func (j *Jobs) create(ctx context.Context, a actor.Actor, path string, size int64, opts Options, from int64) (*job, error) {
	now := j.Service.Clock.Now()
	x := &job{Job: Job{State: Running, DryRun: opts.DryRun, FileName: opts.FileName, Size: size,
		OrgCode: opts.OrgCode, Percent: 0, Message: "正在读取文件", Started: now,
		Progress: Progress{Phase: "read", Share: -1}},
		owner: a.UserID, path: path, done: make(chan struct{}), a: a}
	progress, _ := json.Marshal(x.Progress)
	id, err := store.InTx(ctx, j.Service.DB, func(tx *sqlx.Tx) (int64, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO import_jobs (owner, org_path, state, dry_run, file_name, size,
			org_code, upload, progress, percent, message, started_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.UserID, a.OrgPath, opts.DryRun, opts.FileName, size, opts.OrgCode, path, string(progress), 0, x.Message,
			store.FormatTime(now))
		if err != nil {
			return 0, err
		}
		id, err := res.LastInsertId()
		if err != nil || from == 0 {
			return id, err
		}
		// A dry run starts one real run: the second request finds run_id set.
		res, err = tx.ExecContext(ctx, "UPDATE import_jobs SET run_id = ? WHERE id = ? AND run_id IS NULL", id, from)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return 0, apperr.Conflictf("该文件已开始正式导入，请在导入记录中查看")
		}
		return id, nil
	})
	if err != nil {
		return nil, err
	}
	x.ID = id
	return x, nil
}

func (j *Jobs) launch(x *job, opts Options) Job {
	j.mu.Lock()
	if j.live == nil {
		j.live = map[int64]*job{}
	}
	j.live[x.ID] = x
	first := x.Job
	j.mu.Unlock()
	opts.JobID = x.ID
	opts.Progress = func(p Progress) {
		j.mu.Lock()
		x.Progress = p
		x.Percent, x.Message = Percent(p, opts.DryRun)
		j.mu.Unlock()
	}
	go j.run(x, opts)
	return first
}

// run imports the job's file; a real run is not cut short by its requester going away (the write is whole
// or nothing either way). The finished job is saved before it leaves memory, so that Wait and Get read it.
func (j *Jobs) run(x *job, opts Options) {
	defer close(x.done)
	r, err := j.Service.Import(context.Background(), x.a, x.path, opts)
	j.mu.Lock()
	x.Finished = j.Service.Clock.Now()
	if r.Rows > 0 || len(r.Problems) > 0 || err == nil {
		x.Report = &r
	}
	if err != nil {
		e := apperr.From(err)
		if e.Code == apperr.Internal {
			j.log().Error("import failed", "err", err, "job", x.ID, "user", x.a.Username)
			e = apperr.New(apperr.Internal, "导入时发生内部错误，没有写入任何数据，请稍后重试或联系管理员")
		}
		x.State, x.Error = Failed, &JobError{Code: e.Code, Message: e.Message, Fields: e.Fields}
		x.Message = e.Message
	} else {
		x.State, x.Percent, x.Message = Done, 100, r.Summary
	}
	if r.Written {
		x.ImportID = r.ID
	}
	// The upload is kept only while it may be needed: to run a passed dry run for real, or to highlight the
	// refused cells in the report.
	keep := x.Report != nil && (len(x.Report.Problems) > 0 || (x.DryRun && x.State == Done))
	fin, upload := x.Job, x.path
	j.mu.Unlock()
	if !keep {
		os.Remove(upload)
		upload = ""
	}
	if err := j.save(context.Background(), &fin, upload); err != nil {
		j.log().Error("import job not saved", "err", err, "job", x.ID)
	}
	j.mu.Lock()
	delete(j.live, x.ID)
	j.mu.Unlock()
}

func (j *Jobs) log() *slog.Logger {
	if j.Log != nil {
		return j.Log
	}
	return slog.Default()
}

// save records how job x ended. A written run's report is its imports row's; others keep theirs here.
func (j *Jobs) save(ctx context.Context, x *Job, upload string) error {
	progress, _ := json.Marshal(x.Progress)
	var jobErr, report sql.NullString
	if x.Error != nil {
		b, _ := json.Marshal(x.Error)
		jobErr = sql.NullString{String: string(b), Valid: true}
	}
	var rows, refused, households int
	if x.Report != nil {
		rows, refused, households = x.Report.Rows, x.Report.RowsRefused, x.Report.Households
		if x.ImportID == 0 {
			b, err := json.Marshal(x.Report)
			if err != nil {
				return err
			}
			report = sql.NullString{String: string(b), Valid: true}
		}
	}
	importID := sql.NullInt64{Int64: x.ImportID, Valid: x.ImportID != 0}
	return j.Service.DB.Write(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = ?, upload = ?, progress = ?, percent = ?, message = ?,
			error = ?, import_id = ?, report = ?, rows_total = ?, rows_refused = ?, households = ?, finished_at = ?
			WHERE id = ?`, x.State, upload, string(progress), x.Percent, x.Message, jobErr, importID, report, rows, refused,
			households, store.FormatTime(x.Finished), x.ID)
		return err
	})
}

// markWritten records, inside a real run's own transaction, that job id is done and which imports row holds
// its report: a run that committed is never shown as interrupted, whatever happens to the server after.
func markWritten(ctx context.Context, tx *sqlx.Tx, id, importID int64, r *Report, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = 'done', percent = 100, message = ?, import_id = ?,
		rows_total = ?, rows_refused = ?, households = ?, finished_at = ? WHERE id = ?`,
		r.Summary, importID, r.Rows, r.RowsRefused, r.Households, store.FormatTime(now), id)
	return err
}

type jobRow struct {
	ID         int64          `db:"id"`
	Owner      int64          `db:"owner"`
	State      string         `db:"state"`
	DryRun     bool           `db:"dry_run"`
	FileName   string         `db:"file_name"`
	Size       int64          `db:"size"`
	OrgCode    string         `db:"org_code"`
	Upload     string         `db:"upload"`
	Progress   string         `db:"progress"`
	Percent    float64        `db:"percent"`
	Message    string         `db:"message"`
	Error      sql.NullString `db:"error"`
	ImportID   sql.NullInt64  `db:"import_id"`
	Report     sql.NullString `db:"report"`
	RunID      sql.NullInt64  `db:"run_id"`
	StartedAt  string         `db:"started_at"`
	FinishedAt sql.NullString `db:"finished_at"`
}

// load answers job id of a: from memory while it runs here, otherwise from its row, with its report.
func (j *Jobs) load(ctx context.Context, a actor.Actor, id int64) (*job, error) {
	j.mu.Lock()
	if x, ok := j.live[id]; ok {
		defer j.mu.Unlock()
		if x.owner != a.UserID {
			return nil, errNoJob
		}
		c := *x
		return &c, nil
	}
	j.mu.Unlock()
	var row jobRow
	err := sqlx.GetContext(ctx, j.Service.DB.R, &row, `SELECT id, owner, state, dry_run, file_name, size, org_code,
		upload, progress, percent, message, error, import_id, report, run_id, started_at, finished_at
		FROM import_jobs WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && row.Owner != a.UserID) {
		return nil, errNoJob
	}
	if err != nil {
		return nil, err
	}
	x := &job{Job: Job{ID: row.ID, State: row.State, DryRun: row.DryRun, FileName: row.FileName, Size: row.Size,
		OrgCode: row.OrgCode, Percent: row.Percent, Message: row.Message, RunID: row.RunID.Int64,
		ImportID: row.ImportID.Int64}, owner: row.Owner, path: row.Upload}
	json.Unmarshal([]byte(row.Progress), &x.Progress)
	x.Started, _ = store.ParseTime(row.StartedAt)
	if row.FinishedAt.Valid {
		x.Finished, _ = store.ParseTime(row.FinishedAt.String)
	}
	if row.Error.Valid {
		x.Error = &JobError{}
		if err := json.Unmarshal([]byte(row.Error.String), x.Error); err != nil {
			return nil, err
		}
		x.Interrupted = x.Error.Code == codeInterrupted
	}
	report := row.Report
	if row.ImportID.Valid {
		if err := sqlx.GetContext(ctx, j.Service.DB.R, &report, "SELECT report FROM imports WHERE id = ?", row.ImportID.Int64); err != nil {
			return nil, err
		}
	}
	if report.Valid {
		x.Report = &Report{}
		if err := json.Unmarshal([]byte(report.String), x.Report); err != nil {
			return nil, err
		}
		if row.ImportID.Valid {
			x.Report.ID = row.ImportID.Int64
		}
	}
	return x, nil
}

// codeInterrupted marks the error of a job that the server's stop cut short.
const codeInterrupted apperr.Code = "interrupted"

var msgInterrupted = "服务器在导入进行中重启，导入被中断，没有写入任何数据；请重新上传文件"

// init, once per server, fails the jobs that a stopped server left running (nothing of them was written: a
// real run that committed marked itself done in its transaction) and sweeps old uploads.
func (j *Jobs) init(context.Context) {
	j.once.Do(func() {
		ctx := context.Background() // not the first request's: recovery runs once, whoever asks first

		e, _ := json.Marshal(JobError{Code: codeInterrupted, Message: msgInterrupted})
		var uploads []string
		err := j.Service.DB.Write(ctx, func(tx *sqlx.Tx) error {
			if err := tx.SelectContext(ctx, &uploads, "SELECT upload FROM import_jobs WHERE state = 'running' AND upload != ''"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = 'failed', upload = '', message = ?, error = ?,
				finished_at = ? WHERE state = 'running'`, msgInterrupted, string(e), store.FormatTime(j.Service.Clock.Now()))
			return err
		})
		if err != nil {
			j.log().Error("import jobs not recovered", "err", err)
		}
		for _, u := range uploads {
			os.Remove(u)
		}
		j.sweep(ctx)
	})
}

func (j *Jobs) sweepSometimes(ctx context.Context) {
	now := j.Service.Clock.Now()
	j.mu.Lock()
	due := now.Sub(j.lastSweep) >= sweepEvery
	j.mu.Unlock()
	if due {
		j.sweep(ctx)
	}
}

// sweep removes the uploads of jobs finished more than jobKeep ago, the reports of jobs that wrote nothing
// after reportKeep, and any upload in Dir older than jobKeep that no job holds (a server stopped before it
// could remove it).
func (j *Jobs) sweep(ctx context.Context) {
	now := j.Service.Clock.Now()
	j.mu.Lock()
	j.lastSweep = now
	held := map[string]bool{}
	for _, x := range j.live {
		held[x.path] = true
	}
	j.mu.Unlock()
	var expired []string
	err := j.Service.DB.Write(ctx, func(tx *sqlx.Tx) error {
		cut := store.FormatTime(now.Add(-jobKeep))
		if err := tx.SelectContext(ctx, &expired, `SELECT upload FROM import_jobs WHERE upload != '' AND state != 'running'
			AND finished_at < ?`, cut); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_jobs SET upload = '' WHERE upload != '' AND state != 'running'
			AND finished_at < ?`, cut); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET report = NULL WHERE report IS NOT NULL AND finished_at < ?`,
			store.FormatTime(now.Add(-reportKeep)))
		return err
	})
	if err != nil {
		j.log().Error("import sweep", "err", err)
		return
	}
	for _, u := range expired {
		os.Remove(u)
	}
	var kept []string
	if err := sqlx.SelectContext(ctx, j.Service.DB.R, &kept, "SELECT upload FROM import_jobs WHERE upload != ''"); err != nil {
		j.log().Error("import sweep", "err", err)
		return
	}
	for _, u := range kept {
		held[u] = true
	}
	dir := j.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	old, _ := filepath.Glob(filepath.Join(dir, uploadPattern))
	for _, path := range old {
		if held[path] {
			continue
		}
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > jobKeep {
			os.Remove(path)
		}
	}
}

// Percent is how far the whole import is (0..100, -1 when it cannot be told), from the phase it is in, and
// what it is doing in Chinese: a dry run reads and checks, a real run writes too.
func Percent(p Progress, dry bool) (float64, string) {
	type span struct{ from, width float64 }
	phases := map[string]span{"read": {0, 50}, "write": {50, 50}} // a real run checks each family as it writes it
	if dry {
		phases = map[string]span{"read": {0, 60}, "check": {60, 40}}
	}
	names := map[string]string{"read": "正在读取文件", "check": "正在校验", "write": "正在写入"}
	s := phases[p.Phase]
	msg := names[p.Phase]
	if p.Total > 0 {
		msg = fmt.Sprintf("%s（%d / %d）", msg, p.Done, p.Total)
	} else if p.Done > 0 {
		msg = fmt.Sprintf("%s（已读 %d 行）", msg, p.Done)
	}
	if p.Share < 0 {
		return -1, msg
	}
	return s.from + s.width*min(p.Share, 1), msg
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}
