package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// Good is one kind of cooling goods (藿香正气水, 绿豆 …) with its stock, all in its unit.
type Good struct {
	ID             int64     `db:"id" json:"id"`
	CampaignID     int64     `db:"campaign_id" json:"campaign_id"`
	Name           string    `db:"name" json:"name"`
	Unit           string    `db:"unit" json:"unit"`
	UnitPriceFen   money.Fen `db:"unit_price_fen" json:"unit_price_fen"`
	StockAccountID int64     `db:"stock_account_id" json:"stock_account_id"`
	IssueAccountID int64     `db:"issue_account_id" json:"-"`
	PurchasedQty   int64     `db:"purchased_qty" json:"purchased_qty"`
	DeliveredQty   int64     `db:"delivered_qty" json:"delivered_qty"`
	StockQty       int64     `db:"stock_qty" json:"stock_qty"` // from the ledger's stock account
	CreatedAt      string    `db:"created_at" json:"created_at"`
}

// The quantities come from the ledger: bought is what came into stock from outside net of reversals,
// delivered is what went out to sites net of reversals, stock is the account's balance.
const selectGood = `SELECT g.id, g.campaign_id, g.name, g.unit, g.unit_price_fen, g.stock_account_id, g.issue_account_id,
	g.created_at,
	(SELECT s.credits_posted - s.debits_posted FROM fund_accounts s WHERE s.id = g.stock_account_id) AS stock_qty,
	(SELECT i.credits_posted - i.debits_posted FROM fund_accounts i WHERE i.id = g.issue_account_id) AS delivered_qty,
	(SELECT coalesce(sum(p.quantity), 0) FROM campaign_purchases p WHERE p.good_id = g.id AND p.reversed_at IS NULL) AS purchased_qty
	FROM campaign_goods g`

// NewGood is the input of AddGood.
type NewGood struct {
	Name         string    `json:"name" validate:"required,max=40"`
	Unit         string    `json:"unit" validate:"required,max=8"`
	UnitPriceFen money.Fen `json:"unit_price_fen" validate:"gt=0,lte=100000000"`
}

// AddGood registers a good of a cooling campaign with its stock account. Finance, on a campaign it manages.
func (s *Service) AddGood(ctx context.Context, a actor.Actor, campaignID int64, in NewGood) (Good, error) {
	if err := a.Require(finance...); err != nil {
		return Good{}, err
	}
	in.Name, in.Unit = strings.TrimSpace(in.Name), strings.TrimSpace(in.Unit)
	fields := map[string]string{}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 40 {
		fields["name"] = "请填写物资名称（不超过 40 个字）"
	}
	if in.Unit == "" || utf8.RuneCountInString(in.Unit) > 8 || strings.ContainsAny(in.Unit, " ,\t\n") || in.Unit == money.CNY {
		fields["unit"] = "请填写计量单位，如 箱、盒、瓶（不超过 8 个字）"
	}
	if in.UnitPriceFen <= 0 || in.UnitPriceFen > 100_000_000 {
		fields["unit_price_fen"] = "单价应大于零且不超过 100 万元"
	}
	if err := fieldErrors(fields); err != nil {
		return Good{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Good, error) {
		c, err := campaignFor(ctx, tx, a, campaignID, ActAddGood, managed)
		if err != nil {
			return Good{}, err
		}
		var dup int
		if err := tx.GetContext(ctx, &dup, "SELECT count(*) FROM campaign_goods WHERE campaign_id = ? AND name = ?", c.ID, in.Name); err != nil {
			return Good{}, err
		}
		if dup > 0 {
			return Good{}, &apperr.Error{Code: apperr.Conflict, Message: "本活动已有物资：" + in.Name, Fields: map[string]string{"name": "已有同名物资"}}
		}
		id, err := nextID(ctx, tx, "campaign_goods")
		if err != nil {
			return Good{}, err
		}
		ref := fmt.Sprint(id)
		stock, err := ledger.EnsureAccount(ctx, tx, a, now, ledger.AccountRef{Kind: ledger.Stock, RefType: "campaign_good", RefID: ref,
			Unit: in.Unit, OrgID: c.OrgID, Name: c.Name + "·" + in.Name + "库存"})
		if err != nil {
			return Good{}, err
		}
		issued, err := ledger.EnsureAccount(ctx, tx, a, now, ledger.AccountRef{Kind: ledger.Expense, RefType: "campaign_good", RefID: ref,
			Unit: in.Unit, OrgID: c.OrgID, Name: c.Name + "·" + in.Name + "已配送"})
		if err != nil {
			return Good{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_goods (id, campaign_id, name, unit, unit_price_fen, stock_account_id,
			issue_account_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, c.ID, in.Name, in.Unit, in.UnitPriceFen,
			stock.ID, issued.ID, a.UserID, store.FormatTime(now)); err != nil {
			return Good{}, err
		}
		g, err := getGood(ctx, tx, id)
		if err != nil {
			return Good{}, err
		}
		return g, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.add_good", EntityType: "campaign",
			EntityID: fmt.Sprint(c.ID), OrgID: c.OrgID, OrgPath: c.OrgPath, After: g})
	})
}

