package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/ledger"
)

// fundRoutes registers the ledger's API (SPEC §6, §9.2): accounts with balances, their statements, and the
// finance actions. Who may read and write is the ledger service's rule. A receipt and a budget name their fund
// by the path, and the allocations list is the accounts list of that kind: those three are written out.
func (s *Server) fundRoutes(g *echo.Group) {
	l := s.ledger
	g.GET("/funds", withQuery(l.Accounts))
	g.POST("/funds", withBody(s, http.StatusCreated, l.CreateAccount))
	g.GET("/funds/:id", onID(l.Account))
	g.GET("/funds/:id/transfers", withQueryOn(l.AccountStatement))
	g.POST("/funds/:id/receive", s.receiveFunds)
	g.POST("/funds/:id/budget", s.budgetFunds)
	g.GET("/funds/transfers/:id", onID(l.Transfer))
	g.POST("/funds/transfers/:id/reverse", withBodyOn(s, http.StatusCreated, l.Reverse))
	g.GET("/allocations", s.listAllocations)
	g.POST("/allocations", withBody(s, http.StatusCreated, l.Allocate))
}

func (s *Server) listAllocations(c echo.Context) error {
	var f ledger.AccountFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	f.Kind = string(ledger.Allocation)
	page, err := s.ledger.Accounts(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) receiveFunds(c echo.Context) error {
	id, in, err := idAndBody[ledger.ReceiveInput](s, c)
	if err != nil {
		return err
	}
	in.FundID = id
	t, err := s.ledger.Receive(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) budgetFunds(c echo.Context) error {
	id, in, err := idAndBody[ledger.BudgetInput](s, c)
	if err != nil {
		return err
	}
	in.FundID = id
	t, err := s.ledger.Budget(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}
