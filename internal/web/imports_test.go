package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bangfu/internal/demo"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// surveyHeader and surveyRow make a survey list (SPEC §8.3) as unions keep it.
var surveyHeader = []string{"姓名", "身份证号", "与户主关系", "户主身份证号", "性别", "联系电话", "所属工会", "家庭住址", "月收入", "困难原因", "银行卡号"}

func surveyHead(name string, n int, union string) []string {
	return []string{name, id(n), "本人", "", "", "13812345678", union, "滨江区西兴街道 1 号", "1500", "因病", demo.BankCard("622202", n)}
}

func surveyMember(name string, n, head int, relation string) []string {
	return []string{name, id(n), relation, id(head), "", "", "", "", "0", "", ""}
}

func surveyCSV(rows ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(surveyHeader)
	w.WriteAll(rows)
	return b.Bytes()
}

// uploadSurvey posts content as the "file" of a multipart form to POST /api/v1/imports?query.
func uploadSurvey(t *testing.T, srv *webtest.Server, c *webtest.Client, query, name string, content []byte) *webtest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/imports?"+query, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Send(req)
}

type importJob struct {
	ID      int64   `json:"id"`
	State   string  `json:"state"`
	DryRun  bool    `json:"dry_run"`
	Percent float64 `json:"percent"`
	RunID   int64   `json:"run_id"`
	Report  *struct {
		ID       int64 `json:"id"`
		Rows     int   `json:"rows"`
		Create   int   `json:"create"`
		Written  bool  `json:"written"`
		Problems []struct {
			Row    int    `json:"row"`
			Column string `json:"column"`
			Cell   string `json:"cell"`
			Value  string `json:"value"`
			Text   string `json:"text"`
		} `json:"problems"`
		Summary string `json:"summary"`
	} `json:"report"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// finished waits until job id is no longer running and answers it.
func finished(t *testing.T, c *webtest.Client, id int64) importJob {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var j importJob
		c.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/imports/%d", id), nil).Decode(&j)
		if j.State != "running" {
			return j
		}
	}
	t.Fatalf("import %d never finished", id)
	return importJob{}
}

func started(t *testing.T, r *webtest.Response) importJob {
	t.Helper()
	if r.Status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var j importJob
	r.Decode(&j)
	return j
}

func countHouseholds(t *testing.T, srv *webtest.Server) int {
	t.Helper()
	var n int
	if err := srv.DB.R.Get(&n, "SELECT count(*) FROM households"); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImports_DryRunReportsEachBadCellThenTheRealRunWritesTheFixedFile(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	bad := id(3)
	bad = bad[:17] + map[bool]string{true: "0", false: "1"}[bad[17] != '0'] // a wrong check digit
	file := surveyCSV(surveyHead("张建华", 1, "江南建设工程有限公司工会"), surveyMember("李秀英", 2, 1, "配偶"),
		[]string{"王强", bad, "本人", "", "", "13812345678", "江南建设工程有限公司工会", "滨江区 2 号", "1500", "因病", demo.BankCard("622202", 3)})
	j := finished(t, cw, started(t, uploadSurvey(t, srv, cw, "", "摸底.csv", file)).ID)
	if j.State != "done" || !j.DryRun || j.Report == nil || len(j.Report.Problems) != 1 {
		t.Fatalf("dry run: %+v", j)
	}
	p := j.Report.Problems[0]
	if p.Row != 4 || p.Column != "身份证号" || p.Cell != "B4" || !strings.Contains(p.Text, "第 4 行「身份证号」") ||
		strings.Contains(p.Value, bad[6:14]) {
		t.Errorf("problem %+v: row, column, cell, masked value", p)
	}
	// Its report downloads as a workbook, for the uploader only.
	rep := cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/imports/%d/report", j.ID), nil)
	if !strings.Contains(rep.Header.Get("Content-Type"), "spreadsheetml") || !bytes.HasPrefix(rep.Body, []byte("PK")) ||
		!strings.Contains(rep.Header.Get("Content-Disposition"), url.PathEscape("摸底-导入报告.xlsx")) {
		t.Errorf("report download: %v", rep.Header)
	}
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/imports/%d/report", j.ID), nil)
	// A dry run that found errors cannot be run for real; a real run of the bad file writes nothing.
	cw.Refused(http.StatusConflict, "conflict", "POST", fmt.Sprintf("/api/v1/imports/%d/run", j.ID), nil)
	real := finished(t, cw, started(t, uploadSurvey(t, srv, cw, "dry_run=0", "摸底.csv", file)).ID)
	if real.State != "failed" || real.Error == nil || real.Error.Code != "validation" || real.Report == nil || real.Report.Written {
		t.Fatalf("real run of a bad file: %+v", real)
	}
	if n := countHouseholds(t, srv); n != 0 {
		t.Fatalf("a refused file wrote %d households", n)
	}

	fixed := surveyCSV(surveyHead("张建华", 1, "江南建设工程有限公司工会"), surveyMember("李秀英", 2, 1, "配偶"),
		surveyHead("王强", 3, "悦来餐饮管理有限公司工会"))
	dry := finished(t, cw, started(t, uploadSurvey(t, srv, cw, "", "摸底.csv", fixed)).ID)
	if dry.State != "done" || len(dry.Report.Problems) != 0 || dry.Report.Create != 2 || dry.Percent != 100 {
		t.Fatalf("dry run of the fixed file: %+v", dry)
	}
	run := finished(t, cw, started(t, cw.Do("POST", fmt.Sprintf("/api/v1/imports/%d/run", dry.ID), nil)).ID)
	if run.State != "done" || run.DryRun || !run.Report.Written || run.Report.Create != 2 || run.Report.ID == 0 {
		t.Fatalf("real run: %+v", run)
	}
	var list struct {
		Total int `json:"total"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/households?status=draft", nil).Decode(&list)
	if list.Total != 2 {
		t.Errorf("%d drafts in the list after the import", list.Total)
	}
	// The dry run names its real run and is not run twice.
	var again importJob
	cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/imports/%d", dry.ID), nil).Decode(&again)
	if again.RunID != run.ID {
		t.Errorf("dry run's run_id = %d, want %d", again.RunID, run.ID)
	}
	cw.Refused(http.StatusConflict, "conflict", "POST", fmt.Sprintf("/api/v1/imports/%d/run", dry.ID), nil)

	// The same file again changes nothing and says so.
	same := finished(t, cw, started(t, uploadSurvey(t, srv, cw, "dry_run=0", "摸底.csv", fixed)).ID)
	if same.State != "done" || same.Report.Create != 0 || !strings.Contains(same.Report.Summary, "没有任何改动") {
		t.Fatalf("the same file twice: %+v", same.Report)
	}
	if n := countHouseholds(t, srv); n != 2 {
		t.Fatalf("%d households after importing the file twice", n)
	}

	// The history lists the two written runs, newest first, to the caseworker's scope only.
	var h struct {
		Total int `json:"total"`
		Items []struct {
			FileName string `json:"file_name"`
			By       string `json:"created_by"`
			Created  int    `json:"created"`
		} `json:"items"`
	}
	if err := json.Unmarshal(cw.Must(http.StatusOK, "GET", "/api/v1/imports", nil).Body, &h); err != nil {
		t.Fatal(err)
	}
	if h.Total != 2 || len(h.Items) != 2 || h.Items[0].Created != 0 || h.Items[1].Created != 2 || h.Items[1].FileName != "摸底.csv" || h.Items[1].By == "" {
		t.Fatalf("history: %+v", h)
	}
	if body := string(srv.Login("caseworker2").Must(http.StatusOK, "GET", "/api/v1/imports", nil).Body); !strings.Contains(body, `"total":0`) {
		t.Errorf("another union's caseworker: %s", body)
	}
	srv.Login("auditor1").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/imports?page=garbage", nil)
}