func getGood(ctx context.Context, q sqlx.QueryerContext, id int64) (Good, error) {
	return store.Get[Good](ctx, q, "物资不存在", selectGood+" WHERE g.id = ?", id)
}

// Goods lists the goods of campaign id with their stock.
func (s *Service) Goods(ctx context.Context, a actor.Actor, id int64) ([]Good, error) {
	if _, err := s.readable(ctx, a, id); err != nil {
		return nil, err
	}
	return goodsOf(ctx, s.DB.R, id)
}

func goodsOf(ctx context.Context, q sqlx.QueryerContext, campaignID int64) ([]Good, error) {
	out := []Good{}
	err := sqlx.SelectContext(ctx, q, &out, selectGood+" WHERE g.campaign_id = ? ORDER BY g.id", campaignID)
	return out, err
}

// Purchase is goods bought into stock: its cost posted from the campaign's budget account and its quantity
// booked into the good's stock, by two transfers written together.
type Purchase struct {
	ID              int64          `db:"id" json:"id"`
	CampaignID      int64          `db:"campaign_id" json:"campaign_id"`
	GoodID          int64          `db:"good_id" json:"good_id"`
	GoodName        string         `db:"good_name" json:"good_name"`
	Unit            string         `db:"unit" json:"unit"`
	Supplier        string         `db:"supplier" json:"supplier"`
	InvoiceNo       string         `db:"invoice_no" json:"invoice_no"`
	Quantity        int64          `db:"quantity" json:"quantity"`
	CostFen         money.Fen      `db:"cost_fen" json:"cost_fen"`
	PurchasedOn     string         `db:"purchased_on" json:"purchased_on"`
	MoneyTransferID int64          `db:"money_transfer_id" json:"money_transfer_id"`
	GoodsTransferID int64          `db:"goods_transfer_id" json:"goods_transfer_id"`
	CreatedBy       string         `db:"created_by_name" json:"created_by"`
	CreatedAt       string         `db:"created_at" json:"created_at"`
	ReversedAtRaw   sql.NullString `db:"reversed_at" json:"-"`
	ReversedAt      string         `db:"-" json:"reversed_at"`
	ReverseReason   string         `db:"reverse_reason" json:"reverse_reason"`
}

const selectPurchase = `SELECT p.id, p.campaign_id, p.good_id, g.name AS good_name, g.unit, p.supplier, p.invoice_no, p.quantity,
	p.cost_fen, p.purchased_on, p.money_transfer_id, p.goods_transfer_id, p.created_at, p.reversed_at, p.reverse_reason,
	coalesce((SELECT u.name FROM users u WHERE u.id = p.created_by), '') AS created_by_name
	FROM campaign_purchases p JOIN campaign_goods g ON g.id = p.good_id`

// NewPurchase is the input of Buy.
type NewPurchase struct {
	GoodID         int64     `json:"good_id" validate:"required,gt=0"`
	Supplier       string    `json:"supplier" validate:"required,max=100"`
	InvoiceNo      string    `json:"invoice_no" validate:"required,max=64"`
	Quantity       int64     `json:"quantity" validate:"gt=0,lte=10000000"`
	CostFen        money.Fen `json:"cost_fen" validate:"gt=0,lte=10000000000"`
	PurchasedOn    string    `json:"purchased_on" validate:"required,datetime=2006-01-02"`
	IdempotencyKey string    `json:"idempotency_key" validate:"max=100"`
}

// Buy books a purchase into stock (SPEC §5, §6). Finance only, on a campaign it manages; the budget account
// can never be overspent, and an invoice of a supplier is booked once.
func (s *Service) Buy(ctx context.Context, a actor.Actor, campaignID int64, in NewPurchase) (Purchase, error) {
	if err := a.Require(finance...); err != nil {
		return Purchase{}, err
	}
	in.Supplier, in.InvoiceNo = strings.TrimSpace(in.Supplier), strings.TrimSpace(in.InvoiceNo)
	fields := map[string]string{}
	if in.GoodID <= 0 {
		fields["good_id"] = "请选择物资"
	}
	if in.Supplier == "" || utf8.RuneCountInString(in.Supplier) > 100 {
		fields["supplier"] = "请填写供应商"
	}
	if in.InvoiceNo == "" || utf8.RuneCountInString(in.InvoiceNo) > 64 {
		fields["invoice_no"] = "请填写发票号码"
	}
	if in.Quantity <= 0 || in.Quantity > 10_000_000 {
		fields["quantity"] = "数量应为正整数"
	}
	if in.CostFen <= 0 || in.CostFen > 10_000_000_000 {
		fields["cost_fen"] = "金额应大于零"
	}
	if _, err := time.Parse("2006-01-02", in.PurchasedOn); err != nil {
		fields["purchased_on"] = "请填写采购日期"
	}
	if utf8.RuneCountInString(in.IdempotencyKey) > 100 {
		fields["idempotency_key"] = "不能超过 100 个字"
	}
	if err := fieldErrors(fields); err != nil {
		return Purchase{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Purchase, error) { return buy(ctx, tx, a, now, campaignID, in) })
}

