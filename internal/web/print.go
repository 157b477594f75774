package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"bangfu/internal/apperr"
	"bangfu/internal/household"
	"bangfu/internal/report"
)

// printRoutes serve the print views (SPEC §8.1): the publicity list of a round and the approval forms of a
// selection, masked. The areas check roles and scope.
func (s *Server) printRoutes(g *echo.Group) {
	hs := &household.Service{DB: s.db, Clock: s.clock}
	g.GET("/households/publicity-rounds", everyOfQuery(hs.PublicityRounds))
	g.GET("/households/publicity-rounds/:start", func(c echo.Context) error {
		var f household.PublicityFilter
		if err := bindQuery(c, &f); err != nil {
			return err
		}
		l, err := hs.PublicityList(c.Request().Context(), actorOf(c), c.Param("start"), f)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, l)
	})
	g.GET("/applications/forms", func(c echo.Context) error {
		ids, err := idList(c.QueryParam("ids"), report.MaxForms)
		if err != nil {
			return err
		}
		forms, err := s.reports.ApprovalForms(c.Request().Context(), actorOf(c), ids)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, forms)
	})
}

// idList reads "3,1,2" as ids in that order, each once, at most most of them.
func idList(s string, most int) ([]int64, error) {
	bad := apperr.Invalid("ids", "请以逗号分隔申请编号（内部 id），最多 "+strconv.Itoa(most)+" 个")
	seen := map[int64]bool{}
	var ids []int64
	parts := strings.Split(s, ",")
	if len(parts) > most {
		return nil, bad
	}
	for _, part := range parts {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || id <= 0 {
			return nil, bad
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}