func TestImports_TemplateDownloadsForWhoMayImport(t *testing.T) {
	srv := webtest.New(t)
	for _, user := range []string{"caseworker1", "supervisor1"} {
		r := srv.Login(user).Must(http.StatusOK, "GET", "/api/v1/imports/template", nil)
		if !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") || !bytes.HasPrefix(r.Body, []byte("PK")) {
			t.Errorf("%s: template %v", user, r.Header)
		}
	}
	for _, user := range []string{"finance1", "auditor1", "admin"} {
		srv.Login(user).Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/imports/template", nil)
	}
}

// Role and scope are checked before the body is read: whatever is sent, a user who may not import gets 403.
func TestImports_RefusesRoleAndScopeWhateverTheBody(t *testing.T) {
	srv := webtest.New(t)
	file := surveyCSV(surveyHead("张建华", 1, "江南建设工程有限公司工会"))
	for _, user := range []string{"finance1", "auditor1", "admin"} {
		c := srv.Login(user)
		for _, body := range [][]byte{file, []byte("not a form at all")} {
			if r := uploadSurvey(t, srv, c, "", "x.csv", body); r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
				t.Errorf("%s: %d %s", user, r.Status, r.Body)
			}
		}
		c.Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/imports", "garbage")
	}
	sup := srv.Login("supervisor1")
	// A supervisor may check a file, not load it.
	if r := uploadSurvey(t, srv, sup, "dry_run=0", "x.csv", []byte("garbage")); r.Status != http.StatusForbidden {
		t.Errorf("supervisor's real run: %d %s", r.Status, r.Body)
	}
	if j := finished(t, sup, started(t, uploadSurvey(t, srv, sup, "", "x.csv", file)).ID); j.State != "done" {
		t.Errorf("supervisor's dry run: %+v", j)
	}
	// A default union outside the caseworker's subtree is refused before the file is read.
	cw := srv.Login("caseworker1")
	r := uploadSurvey(t, srv, cw, "org=BJ-XX-GH-01", "x.csv", []byte("garbage"))
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "不在你的范围内") {
		t.Errorf("out-of-scope default union: %d %s", r.Status, r.Body)
	}
	// A row naming a union outside the subtree is refused at its cell.
	j := finished(t, cw, started(t, uploadSurvey(t, srv, cw, "", "x.csv", surveyCSV(surveyHead("张建华", 1, "顺达物流有限公司工会")))).ID)
	if j.Report == nil || len(j.Report.Problems) != 1 || !strings.Contains(j.Report.Problems[0].Text, "第 2 行「所属工会」「顺达物流有限公司工会」不存在或不在你的范围内") {
		t.Errorf("row out of scope: %+v", j.Report)
	}
	// A job is its uploader's alone.
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil)
	sup.Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil)
	cw.Refused(http.StatusNotFound, "not_found", "GET", "/api/v1/imports/999", nil)
	cw.Refused(http.StatusNotFound, "not_found", "GET", "/api/v1/imports/abc", nil)
	srv.Anonymous().Refused(http.StatusUnauthorized, "unauthenticated", "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil)
}

