package importer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
)

// MaxFileSize is the largest survey list accepted by upload: a 100 MB workbook is streamed, never held.
const MaxFileSize = 100 << 20

// Job states. A job that read the file has a report whatever its state; a failed one has an error too (a
// real run refused by its rows, a file that could not be read, a database failure).
const (
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// jobKeep is how long a finished job (its report and the uploaded file) stays for its owner to read, download
// and run for real.
const jobKeep = 2 * time.Hour

// maxRunning bounds the imports running at once on the server (one each per user besides).
const maxRunning = 2

// Jobs runs the imports of the API in the background, so that the imports page can ask how far a large file
// is while it runs (SPEC §8.3 "progress shown for large files"). A job belongs to the user who uploaded the
// file: nobody else learns it exists. Jobs live in the server's memory; the import itself, once written, is
// the imports row and its audit events.
type Jobs struct {
	Service *Service
	Dir     string       // where uploaded files wait; "": the system's temporary folder
	Log     *slog.Logger // nil: slog.Default()

	mu   sync.Mutex
	next int64
	jobs map[int64]*job
}

// Job is what GET /api/v1/imports/{id} answers.
type Job struct {
	ID       int64     `json:"id"`
	State    string    `json:"state"`
	DryRun   bool      `json:"dry_run"`
	FileName string    `json:"file_name"`
	Size     int64     `json:"size"`
	OrgCode  string    `json:"org_code,omitempty"`
	Progress Progress  `json:"progress"`
	Percent  float64   `json:"percent"` // the whole job, 0..100; -1 while it cannot be told (reading a workbook)
	Message  string    `json:"message"` // what the job is doing or did, in Chinese
	Report   *Report   `json:"report,omitempty"`
	Error    *JobError `json:"error,omitempty"`
	RunID    int64     `json:"run_id,omitempty"` // the real run started from this dry run
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at,omitzero"`
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
	if err := j.admit(a); err != nil {
		return Job{}, err
	}
	f, err := os.CreateTemp(j.Dir, "bangfu-import-*")
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
	return j.launch(a, f.Name(), size, opts), nil
}

// RunForReal starts the real run of the file of dry run id, which must have passed: the importer checks the
// file, then loads exactly the file it checked.
func (j *Jobs) RunForReal(ctx context.Context, a actor.Actor, id int64) (Job, error) {
	if err := mayImport(a, false); err != nil {
		return Job{}, err
	}
	j.mu.Lock()
	dry, ok := j.jobs[id]
	if !ok || dry.owner != a.UserID {
		j.mu.Unlock()
		return Job{}, errNoJob
	}
	switch {
	case !dry.DryRun:
		j.mu.Unlock()
		return Job{}, apperr.Conflictf("这已是正式导入，不能再次运行；如需重新导入请重新上传文件")
	case dry.State != Done:
		j.mu.Unlock()
		return Job{}, apperr.Conflictf("试导入尚未完成，不能正式导入")
	case dry.Report == nil || len(dry.Report.Problems) > 0:
		j.mu.Unlock()
		return Job{}, apperr.Conflictf("试导入发现错误，请按报告改正文件后重新上传")
	case dry.RunID != 0:
		j.mu.Unlock()
		return Job{}, apperr.Conflictf("该文件已开始正式导入（任务 %d）", dry.RunID)
	}
	src, name, size, opts := dry.path, dry.FileName, dry.Size, Options{FileName: dry.FileName, OrgCode: dry.OrgCode}
	j.mu.Unlock()
	if err := j.Service.Check(ctx, a, opts); err != nil {
		return Job{}, err
	}
	if err := j.admit(a); err != nil {
		return Job{}, err
	}
	// The real run gets its own name for the same file: each job removes its file when it expires.
	path := src + "-run"
	if err := os.Link(src, path); err != nil {
		if err := copyFile(src, path); err != nil {
			return Job{}, err
		}
	}
	opts.FileName = name
	run := j.launch(a, path, size, opts)
	j.mu.Lock()
	dry.RunID = run.ID
	j.mu.Unlock()
	return run, nil
}

var errNoJob = apperr.NotFoundf("导入任务不存在或已过期，请重新上传文件")

// Get answers the job id as it is now; only its owner sees it.
func (j *Jobs) Get(a actor.Actor, id int64) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep()
	x, ok := j.jobs[id]
	if !ok || x.owner != a.UserID {
		return Job{}, errNoJob
	}
	return x.snapshot(), nil
}