func buy(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, campaignID int64, in NewPurchase) (Purchase, error) {
	c, err := campaignFor(ctx, tx, a, campaignID, ActPurchase, managed)
	if err != nil {
		return Purchase{}, err
	}
	g, err := getGood(ctx, tx, in.GoodID)
	if err != nil || g.CampaignID != c.ID {
		return Purchase{}, apperr.Invalid("good_id", "本活动没有这种物资")
	}
	if in.PurchasedOn > clockDate(now) {
		return Purchase{}, apperr.Invalid("purchased_on", "采购日期不能晚于今天")
	}
	if in.IdempotencyKey != "" {
		var prior Purchase
		err := tx.GetContext(ctx, &prior, selectPurchase+` WHERE p.money_transfer_id =
			(SELECT t.id FROM fund_transfers t WHERE t.idempotency_key = ?)`, "purchase:"+in.IdempotencyKey)
		if err == nil {
			if prior.CampaignID != c.ID || prior.GoodID != in.GoodID || prior.Supplier != in.Supplier || prior.InvoiceNo != in.InvoiceNo ||
				prior.Quantity != in.Quantity || prior.CostFen != in.CostFen || prior.PurchasedOn != in.PurchasedOn {
				return Purchase{}, &apperr.Error{Code: apperr.Conflict, Message: "幂等键已用于另一笔内容不同的采购，请勿重复使用",
					Fields: map[string]string{"idempotency_key": "此幂等键已用于内容不同的采购"}}
			}
			prior.fill()
			return prior, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return Purchase{}, err
		}
	}
	var dup int
	if err := tx.GetContext(ctx, &dup, "SELECT count(*) FROM campaign_purchases WHERE supplier = ? AND invoice_no = ?", in.Supplier, in.InvoiceNo); err != nil {
		return Purchase{}, err
	}
	if dup > 0 {
		return Purchase{}, &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("%s的发票 %s 已登记过采购，不能重复入账", in.Supplier, in.InvoiceNo),
			Fields: map[string]string{"invoice_no": "该供应商的这张发票已登记"}}
	}
	id, err := nextID(ctx, tx, "campaign_purchases")
	if err != nil {
		return Purchase{}, err
	}
	ref := fmt.Sprint(id)
	memo := fmt.Sprintf("%s 采购%s %d %s（%s，发票 %s）", c.Name, g.Name, in.Quantity, g.Unit, in.Supplier, in.InvoiceNo)
	key := ""
	if in.IdempotencyKey != "" {
		key = "purchase:" + in.IdempotencyKey
	}
	cost, err := ledger.Move(ctx, tx, a, now, ledger.TransferInput{DebitAccountID: c.BudgetAccountID, CreditAccountID: c.ExpenseAccountID,
		Amount: int64(in.CostFen), IdempotencyKey: key, RefType: "campaign_purchase", RefID: ref, VoucherNo: in.InvoiceNo, Memo: memo})
	if err != nil {
		return Purchase{}, renameField(err, "amount", "cost_fen")
	}
	ext, err := ledger.ExternalAccount(ctx, tx, a, now, g.Unit)
	if err != nil {
		return Purchase{}, err
	}
	goods, err := ledger.Move(ctx, tx, a, now, ledger.TransferInput{DebitAccountID: ext.ID, CreditAccountID: g.StockAccountID,
		Amount: in.Quantity, Unit: g.Unit, RefType: "campaign_purchase", RefID: ref, VoucherNo: in.InvoiceNo, Memo: memo})
	if err != nil {
		return Purchase{}, renameField(err, "amount", "quantity")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_purchases (id, campaign_id, good_id, supplier, invoice_no, quantity, cost_fen,
		purchased_on, money_transfer_id, goods_transfer_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, c.ID, g.ID, in.Supplier, in.InvoiceNo, in.Quantity, in.CostFen, in.PurchasedOn, cost.ID, goods.ID, a.UserID,
		store.FormatTime(now)); err != nil {
		return Purchase{}, err
	}
	p, err := getPurchase(ctx, tx, id)
	if err != nil {
		return Purchase{}, err
	}
	return p, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.purchase", EntityType: "campaign_purchase",
		EntityID: ref, OrgID: c.OrgID, OrgPath: c.OrgPath, After: p})
}