func TestImports_MalformedUploadsGetAChineseErrorNeverA500(t *testing.T) {
	srv := webtest.New(t, func(c *web.Config) { c.ImportLimit = 1 << 20 })
	cw := srv.Login("caseworker1")
	// Over the size limit: 413 too_large, declared or not.
	big := bytes.Repeat([]byte("a,b\n"), 300_000)
	if r := uploadSurvey(t, srv, cw, "", "big.csv", big); r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "too_large" {
		t.Errorf("too large: %d %s", r.Status, r.Body)
	}
	// Sent without a length (chunked), the cap holds as the body is read.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "big.csv")
	fw.Write(big)
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/imports", io.MultiReader(&form))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", cw.CSRF)
	if req.ContentLength != 0 {
		t.Fatal("the request declares its length")
	}
	if r := cw.Send(req); r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "too_large" {
		t.Errorf("too large, chunked: %d %s", r.Status, r.Body)
	}
	// Not multipart, no file, an empty file.
	cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/imports", map[string]string{"file": "x"})
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("note", "no file")
	w.Close()
	req, _ = http.NewRequest("POST", srv.URL+"/api/v1/imports", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", cw.CSRF)
	if r := cw.Send(req); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "请选择要导入的文件") {
		t.Errorf("no file: %d %s", r.Status, r.Body)
	}
	if r := uploadSurvey(t, srv, cw, "", "empty.csv", nil); r.Status != http.StatusBadRequest {
		t.Errorf("empty file: %d %s", r.Status, r.Body)
	}
	// A broken multipart body.
	req, _ = http.NewRequest("POST", srv.URL+"/api/v1/imports", strings.NewReader("--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nabc"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=xx")
	req.Header.Set("X-CSRF-Token", cw.CSRF)
	if r := cw.Send(req); r.Status != http.StatusBadRequest {
		t.Errorf("truncated multipart: %d %s", r.Status, r.Body)
	}
	// Files that are not survey lists: read, refused with a Chinese message, nothing written.
	for name, content := range map[string][]byte{
		"zip.xlsx":    []byte("PK\x03\x04 this is no workbook"),
		"image.csv":   pngBytes(),
		"nohead.csv":  []byte("a,b,c\n1,2,3\n"),
		"quotes.csv":  []byte("姓名,身份证号\n\"unterminated,1\n"),
		"binary.xlsx": bytes.Repeat([]byte{0xff, 0x00, 0x81}, 1000),
	} {
		j := finished(t, cw, started(t, uploadSurvey(t, srv, cw, "", name, content)).ID)
		msg := ""
		if j.Error != nil {
			msg = j.Error.Message
			if j.Error.Code == "internal" {
				t.Errorf("%s: internal error %s", name, msg)
			}
		} else if j.Report != nil && len(j.Report.Problems) > 0 {
			msg = j.Report.Problems[0].Text
		}
		if msg == "" || !strings.ContainsFunc(msg, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("%s: no Chinese message: %+v", name, j)
		}
	}
	if n := countHouseholds(t, srv); n != 0 {
		t.Errorf("%d households written by malformed files", n)
	}
}

// One import at a time per user: a second upload while the first runs is a conflict, not a second writer.
func TestImports_ProgressOfALargeFileIsAskedWhileItRuns(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	rows := make([][]string, 0, 6000)
	for i := range 6000 {
		row := surveyHead(fmt.Sprintf("职工%d", i), 10+i, "江南建设工程有限公司工会")
		row[1] = demo.ResidentID("330108", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i), 1+i%900, i%2 == 0)
		rows = append(rows, row)
	}
	j := started(t, uploadSurvey(t, srv, cw, "wait=0", "large.csv", surveyCSV(rows...)))
	// While it runs, a second upload of the same user is refused.
	if j.State == "running" {
		if r := uploadSurvey(t, srv, cw, "wait=0", "again.csv", surveyCSV(rows[:1]...)); r.Status != http.StatusConflict {
			t.Errorf("a second upload while one runs: %d %s", r.Status, r.Body)
		}
	}
	seen := map[float64]bool{}
	for j.State == "running" {
		seen[j.Percent] = true
		time.Sleep(10 * time.Millisecond)
		cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).Decode(&j)
	}
	if j.State != "done" || j.Percent != 100 || j.Report.Rows != 6000 || len(j.Report.Problems) != 0 {
		t.Fatalf("large dry run: state %s percent %v rows %d problems %d: %s", j.State, j.Percent, j.Report.Rows, len(j.Report.Problems), j.Report.Summary)
	}
	if len(seen) == 0 {
		t.Fatal("the job was never seen running")
	}
	t.Logf("percentages seen while running: %v", seen)
}

