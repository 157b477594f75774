package importer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
)

// start uploads the file at path to jobs as a and waits for the job to finish.
func (f *fixture) start(jobs *Jobs, a actor.Actor, path string, dry bool) Job {
	f.t.Helper()
	file, err := os.Open(path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer file.Close()
	job, err := jobs.Start(context.Background(), a, file, Options{FileName: filepath.Base(path), DryRun: dry})
	if err != nil {
		f.t.Fatal(err)
	}
	if job, err = jobs.Wait(context.Background(), a, job.ID, 20*time.Second); err != nil || job.State == Running {
		f.t.Fatalf("job %+v: %v", job, err)
	}
	return job
}

// uploads lists the uploaded files waiting in the fixture's folder.
func (f *fixture) uploads() []string {
	f.t.Helper()
	m, err := filepath.Glob(filepath.Join(f.dir, uploadPattern))
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func badSample() [][]string {
	rows := sample()
	rows[5][10] = "运气不好" // row 6: cause
	return rows
}

func TestJobs_AnswerAfterARestartWithTheirReportAndADryRunStillRunsForReal(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	before := &Jobs{Service: f.svc, Dir: f.dir}
	bad := f.start(before, a, f.xlsx("bad.xlsx", badSample()), true)
	good := f.start(before, a, f.xlsx("good.xlsx", sample()), true)
	if bad.State != Done || len(bad.Report.Problems) != 1 || good.State != Done || len(good.Report.Problems) != 0 {
		t.Fatalf("before the restart: %+v / %+v", bad, good)
	}

	after := &Jobs{Service: f.svc, Dir: f.dir} // the server restarted: nothing in memory
	got, err := after.Get(context.Background(), a, bad.ID)
	if err != nil || got.State != Done || got.Report == nil || len(got.Report.Problems) != 1 ||
		got.Report.Problems[0].Text != bad.Report.Problems[0].Text || got.FileName != "bad.xlsx" || got.Percent != 100 {
		t.Fatalf("after the restart: %+v %v", got, err)
	}
	if _, err := after.Get(context.Background(), f.as("caseworker2"), bad.ID); err == nil {
		t.Error("another user sees the job")
	}
	wb, err := after.Report(context.Background(), a, bad.ID)
	if err != nil {
		t.Fatal("report workbook after the restart:", err)
	}
	wb.Close()
	run, err := after.RunForReal(context.Background(), a, good.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run, err = after.Wait(context.Background(), a, run.ID, 20*time.Second); err != nil || run.State != Done || !run.Report.Written {
		t.Fatalf("real run after the restart: %+v %v", run, err)
	}
	if f.count("households") != 3 {
		t.Fatalf("%d households", f.count("households"))
	}
	again := &Jobs{Service: f.svc, Dir: f.dir}
	got, err = again.Get(context.Background(), a, run.ID)
	if err != nil || got.State != Done || got.ImportID == 0 || got.Report == nil || got.Report.Create != 3 || got.Report.ID != got.ImportID {
		t.Fatalf("the real run after another restart: %+v %v", got, err)
	}
	if dry, _ := again.Get(context.Background(), a, good.ID); dry.RunID != run.ID {
		t.Errorf("dry run's real run %d, want %d", dry.RunID, run.ID)
	}
	if _, err := again.RunForReal(context.Background(), a, good.ID); err == nil {
		t.Error("a dry run ran for real twice")
	}
}

func TestJobs_AJobCutShortByARestartShowsAsInterruptedNotRunning(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	before := &Jobs{Service: f.svc, Dir: f.dir}
	path := filepath.Join(f.dir, "bangfu-import-cut")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The server stops after the job started and before it finished: its row says running.
	cut, err := before.create(context.Background(), a, path, 1, Options{FileName: "cut.xlsx"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A real run that committed just before the stop marked itself done in its own transaction.
	written, err := before.create(context.Background(), a, f.xlsx("good.xlsx", sample()), 1, Options{FileName: "good.xlsx"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Import(context.Background(), a, written.path, Options{FileName: "good.xlsx", JobID: written.ID}); err != nil {
		t.Fatal(err)
	}

	after := &Jobs{Service: f.svc, Dir: f.dir}
	got, err := after.Get(context.Background(), a, cut.ID)
	if err != nil || got.State != Failed || !got.Interrupted || got.Error == nil || !strings.Contains(got.Message, "中断") {
		t.Fatalf("cut job after the restart: %+v %v", got, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the cut job's upload is still there: %v", err)
	}
	got, err = after.Get(context.Background(), a, written.ID)
	if err != nil || got.State != Done || got.Interrupted || got.Report == nil || got.Report.Create != 3 {
		t.Fatalf("written job after the restart: %+v %v", got, err)
	}
	// The user may upload again: no job of theirs is left running.
	if job := f.start(after, a, f.xlsx("again.xlsx", sample()), true); job.State != Done {
		t.Fatalf("upload after the restart: %+v", job)
	}
}

func TestJobs_UploadsAreRemovedOnceNotNeededOrAfterTheirRetention(t *testing.T) {
	f := newFixture(t)
	clk := f.svc.Clock.(*clock.Manual)
	a := f.as("caseworker1")
	// A server that stopped left an old upload and a recent one (of a job it may still have had).
	stale, fresh := filepath.Join(f.dir, "bangfu-import-stale"), filepath.Join(f.dir, "bangfu-import-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-jobKeep - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	jobs := &Jobs{Service: f.svc, Dir: f.dir}
	// A real run that wrote everything needs its file no more; a dry run with refused rows keeps it for the
	// report with the bad cells highlighted.
	if job := f.start(jobs, a, f.xlsx("good.xlsx", sample()), false); job.State != Done {
		t.Fatalf("real run %+v", job)
	}
	bad := f.start(jobs, a, f.xlsx("bad.xlsx", badSample()), true)
	if up := f.uploads(); len(up) != 2 || !slices.Contains(up, fresh) {
		t.Fatalf("uploads after the runs: %v (want the fresh leftover and the dry run's file)", up)
	}
	// Past the retention the dry run's file goes; the job still answers with its report.
	clk.Advance(jobKeep + time.Minute)
	got, err := jobs.Get(context.Background(), a, bad.ID)
	if err != nil || got.Report == nil || len(got.Report.Problems) != 1 {
		t.Fatalf("job after the retention: %+v %v", got, err)
	}
	if up := f.uploads(); len(up) != 1 || up[0] != fresh {
		t.Fatalf("uploads after the retention: %v", up)
	}
	if _, err := jobs.Report(context.Background(), a, bad.ID); err == nil || !strings.Contains(err.Error(), "保留时间") {
		t.Errorf("report of a removed upload: %v", err)
	}
	// After a week the report of a run that wrote nothing goes too; the job's state stays.
	clk.Advance(reportKeep)
	if got, err := jobs.Get(context.Background(), a, bad.ID); err != nil || got.Report != nil || got.State != Done {
		t.Fatalf("job after a week: %+v %v", got, err)
	}
}

// An answer lists the first problems of a file with very many, and counts them all; the report workbook
// keeps every one.
func TestJobs_AnAnswerListsTheFirstProblemsAndTheWorkbookAll(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	rows := benchSurvey(2400)
	for i := 1; i < len(rows); i += 2 {
		rows[i][10] = "运气不好" // every head's cause: 1,200 problems
	}
	jobs := &Jobs{Service: f.svc, Dir: f.dir}
	job := f.start(jobs, a, f.csv("bad.csv", "utf-8", rows), true)
	if job.Report == nil || len(job.Report.Problems) != maxAnswered || job.Report.ProblemCount != 1200 {
		t.Fatalf("answer lists %d problems of %d", len(job.Report.Problems), job.Report.ProblemCount)
	}
	wb, err := jobs.Report(context.Background(), a, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := f.saveWorkbook(wb, "report.xlsx")
	report, _ := x.GetRows("导入报告")
	listed := 0
	for _, r := range report {
		if strings.Contains(strings.Join(r, " "), "运气不好") {
			listed++
		}
	}
	if listed != 1200 {
		t.Errorf("the workbook lists %d problems", listed)
	}
}

// A real run reads the file, then checks and writes each family in one pass: the bar runs from 0 to 50 while
// it reads and on to 100 while it writes, with no jump between.
func TestPercent_ARealRunsWritingFollowsItsReading(t *testing.T) {
	for _, c := range []struct {
		p    Progress
		dry  bool
		want float64
	}{
		{Progress{Phase: "read", Share: 1}, false, 50},
		{Progress{Phase: "write", Share: 0}, false, 50},
		{Progress{Phase: "write", Share: 0.5}, false, 75},
		{Progress{Phase: "write", Share: 1}, false, 100},
		{Progress{Phase: "read", Share: 1}, true, 60},
		{Progress{Phase: "check", Share: 1}, true, 100},
		{Progress{Phase: "read", Share: -1}, true, -1},
	} {
		if got, _ := Percent(c.p, c.dry); got != c.want {
			t.Errorf("Percent(%+v, dry %v) = %v, want %v", c.p, c.dry, got, c.want)
		}
	}
}
