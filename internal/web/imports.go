package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"bangfu/internal/apperr"
	"bangfu/internal/importer"
)

// importRoute is the survey-list upload (SPEC §8.3): its body may be as large as the import limit.
const importRoute = "/api/v1/imports"

// importWait is how long an upload's answer waits for its import by default: a small file's report comes
// back at once, a large one's job is answered running and the page asks GET /imports/{id} for its progress.
// wait=N (seconds, 0 to 10) asks for another wait.
const importWait = 2 * time.Second

func waitOf(c echo.Context) time.Duration {
	if n, err := strconv.Atoi(c.QueryParam("wait")); err == nil && n >= 0 && n <= 10 {
		return time.Duration(n) * time.Second
	}
	return importWait
}

func (s *Server) importRoutes(g *echo.Group) {
	g.GET("/imports", s.importHistory)
	g.POST("/imports", s.startImport)
	g.GET("/imports/template", s.importTemplate)
	g.GET("/imports/:id", s.getImport)
	g.GET("/imports/:id/report", s.importReport)
	g.POST("/imports/:id/run", s.runImport)
}

// importHistory lists the imports written in the caller's scope.
func (s *Server) importHistory(c echo.Context) error {
	var f importer.HistoryFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	h, err := s.imports.Service.History(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

// startImport takes a multipart form whose "file" is the survey list; dry_run (default 1) and org (the code of
// the grassroots union for rows that name none) are query parameters, so that role and scope are checked
// before a byte of the file is read.
func (s *Server) startImport(c echo.Context) error {
	a, req := actorOf(c), c.Request()
	ctx := req.Context()
	q := c.QueryParams()
	opts := importer.Options{DryRun: q.Get("dry_run") != "0" && q.Get("dry_run") != "false",
		OrgCode: strings.TrimSpace(q.Get("org"))}
	if err := s.imports.Service.Check(ctx, a, opts); err != nil {
		return err
	}
	tooLarge := apperr.New(apperr.TooLarge, "文件过大，导入的文件不能超过 %d MB", s.importLimit>>20)
	limit := s.importLimit + 64<<10 // the form's own headers
	if req.ContentLength > limit {
		return tooLarge
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	mr, err := req.MultipartReader()
	if err != nil {
		return apperr.Invalid("file", "请以 multipart/form-data 上传文件（字段名 file）")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadReadError(err, tooLarge)
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return uploadReadError(err, tooLarge)
			}
			continue
		}
		opts.FileName = uploadName(part.FileName())
		src := &cappedReader{r: part, left: s.importLimit}
		job, err := s.imports.Start(ctx, a, src, opts)
		if err != nil {
			if src.err != nil {
				if errors.Is(src.err, errCapped) {
					return tooLarge
				}
				return uploadReadError(src.err, tooLarge)
			}
			return err
		}
		if job, err = s.imports.Wait(ctx, a, job.ID, waitOf(c)); err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, job)
	}
	return apperr.Invalid("file", "请选择要导入的文件")
}

func (s *Server) getImport(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	job, err := s.imports.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, job)
}

// runImport runs the file of a passed dry run for real.
func (s *Server) runImport(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	a, ctx := actorOf(c), c.Request().Context()
	job, err := s.imports.RunForReal(ctx, a, id)
	if err != nil {
		return err
	}
	if job, err = s.imports.Wait(ctx, a, job.ID, waitOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, job)
}

// importTemplate sends the survey list to fill in, with the drop-down lists of the caller's scope.
func (s *Server) importTemplate(c echo.Context) error {
	wb, err := s.imports.Service.Template(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return sendWorkbook(c, wb)
}

// importReport sends a finished job's report as a workbook, the refused cells highlighted.
func (s *Server) importReport(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	wb, err := s.imports.Report(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendWorkbook(c, wb)
}

func sendWorkbook(c echo.Context, wb *importer.Workbook) error {
	defer wb.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(wb.Name))
	h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Response().WriteHeader(http.StatusOK)
	_, err := wb.WriteTo(c.Response())
	return err
}

func importID(c echo.Context) (int64, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, apperr.NotFoundf("导入任务不存在或已过期，请重新上传文件")
	}
	return id, nil
}

// uploadName is the file's own name as the user's report shows it: no folders, valid UTF-8, not too long.
func uploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if name == "." || name == "/" {
		name = ""
	}
	return name
}

var errCapped = errors.New("upload over the import limit")

// cappedReader reads at most left bytes and then fails; it keeps the read error it met, so that the handler
// can tell a too-large or broken upload from a failure of its own.
type cappedReader struct {
	r    io.Reader
	left int64
	err  error
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1] // one byte past the limit tells a file over it
	}
	n, err := c.r.Read(p)
	if int64(n) > c.left {
		c.err = errCapped
		return 0, c.err
	}
	c.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		c.err = err
	}
	return n, err
}