func (p *Purchase) fill() { p.ReversedAt = p.ReversedAtRaw.String }

func getPurchase(ctx context.Context, q sqlx.QueryerContext, id int64) (Purchase, error) {
	p, err := store.Get[Purchase](ctx, q, "采购记录不存在", selectPurchase+" WHERE p.id = ?", id)
	if err != nil {
		return p, err
	}
	p.fill()
	return p, nil
}

// Purchases lists the purchases of campaign id, newest first.
func (s *Service) Purchases(ctx context.Context, a actor.Actor, id int64) ([]Purchase, error) {
	if _, err := s.readable(ctx, a, id); err != nil {
		return nil, err
	}
	out := []Purchase{}
	if err := sqlx.SelectContext(ctx, s.DB.R, &out, selectPurchase+" WHERE p.campaign_id = ? ORDER BY p.purchased_on DESC, p.id DESC", id); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].fill()
	}
	return out, nil
}

// Reverse is the body of a correction (冲销): the reason is required.
type Reverse struct {
	Reason string `json:"reason" validate:"max=500"`
}

// ReversePurchase corrects a purchase booked in error by reversing both its transfers (SPEC §6: nothing is
// edited or deleted). The goods must still be in stock. Finance only.
func (s *Service) ReversePurchase(ctx context.Context, a actor.Actor, id int64, in Reverse) (Purchase, error) {
	if err := a.Require(finance...); err != nil {
		return Purchase{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 500 {
		return Purchase{}, apperr.Invalid("reason", "请填写冲销原因")
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Purchase, error) {
		before, err := getPurchase(ctx, tx, id)
		if err != nil {
			return Purchase{}, err
		}
		c, err := managed(ctx, tx, a, before.CampaignID)
		if apperr.CodeOf(err) == apperr.NotFound {
			return Purchase{}, apperr.NotFoundf("采购记录不存在")
		} else if err != nil {
			return Purchase{}, err
		}
		if err := Can(a, &c, ActReversePurchase); err != nil {
			return Purchase{}, err
		}
		if before.ReversedAt != "" {
			return Purchase{}, apperr.Conflictf("该采购已于 %s 冲销", before.ReversedAt[:10])
		}
		// Goods first: a purchase whose goods were delivered cannot be taken back out of stock.
		if _, err := ledger.Reverse(ctx, tx, a, now, before.GoodsTransferID, ledger.ReverseInput{Reason: in.Reason}); err != nil {
			if apperr.CodeOf(err) == apperr.Conflict {
				return Purchase{}, apperr.Conflictf("库存不足以冲销这笔采购（物资已配送出去）：%s", apperr.From(err).Message)
			}
			return Purchase{}, err
		}
		if _, err := ledger.Reverse(ctx, tx, a, now, before.MoneyTransferID, ledger.ReverseInput{Reason: in.Reason}); err != nil {
			return Purchase{}, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE campaign_purchases SET reversed_at = ?, reversed_by = ?, reverse_reason = ? WHERE id = ?",
			store.FormatTime(now), a.UserID, in.Reason, id); err != nil {
			return Purchase{}, err
		}
		after, err := getPurchase(ctx, tx, id)
		if err != nil {
			return Purchase{}, err
		}
		return after, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.reverse_purchase", EntityType: "campaign_purchase",
			EntityID: fmt.Sprint(id), OrgID: c.OrgID, OrgPath: c.OrgPath, Before: before, After: after, Reason: in.Reason})
	})
}

// nextID is the id the next row of table will get. Writes run one at a time on the single writer connection
// (store.Write), so nothing else can take it before the insert; the ledger references need it first.
func nextID(ctx context.Context, tx *sqlx.Tx, table string) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, "SELECT coalesce(max(id), 0) + 1 FROM "+table)
	return id, err
}

// fieldErrors returns nil, one field's error, or several.
func fieldErrors(fields map[string]string) error {
	switch len(fields) {
	case 0:
		return nil
	case 1:
		for f, m := range fields {
			return apperr.Invalid(f, m)
		}
	}
	return apperr.FieldErrors(fields)
}

// renameField gives a ledger refusal the field name of this area's input.
func renameField(err error, from, to string) error {
	e := apperr.From(err)
	if e.Code == apperr.Internal {
		return err
	}
	if m, ok := e.Fields[from]; ok {
		out := *e
		out.Fields = map[string]string{to: m}
		return &out
	}
	return err
}
