package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"bangfu/internal/apperr"
	"bangfu/internal/household"
)

// uploadRoute is the one route whose body may exceed BodyLimit: documents up to household.MaxDocumentSize.
const uploadRoute = "/api/v1/households/:id/documents"

// householdRoutes registers the household files (SPEC §3, §9.2), referrals and the holiday calendar. Each
// route is the household or referral service method it calls, through the shapes of handle.go; the
// documents' upload and download (multipart and binary bodies) and the routes keyed by a second path
// parameter (a document of a household, a holiday's date) are written out, and still only bind, call one
// method and encode.
func (s *Server) householdRoutes(g *echo.Group) {
	hs, rs := s.households, s.referrals
	g.GET("/households", withQuery(hs.List))
	g.POST("/households", withBody(s, http.StatusCreated, hs.Create))
	g.POST("/households/duplicate-overrides", withBody(s, http.StatusNoContent, done(hs.GrantDuplicate)))
	g.GET("/households/:id", onID(hs.Get))
	g.PUT("/households/:id", withBodyOn(s, http.StatusOK, hs.Update))
	g.GET("/households/:id/members", childList(hs.Members))
	g.GET("/households/:id/visits", childList(hs.Visits))
	g.GET("/households/:id/objections", childList(hs.Objections))
	g.GET("/households/:id/history", withQueryOn(hs.History))
	g.POST("/households/:id/reveal", onID(hs.Reveal))
	g.GET("/households/:id/documents", childList(hs.Documents))
	g.POST("/households/:id/documents", s.uploadDocument)
	g.GET("/households/:id/documents/:doc", s.downloadDocument)
	g.DELETE("/households/:id/documents/:doc", s.deleteDocument)
	g.POST("/households/:id/:action", withAction(s, hs.Act))

	g.GET("/referrals", withQuery(rs.List))
	g.POST("/referrals", withBody(s, http.StatusCreated, rs.Create))
	g.GET("/referrals/:id", onID(rs.Get))
	g.POST("/referrals/:id/close", withBodyOn(s, http.StatusOK, rs.Finish))

	g.GET("/holidays", everyOfQuery(hs.Holidays))
	g.PUT("/holidays/:date", s.setHoliday)
	g.DELETE("/holidays/:date", s.deleteHoliday)
}

// uploadDocument reads a multipart form with "kind" and "file". The body is capped a little above the file
// limit (the form has headers too); a larger one is 413 too_large.
func (s *Server) uploadDocument(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	tooLarge := apperr.New(apperr.TooLarge, "文件过大，单个文件不能超过 %d MB", household.MaxDocumentSize>>20)
	const limit = household.MaxDocumentSize + 64<<10
	req := c.Request()
	if req.ContentLength > limit {
		return tooLarge
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	mr, err := req.MultipartReader()
	if err != nil {
		return apperr.Invalid("file", "请以 multipart/form-data 上传文件")
	}
	var kind, filename string
	var content []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge
			}
			return apperr.Invalid("file", "上传内容格式错误")
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 100))
			if err != nil {
				return uploadReadError(err, tooLarge)
			}
			kind = string(b)
		case "file":
			filename = part.FileName()
			content, err = io.ReadAll(io.LimitReader(part, household.MaxDocumentSize+1))
			if err != nil {
				return uploadReadError(err, tooLarge)
			}
			if len(content) > household.MaxDocumentSize {
				return tooLarge
			}
		}
		part.Close()
	}
	doc, err := s.households.AddDocument(req.Context(), actorOf(c), id, kind, filename, content)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, doc)
}

func uploadReadError(err error, tooLarge error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge
	}
	return apperr.Invalid("file", "上传内容读取失败")
}

// docPath reads a document's address: the household :id and its document :doc.
func docPath(c echo.Context) (id, doc int64, err error) {
	if id, err = pathID(c); err != nil {
		return 0, 0, err
	}
	doc, err = strconv.ParseInt(c.Param("doc"), 10, 64)
	if err != nil || doc <= 0 {
		return 0, 0, apperr.NotFoundf("材料不存在")
	}
	return id, doc, nil
}

func (s *Server) downloadDocument(c echo.Context) error {
	id, d, err := docPath(c)
	if err != nil {
		return err
	}
	doc, err := s.households.DocumentContent(c.Request().Context(), actorOf(c), id, d)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if c.QueryParam("inline") == "1" {
		disposition = "inline"
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": doc.Filename}))
	c.Response().Header().Set("X-Content-SHA256", doc.SHA256)
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, doc.MIME, doc.Content)
}

func (s *Server) deleteDocument(c echo.Context) error {
	id, d, err := docPath(c)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason" validate:"required,max=500"`
	}
	if err := s.bind(c, &in); err != nil {
		return err
	}
	if err := s.households.DeleteDocument(c.Request().Context(), actorOf(c), id, d, in.Reason); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) setHoliday(c echo.Context) error {
	var in struct {
		Name string `json:"name" validate:"required,max=50"`
	}
	if err := s.bind(c, &in); err != nil {
		return err
	}
	h, err := s.households.SetHoliday(c.Request().Context(), actorOf(c), household.Holiday{Date: c.Param("date"), Name: in.Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Server) deleteHoliday(c echo.Context) error {
	if err := s.households.DeleteHoliday(c.Request().Context(), actorOf(c), c.Param("date")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