// Import jobs are kept in the database (migration 22): after a restart the job, its report and the history
// still answer, and a passed dry run can still be run for real.
func TestImports_JobsAndTheirReportsAnswerAfterARestart(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	union := "江南建设工程有限公司工会"
	dry := started(t, uploadSurvey(t, srv, cw, "dry_run=1", "名单.csv", surveyCSV(surveyHead("王建国", 1, union),
		surveyMember("李秀英", 2, 1, "配偶"))))
	dry = finished(t, cw, dry.ID)
	if dry.State != "done" || dry.Report == nil || len(dry.Report.Problems) != 0 {
		t.Fatalf("dry run: %+v", dry)
	}

	srv.Restart()
	again := finished(t, cw, dry.ID)
	if again.State != "done" || again.Report == nil || again.Report.Rows != 2 || again.Report.Summary != dry.Report.Summary {
		t.Fatalf("dry run after the restart: %+v", again)
	}
	run := finished(t, cw, started(t, cw.Do("POST", fmt.Sprintf("/api/v1/imports/%d/run", dry.ID), nil)).ID)
	if run.State != "done" || !run.Report.Written || countHouseholds(t, srv) != 1 {
		t.Fatalf("real run after the restart: %+v", run)
	}

	srv.Restart()
	if got := finished(t, cw, run.ID); !got.Report.Written || got.Report.Create != 1 {
		t.Fatalf("real run after another restart: %+v", got)
	}
	var history struct {
		Total int `json:"total"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/imports", nil).Decode(&history)
	if history.Total != 1 {
		t.Errorf("history lists %d imports", history.Total)
	}
	cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/imports/%d/report", run.ID), nil)
	srv.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/imports/%d", run.ID), nil)
}
