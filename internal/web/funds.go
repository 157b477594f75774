package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/ledger"
)

// fundRoutes registers the ledger's API (SPEC §6, §9.2): accounts with balances, their statements, and the
// finance actions. Who may read and write is the ledger service's rule.
func (s *Server) fundRoutes(g *echo.Group) {
	g.GET("/funds", s.listFunds)
	g.POST("/funds", s.createFund)
	g.GET("/funds/:id", s.getFund)
	g.GET("/funds/:id/transfers", s.fundStatement)
	g.POST("/funds/:id/receive", s.receiveFunds)
	g.POST("/funds/:id/budget", s.budgetFunds)
	g.GET("/funds/transfers/:id", s.getTransfer)
	g.POST("/funds/transfers/:id/reverse", s.reverseTransfer)
	g.GET("/allocations", s.listAllocations)
	g.POST("/allocations", s.allocate)
}

func (s *Server) listFunds(c echo.Context) error {
	var f ledger.AccountFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := s.ledger.Accounts(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
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

func (s *Server) createFund(c echo.Context) error {
	var in ledger.NewAccount
	if err := s.bind(c, &in); err != nil {
		return err
	}
	acc, err := s.ledger.CreateAccount(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, acc)
}

func (s *Server) getFund(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	acc, err := s.ledger.Account(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acc)
}

func (s *Server) fundStatement(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f ledger.StatementFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := s.ledger.AccountStatement(c.Request().Context(), actorOf(c), id, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) receiveFunds(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ledger.ReceiveInput
	if err := s.bind(c, &in); err != nil {
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
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ledger.BudgetInput
	if err := s.bind(c, &in); err != nil {
		return err
	}
	in.FundID = id
	t, err := s.ledger.Budget(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) allocate(c echo.Context) error {
	var in ledger.AllocateInput
	if err := s.bind(c, &in); err != nil {
		return err
	}
	t, err := s.ledger.Allocate(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) getTransfer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := s.ledger.Transfer(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) reverseTransfer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ledger.ReverseInput
	if err := s.bind(c, &in); err != nil {
		return err
	}
	t, err := s.ledger.Reverse(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}
