package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/household"
	"bangfu/internal/referral"
)

// uploadRoute is the one route whose body may exceed BodyLimit: documents up to household.MaxDocumentSize.
const uploadRoute = "/api/v1/households/:id/documents"

// householdRoutes registers the household files (SPEC §3, §9.2), referrals and the holiday calendar.
func (s *Server) householdRoutes(g *echo.Group) {
	g.GET("/households", s.listHouseholds)
	g.POST("/households", s.createHousehold)
	g.POST("/households/duplicate-overrides", s.grantDuplicate)
	g.GET("/households/:id", s.getHousehold)
	g.PUT("/households/:id", s.updateHousehold)
	g.GET("/households/:id/members", childList(s.households.Members))
	g.GET("/households/:id/visits", childList(s.households.Visits))
	g.GET("/households/:id/objections", childList(s.households.Objections))
	g.GET("/households/:id/history", s.history(s.householdHistory))
	g.POST("/households/:id/reveal", s.revealHousehold)
	g.GET("/households/:id/documents", childList(s.households.Documents))
	g.POST("/households/:id/documents", s.uploadDocument)
	g.GET("/households/:id/documents/:doc", s.downloadDocument)
	g.DELETE("/households/:id/documents/:doc", s.deleteDocument)
	g.POST("/households/:id/:action", s.householdAction)

	g.GET("/referrals", s.listReferrals)
	g.POST("/referrals", s.createReferral)
	g.GET("/referrals/:id", s.getReferral)
	g.POST("/referrals/:id/close", s.closeReferral)

	g.GET("/holidays", s.listHolidays)
	g.PUT("/holidays/:date", s.setHoliday)
	g.DELETE("/holidays/:date", s.deleteHoliday)
}

func (s *Server) listHouseholds(c echo.Context) error {
	var f household.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := s.households.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) createHousehold(c echo.Context) error {
	var in household.Input
	if err := s.bind(c, &in); err != nil {
		return err
	}
	h, err := s.households.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h)
}

func (s *Server) getHousehold(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	h, err := s.households.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Server) updateHousehold(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in household.Input
	if err := s.bind(c, &in); err != nil {
		return err
	}
	h, err := s.households.Update(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Server) householdAction(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in household.ActionInput
	if err := s.bind(c, &in); err != nil {
		return err
	}
	h, err := s.households.Act(c.Request().Context(), actorOf(c), id, c.Param("action"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Server) grantDuplicate(c echo.Context) error {
	var in struct {
		IDNumber string `json:"id_number" validate:"required,max=18"`
		Reason   string `json:"reason" validate:"required,max=500"`
	}
	if err := s.bind(c, &in); err != nil {
		return err
	}
	if err := s.households.GrantDuplicate(c.Request().Context(), actorOf(c), in.IDNumber, in.Reason); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// householdHistory is the household service's History in the shape history serves.
func (s *Server) householdHistory(ctx context.Context, _ sqlx.QueryerContext, a actor.Actor, id int64, page, perPage int) ([]audit.Event, int, error) {
	return s.households.History(ctx, a, id, page, perPage)
}

// history serves the audit timeline of one record (GET …/{id}/history) through the area's own History,
// which checks that the record is in the user's scope.
func (s *Server) history(fetch func(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64, page, perPage int) ([]audit.Event, int, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var q struct {
			Page    int `query:"page"`
			PerPage int `query:"per_page"`
		}
		if err := bindQuery(c, &q); err != nil {
			return err
		}
		events, total, err := fetch(c.Request().Context(), s.db.R, actorOf(c), id, q.Page, q.PerPage)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, list[audit.Event]{Items: events, Total: total})
	}
}

func (s *Server) revealHousehold(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := s.households.Reveal(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
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

func docID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("doc"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("材料不存在")
	}
	return id, nil
}

func (s *Server) downloadDocument(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := docID(c)
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
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := docID(c)
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

func (s *Server) listReferrals(c echo.Context) error {
	var f referral.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := s.referrals.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) createReferral(c echo.Context) error {
	var in referral.New
	if err := s.bind(c, &in); err != nil {
		return err
	}
	r, err := s.referrals.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) getReferral(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := s.referrals.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) closeReferral(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in referral.Close
	if err := s.bind(c, &in); err != nil {
		return err
	}
	r, err := s.referrals.Finish(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) listHolidays(c echo.Context) error {
	hs, err := s.households.Holidays(c.Request().Context(), actorOf(c), c.QueryParam("year"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[household.Holiday]{Items: hs, Total: len(hs)})
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
