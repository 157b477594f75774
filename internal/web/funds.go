package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/ledger"
)

// fundRoutes registers the ledger's API (SPEC §6, §9.2): accounts with balances, their statements, and the
// finance actions. Finance writes; auditors and supervisors read; everyone sees their own subtree only.
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

func (s *Server) books() ledger.Books { return ledger.Books{DB: s.db} }

// fundReader is who may read the ledger (SPEC §1.2).
func fundReader(c echo.Context) (actor.Actor, error) {
	a := actorOf(c)
	return a, a.Require(actor.Finance, actor.Auditor, actor.Supervisor)
}

func (s *Server) listFunds(c echo.Context) error {
	a, err := fundReader(c)
	if err != nil {
		return err
	}
	var f ledger.AccountFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	accs, total, err := ledger.ListAccounts(c.Request().Context(), s.db.R, a, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.Account]{Items: accs, Total: total})
}

func (s *Server) listAllocations(c echo.Context) error {
	a, err := fundReader(c)
	if err != nil {
		return err
	}
	var f ledger.AccountFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	f.Kind = string(ledger.Allocation)
	accs, total, err := ledger.ListAccounts(c.Request().Context(), s.db.R, a, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.Account]{Items: accs, Total: total})
}

// newAccount is the body of POST /funds: a fund source (kind "fund") or a budget line (kind "budget").
type newAccount struct {
	Kind     string   `json:"kind" validate:"required,oneof=fund budget"`
	Name     string   `json:"name" validate:"max=100"`
	Purposes []string `json:"purposes" validate:"max=8"`
	Year     int64    `json:"year"`
	AidType  string   `json:"aid_type"`
	Purpose  string   `json:"purpose"`
	OrgID    int64    `json:"org_id"`
}

func (s *Server) createFund(c echo.Context) error {
	var in newAccount
	if err := s.bind(c, &in); err != nil {
		return err
	}
	ctx, a, now := c.Request().Context(), actorOf(c), s.clock.Now()
	var acc ledger.Account
	var err error
	if in.Kind == string(ledger.FundSource) {
		acc, err = s.books().CreateFund(ctx, a, now, ledger.NewFund{Name: in.Name, Purposes: in.Purposes, OrgID: in.OrgID})
	} else {
		acc, err = s.books().CreateBudgetLine(ctx, a, now, ledger.NewBudgetLine{Year: in.Year, AidType: in.AidType,
			Purpose: in.Purpose, Name: in.Name, OrgID: in.OrgID})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, acc)
}

func (s *Server) getFund(c echo.Context) error {
	a, err := fundReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	acc, err := ledger.GetAccountInScope(c.Request().Context(), s.db.R, a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acc)
}

func (s *Server) fundStatement(c echo.Context) error {
	a, err := fundReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f ledger.StatementFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := ledger.GetAccountInScope(ctx, s.db.R, a, id)
	if err != nil {
		return err
	}
	lines, total, err := ledger.Statement(ctx, s.db.R, acc, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.StatementLine]{Items: lines, Total: total})
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
	t, err := s.books().Receive(c.Request().Context(), actorOf(c), s.clock.Now(), in)
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
	t, err := s.books().Budget(c.Request().Context(), actorOf(c), s.clock.Now(), in)
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
	t, err := s.books().Allocate(c.Request().Context(), actorOf(c), s.clock.Now(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) getTransfer(c echo.Context) error {
	a, err := fundReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := ledger.GetTransfer(ctx, s.db.R, id)
	if err != nil {
		return err
	}
	// A transfer is visible to whoever sees one of its (non-external) accounts.
	for _, accID := range []int64{t.DebitAccountID, t.CreditAccountID} {
		acc, err := ledger.GetAccount(ctx, s.db.R, accID)
		if err != nil {
			return err
		}
		if acc.Kind != ledger.External && a.Sees(acc.OrgPath) {
			return c.JSON(http.StatusOK, t)
		}
	}
	return apperr.NotFoundf("转账记录不存在")
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
	t, err := s.books().Reverse(c.Request().Context(), actorOf(c), s.clock.Now(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}