// Wait waits up to d for job id to finish (a small file is done at once) and answers it as it is then.
func (j *Jobs) Wait(a actor.Actor, id int64, d time.Duration) (Job, error) {
	j.mu.Lock()
	x, ok := j.jobs[id]
	j.mu.Unlock()
	if !ok || x.owner != a.UserID {
		return Job{}, errNoJob
	}
	select {
	case <-x.done:
	case <-time.After(d):
	}
	return j.Get(a, id)
}

// file answers the uploaded file and the finished report of job id, for the report workbook.
func (j *Jobs) file(a actor.Actor, id int64) (string, Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	x, ok := j.jobs[id]
	if !ok || x.owner != a.UserID {
		return "", Job{}, errNoJob
	}
	if x.State == Running || x.Report == nil {
		return "", Job{}, apperr.Conflictf("导入尚未完成或没有读出报告，暂无报告可下载")
	}
	return x.path, x.snapshot(), nil
}

func (j *Jobs) admit(a actor.Actor) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep()
	running := 0
	for _, x := range j.jobs {
		if x.State != Running {
			continue
		}
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

func (j *Jobs) launch(a actor.Actor, path string, size int64, opts Options) Job {
	j.mu.Lock()
	if j.jobs == nil {
		j.jobs = map[int64]*job{}
	}
	j.next++
	x := &job{Job: Job{ID: j.next, State: Running, DryRun: opts.DryRun, FileName: opts.FileName, Size: size,
		OrgCode: opts.OrgCode, Percent: 0, Message: "正在读取文件", Started: j.Service.Clock.Now(),
		Progress: Progress{Phase: "read", Share: -1}},
		owner: a.UserID, path: path, done: make(chan struct{}), a: a}
	j.jobs[x.ID] = x
	first := x.snapshot()
	j.mu.Unlock()
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
// or nothing either way).
func (j *Jobs) run(x *job, opts Options) {
	defer close(x.done)
	r, err := j.Service.Import(context.Background(), x.a, x.path, opts)
	j.mu.Lock()
	defer j.mu.Unlock()
	x.Finished = j.Service.Clock.Now()
	if r.Rows > 0 || len(r.Problems) > 0 || err == nil {
		x.Report = &r
	}
	if err != nil {
		e := apperr.From(err)
		if e.Code == apperr.Internal {
			log := j.Log
			if log == nil {
				log = slog.Default()
			}
			log.Error("import failed", "err", err, "job", x.ID, "user", x.a.Username)
			e = apperr.New(apperr.Internal, "导入时发生内部错误，没有写入任何数据，请稍后重试或联系管理员")
		}
		x.State, x.Error = Failed, &JobError{Code: e.Code, Message: e.Message, Fields: e.Fields}
		x.Message = e.Message
		return
	}
	x.State, x.Percent, x.Message = Done, 100, r.Summary
}

// Percent is how far the whole import is (0..100, -1 when it cannot be told), from the phase it is in, and
// what it is doing in Chinese: a dry run reads and checks, a real run writes too.
func Percent(p Progress, dry bool) (float64, string) {
	type span struct{ from, width float64 }
	phases := map[string]span{"read": {0, 50}, "check": {50, 25}, "write": {75, 25}}
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

// sweep drops finished jobs older than jobKeep and their files; j.mu is held.
func (j *Jobs) sweep() {
	now := j.Service.Clock.Now()
	for id, x := range j.jobs {
		if x.State != Running && now.Sub(x.Finished) > jobKeep {
			os.Remove(x.path)
			delete(j.jobs, id)
		}
	}
}

// Close removes every finished job's file (the server is stopping).
func (j *Jobs) Close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, x := range j.jobs {
		if x.State != Running {
			os.Remove(x.path)
		}
	}
}

func (x *job) snapshot() Job {
	c := x.Job
	return c
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
