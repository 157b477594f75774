package campaign

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/ident"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Delivery statuses.
const (
	Unconfirmed = "unconfirmed"
	Confirmed   = "confirmed"
	Reversed    = "reversed"
)

// DeliveryStatusNames are the Chinese names of a delivery's statuses.
var DeliveryStatusNames = map[string]string{Unconfirmed: "待签收", Confirmed: "已签收", Reversed: "已冲销"}

// SiteKinds are the kinds of work site (SPEC §5): a grassroots union's site, a named site, a rest station.
var SiteKinds = map[string]string{"org": "基层工会", "site": "作业点", "rest_station": "劳动者驿站"}

// CodeValidity is how long a receiver's one-time confirmation code is valid.
const CodeValidity = 7 * 24 * time.Hour

// Delivery is goods delivered to one work site, with the receiver's confirmation.
type Delivery struct {
	ID             int64          `db:"id" json:"id"`
	DeliveryNo     string         `db:"delivery_no" json:"delivery_no"`
	CampaignID     int64          `db:"campaign_id" json:"campaign_id"`
	CampaignName   string         `db:"campaign_name" json:"campaign_name"`
	OrgID          int64          `db:"org_id" json:"org_id"`
	OrgName        string         `db:"org_name" json:"org_name"`
	OrgPath        string         `db:"org_path" json:"-"`
	SiteOrgID      sql.NullInt64  `db:"site_org_id" json:"-"`
	SiteKind       string         `db:"site_kind" json:"site_kind"`
	SiteKindName   string         `db:"-" json:"site_kind_name"`
	SiteName       string         `db:"site_name" json:"site_name"`
	SiteAddress    string         `db:"site_address" json:"site_address"`
	Outdoor        bool           `db:"outdoor" json:"outdoor"`
	Workers        int64          `db:"workers" json:"workers"`
	DeliveredOn    string         `db:"delivered_on" json:"delivered_on"`
	ReceiverName   string         `db:"receiver_name" json:"receiver_name"`
	ReceiverPhone  string         `db:"receiver_phone" json:"receiver_phone"`
	ValueFen       money.Fen      `db:"value_fen" json:"value_fen"`
	Status         string         `db:"status" json:"status"`
	StatusName     string         `db:"-" json:"status_name"`
	CodeHash       sql.NullString `db:"code_hash" json:"-"`
	CodeExpiresRaw sql.NullString `db:"code_expires_at" json:"-"`
	CodeExpiresAt  string         `db:"-" json:"code_expires_at"`
	ConfirmMethod  string         `db:"confirm_method" json:"confirm_method"`
	SignatureRef   string         `db:"signature_ref" json:"signature_ref"`
	ConfirmedRaw   sql.NullString `db:"confirmed_at" json:"-"`
	ConfirmedAt    string         `db:"-" json:"confirmed_at"`
	ConfirmAddr    string         `db:"confirm_addr" json:"-"`
	CreatedBy      string         `db:"created_by_name" json:"created_by"`
	CreatedAt      string         `db:"created_at" json:"created_at"`
	ReversedRaw    sql.NullString `db:"reversed_at" json:"-"`
	ReversedAt     string         `db:"-" json:"reversed_at"`
	ReverseReason  string         `db:"reverse_reason" json:"reverse_reason"`
	Items          []Item         `db:"-" json:"items"`
	// Code is the one-time confirmation code, in the answer that creates it and nowhere else: the database
	// keeps only its SHA-256.
	Code    string   `db:"-" json:"confirmation_code,omitempty"`
	Actions []string `db:"-" json:"actions"`
}

// Item is one good of a delivery.
type Item struct {
	DeliveryID int64     `db:"delivery_id" json:"-"`
	GoodID     int64     `db:"good_id" json:"good_id"`
	GoodName   string    `db:"good_name" json:"good_name"`
	Unit       string    `db:"unit" json:"unit"`
	Quantity   int64     `db:"quantity" json:"quantity"`
	ValueFen   money.Fen `db:"value_fen" json:"value_fen"`
	TransferID int64     `db:"transfer_id" json:"transfer_id"`
}

func (d *Delivery) fill() {
	d.SiteKindName, d.StatusName = SiteKinds[d.SiteKind], DeliveryStatusNames[d.Status]
	d.CodeExpiresAt, d.ConfirmedAt, d.ReversedAt = d.CodeExpiresRaw.String, d.ConfirmedRaw.String, d.ReversedRaw.String
	if d.Status != Unconfirmed {
		d.CodeExpiresAt = ""
	}
	d.ReceiverPhone = ident.MaskPhone(d.ReceiverPhone)
	if d.Items == nil {
		d.Items = []Item{}
	}
	if d.Actions == nil {
		d.Actions = []string{}
	}
}

// Names are read by subquery, not by join: with go-sqlite3's SQLite a join in a statement with a bound
// parameter is prepared again on every execution (see internal/ledger).
const selectDelivery = `SELECT d.id, d.delivery_no, d.campaign_id, (SELECT c.name FROM campaigns c WHERE c.id = d.campaign_id) AS campaign_name, d.org_id,
	(SELECT o.name FROM orgs o WHERE o.id = d.org_id) AS org_name, d.org_path, d.site_org_id, d.site_kind, d.site_name,
	d.site_address, d.outdoor, d.workers, d.delivered_on, d.receiver_name, d.receiver_phone, d.value_fen, d.status,
	d.code_hash, d.code_expires_at, d.confirm_method, d.signature_ref, d.confirmed_at, d.confirm_addr, d.created_at,
	d.reversed_at, d.reverse_reason, coalesce((SELECT u.name FROM users u WHERE u.id = d.created_by), '') AS created_by_name
	FROM campaign_deliveries d`

const selectItems = `SELECT i.delivery_id, i.good_id, (SELECT g.name FROM campaign_goods g WHERE g.id = i.good_id) AS good_name,
	(SELECT g.unit FROM campaign_goods g WHERE g.id = i.good_id) AS unit, i.quantity, i.value_fen, i.transfer_id
	FROM campaign_delivery_items i`

func getDelivery(ctx context.Context, q sqlx.QueryerContext, cond string, arg any) (Delivery, error) {
	d, err := store.Get[Delivery](ctx, q, "配送记录不存在", selectDelivery+" WHERE "+cond, arg)
	if err != nil {
		return d, err
	}
	if err := sqlx.SelectContext(ctx, q, &d.Items, selectItems+" WHERE i.delivery_id = ? ORDER BY i.good_id", d.ID); err != nil {
		return d, err
	}
	d.fill()
	return d, nil
}

// deliveryInScope returns delivery id and its campaign if a sees the delivery.
func deliveryInScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Delivery, Campaign, error) {
	d, err := getDelivery(ctx, q, "d.id = ?", id)
	if err == nil && !a.Sees(d.OrgPath) {
		err = apperr.NotFoundf("配送记录不存在")
	}
	if err != nil {
		return Delivery{}, Campaign{}, err
	}
	c, err := get(ctx, q, d.CampaignID)
	return d, c, err
}

// NewItem is one good of a new delivery.
type NewItem struct {
	GoodID   int64 `json:"good_id"`
	Quantity int64 `json:"quantity"`
}

// NewDelivery is the input of Deliver.
type NewDelivery struct {
	SiteKind      string    `json:"site_kind"`
	SiteOrgID     int64     `json:"site_org_id"`
	SiteName      string    `json:"site_name" validate:"max=100"`
	SiteAddress   string    `json:"site_address" validate:"max=200"`
	Outdoor       bool      `json:"outdoor"`
	Workers       int64     `json:"workers"`
	DeliveredOn   string    `json:"delivered_on"`
	ReceiverName  string    `json:"receiver_name" validate:"max=40"`
	ReceiverPhone string    `json:"receiver_phone"`
	Items         []NewItem `json:"items" validate:"max=50"`
}

func checkDelivery(in *NewDelivery) error {
	in.SiteName, in.SiteAddress = strings.TrimSpace(in.SiteName), strings.TrimSpace(in.SiteAddress)
	in.ReceiverName, in.ReceiverPhone = strings.TrimSpace(in.ReceiverName), strings.TrimSpace(in.ReceiverPhone)
	fields := map[string]string{}
	switch in.SiteKind {
	case "org":
		if in.SiteOrgID <= 0 {
			fields["site_org_id"] = "请选择基层工会"
		}
	case "site", "rest_station":
		if in.SiteName == "" || utf8.RuneCountInString(in.SiteName) > 100 {
			fields["site_name"] = "请填写作业点或驿站名称"
		}
		if in.SiteAddress == "" || utf8.RuneCountInString(in.SiteAddress) > 200 {
			fields["site_address"] = "请填写地址"
		}
	default:
		fields["site_kind"] = "请选择配送点类型：基层工会、作业点或劳动者驿站"
	}
	if in.Workers <= 0 || in.Workers > 100_000 {
		fields["workers"] = "请填写覆盖职工人数"
	}
	if _, err := time.Parse("2006-01-02", in.DeliveredOn); err != nil {
		fields["delivered_on"] = "请填写配送日期"
	}
	if in.ReceiverName == "" || utf8.RuneCountInString(in.ReceiverName) > 40 {
		fields["receiver_name"] = "请填写收货人姓名"
	}
	if in.ReceiverPhone != "" && !ident.ValidMobile(in.ReceiverPhone) {
		fields["receiver_phone"] = "手机号码格式不正确"
	}
	if len(in.Items) == 0 {
		fields["items"] = "至少配送一种物资"
	}
	if len(in.Items) > 50 {
		fields["items"] = "一次最多配送 50 种物资"
	}
	seen := map[int64]bool{}
	for i, it := range in.Items {
		if it.GoodID <= 0 || seen[it.GoodID] {
			fields[fmt.Sprintf("items[%d].good_id", i)] = "请选择物资（每种只列一次）"
		}
		seen[it.GoodID] = true
		if it.Quantity <= 0 || it.Quantity > 10_000_000 {
			fields[fmt.Sprintf("items[%d].quantity", i)] = "数量应为正整数"
		}
	}
	return fieldErrors(fields)
}

// Deliver records goods delivered to a work site (SPEC §5): each good leaves its stock by a ledger transfer,
// refused when the stock does not cover it, under any interleaving of deliveries (the writes are serial and
// the check is in the transaction). The answer carries the receiver's one-time confirmation code. Caseworkers,
// in their scope.
func (s *Service) Deliver(ctx context.Context, a actor.Actor, campaignID int64, in NewDelivery) (Delivery, error) {
	if err := a.Require(caseworker...); err != nil {
		return Delivery{}, err
	}
	if err := checkDelivery(&in); err != nil {
		return Delivery{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Delivery, error) { return deliver(ctx, tx, a, now, campaignID, in) })
}

func deliver(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, campaignID int64, in NewDelivery) (Delivery, error) {
	c, err := campaignFor(ctx, tx, a, campaignID, ActDeliver, inScope)
	if err != nil {
		return Delivery{}, err
	}
	if in.DeliveredOn > clockDate(now) {
		return Delivery{}, apperr.Invalid("delivered_on", "配送日期不能晚于今天")
	}
	if in.DeliveredOn < c.StartsOn || in.DeliveredOn > c.EndsOn {
		return Delivery{}, apperr.Invalid("delivered_on", fmt.Sprintf("配送日期应在活动期间（%s 至 %s）", c.StartsOn, c.EndsOn))
	}
	// The delivery belongs to the site's union, or for a named site to the deeper of the recorder's org and
	// the campaign's: both lie on one branch of the tree, since the recorder sees the campaign.
	owner := org.Org{ID: a.OrgID, Path: a.OrgPath}
	if len(c.OrgPath) > len(a.OrgPath) {
		owner = org.Org{ID: c.OrgID, Path: c.OrgPath}
	}
	var siteOrg any
	if in.SiteKind == "org" {
		o, err := org.GetInScope(ctx, tx, a, in.SiteOrgID)
		if err != nil || o.Level != org.Grassroots || !strings.HasPrefix(o.Path, c.OrgPath) {
			return Delivery{}, apperr.Invalid("site_org_id", "请选择活动范围内、您管辖的基层工会")
		}
		owner, siteOrg = o, o.ID
		if in.SiteName == "" {
			in.SiteName = o.Name
		}
	}
	id, err := nextID(ctx, tx, "campaign_deliveries")
	if err != nil {
		return Delivery{}, err
	}
	ref := fmt.Sprint(id)
	type line struct {
		g   Good
		qty int64
	}
	var lines []line
	var total int64
	for i, it := range in.Items {
		g, err := getGood(ctx, tx, it.GoodID)
		if err != nil || g.CampaignID != c.ID {
			return Delivery{}, apperr.Invalid(fmt.Sprintf("items[%d].good_id", i), "本活动没有这种物资")
		}
		lines = append(lines, line{g, it.Quantity})
		total += it.Quantity * int64(g.UnitPriceFen)
	}
	code, hash := newCode()
	no := fmt.Sprintf("PS%s%06d", in.DeliveredOn[:4], id)
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_deliveries (id, delivery_no, campaign_id, org_id, org_path, site_org_id,
		site_kind, site_name, site_address, outdoor, workers, delivered_on, receiver_name, receiver_phone, value_fen, status,
		code_hash, code_expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unconfirmed', ?, ?, ?, ?)`,
		id, no, c.ID, owner.ID, owner.Path, siteOrg, in.SiteKind, in.SiteName, in.SiteAddress, in.Outdoor, in.Workers, in.DeliveredOn,
		in.ReceiverName, in.ReceiverPhone, total, hash, store.FormatTime(now.Add(CodeValidity)), a.UserID, store.FormatTime(now)); err != nil {
		return Delivery{}, err
	}
	for i, l := range lines {
		t, err := ledger.Move(ctx, tx, a, now, ledger.TransferInput{DebitAccountID: l.g.StockAccountID, CreditAccountID: l.g.IssueAccountID,
			Amount: l.qty, Unit: l.g.Unit, RefType: "campaign_delivery", RefID: ref,
			Memo: fmt.Sprintf("%s 配送%s %d %s 至%s（%s）", c.Name, l.g.Name, l.qty, l.g.Unit, in.SiteName, no)})
		if err != nil {
			if apperr.CodeOf(err) == apperr.Conflict {
				msg := fmt.Sprintf("%s库存不足：现有 %d %s，本次配送 %d %s", l.g.Name, l.g.StockQty, l.g.Unit, l.qty, l.g.Unit)
				return Delivery{}, &apperr.Error{Code: apperr.Conflict, Message: msg,
					Fields: map[string]string{fmt.Sprintf("items[%d].quantity", i): msg}}
			}
			return Delivery{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_delivery_items (delivery_id, good_id, quantity, value_fen, transfer_id)
			VALUES (?, ?, ?, ?, ?)`, id, l.g.ID, l.qty, l.qty*int64(l.g.UnitPriceFen), t.ID); err != nil {
			return Delivery{}, err
		}
	}
	d, err := getDelivery(ctx, tx, "d.id = ?", id)
	if err != nil {
		return Delivery{}, err
	}
	if err := audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.deliver", EntityType: "campaign_delivery",
		EntityID: ref, OrgID: owner.ID, OrgPath: owner.Path, After: d}); err != nil {
		return Delivery{}, err
	}
	d.Code = code
	d.Actions = deliveryActions(a, &c, &d)
	return d, nil
}

// codeAlphabet has no 0/O, 1/I/L: the code is read off paper and typed on a phone.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a one-time confirmation code (10 characters, about 49 bits: unguessable within its
// validity behind the public route's rate limit) and the hash the database keeps.
func newCode() (code, hash string) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("campaign: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	code = string(b[:5]) + "-" + string(b[5:])
	return code, codeHash(code)
}

// NormaliseCode reads a code as typed: case, spaces and dashes do not matter.
func NormaliseCode(s string) string {
	s = strings.ToUpper(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(codeAlphabet, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FormatCode writes a code as it is printed, XXXXX-XXXXX.
func FormatCode(code string) string {
	n := NormaliseCode(code)
	if len(n) != 10 {
		return n
	}
	return n[:5] + "-" + n[5:]
}

func codeHash(code string) string {
	h := sha256.Sum256([]byte("campaign-delivery:" + NormaliseCode(code)))
	return hex.EncodeToString(h[:])
}

// DeliveryActions lists the actions on a delivery, for the route table.
func DeliveryActions() []string { return []string{ActConfirm, ActReissueCode, ActReverseDelivery} }

// deliveryActions are the actions a may take on delivery d of campaign c now.
func deliveryActions(a actor.Actor, c *Campaign, d *Delivery) []string {
	out := []string{}
	for _, act := range []string{ActConfirm, ActReissueCode, ActReverseDelivery} {
		if Can(a, c, act) != nil {
			continue
		}
		switch {
		case act == ActReverseDelivery && d.Status != Reversed && a.Sees(c.OrgPath):
		case act != ActReverseDelivery && d.Status == Unconfirmed:
		default:
			continue
		}
		out = append(out, act)
	}
	return out
}

// DeliveryFilter selects deliveries.
type DeliveryFilter struct {
	Status  string `query:"status"`
	Q       string `query:"q"` // site name
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// DeliveryPage is one page of deliveries.
type DeliveryPage = RecordPage[Delivery]

// Deliveries lists the deliveries of campaign id in a's scope, unconfirmed first, newest first.
func (s *Service) Deliveries(ctx context.Context, a actor.Actor, id int64, f DeliveryFilter) (DeliveryPage, error) {
	r, err := s.listOf(ctx, a, id, "campaign_deliveries", "d")
	if err != nil {
		return DeliveryPage{}, err
	}
	if err := withStatus(r, "d.status", f.Status, DeliveryStatusNames); err != nil {
		return DeliveryPage{}, err
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		r.and("instr(d.site_name, ?) > 0", q)
	}
	out, err := readPage[Delivery](ctx, s.DB.R, r, selectDelivery, "d.status = 'unconfirmed' DESC, d.delivered_on DESC, d.id DESC", f.Page, f.PerPage)
	if err != nil {
		return DeliveryPage{}, err
	}
	items := out.Items
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	lines, err := store.SelectIn[Item](ctx, s.DB.R, selectItems+" WHERE i.delivery_id IN (?) ORDER BY i.good_id", ids)
	if err != nil {
		return DeliveryPage{}, err
	}
	byID := map[int64][]Item{}
	for _, l := range lines {
		byID[l.DeliveryID] = append(byID[l.DeliveryID], l)
	}
	for i := range items {
		items[i].Items = byID[items[i].ID]
		items[i].Actions = deliveryActions(a, &r.c, &items[i])
		items[i].fill()
	}
	return out, nil
}

// Delivery returns delivery id, for its page and its printed slip.
func (s *Service) Delivery(ctx context.Context, a actor.Actor, id int64) (Delivery, error) {
	if err := a.Require(readers...); err != nil {
		return Delivery{}, err
	}
	d, c, err := deliveryInScope(ctx, s.DB.R, a, id)
	if err != nil {
		return Delivery{}, err
	}
	d.Actions = deliveryActions(a, &c, &d)
	return d, nil
}

// DeliveryAction is the body of an action on a delivery.
type DeliveryAction struct {
	SignatureRef string `json:"signature_ref" validate:"max=100"` // confirm: the signed record's number or note
	Reason       string `json:"reason" validate:"max=500"`        // reverse-delivery
}

// ActOnDelivery confirms a delivery from the receiver's signature record, gives the receiver a new one-time
// code (the old one no longer works), or reverses it (finance, with a reason: its goods go back into stock).
func (s *Service) ActOnDelivery(ctx context.Context, a actor.Actor, id int64, action string, in DeliveryAction) (Delivery, error) {
	r, ok := rule(action)
	if !ok || (action != ActConfirm && action != ActReissueCode && action != ActReverseDelivery) {
		return Delivery{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(r.Roles...); err != nil {
		return Delivery{}, err
	}
	in.SignatureRef, in.Reason = strings.TrimSpace(in.SignatureRef), strings.TrimSpace(in.Reason)
	switch {
	case action == ActConfirm && (in.SignatureRef == "" || utf8.RuneCountInString(in.SignatureRef) > 100):
		return Delivery{}, apperr.Invalid("signature_ref", "请填写签收单编号或签字记录")
	case action == ActReverseDelivery && (in.Reason == "" || utf8.RuneCountInString(in.Reason) > 500):
		return Delivery{}, apperr.Invalid("reason", "请填写冲销原因")
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Delivery, error) {
		before, c, err := deliveryInScope(ctx, tx, a, id)
		if err != nil {
			return Delivery{}, err
		}
		if err := Can(a, &c, action); err != nil {
			return Delivery{}, err
		}
		var code, reason string
		switch action {
		case ActConfirm:
			if before.Status != Unconfirmed {
				return Delivery{}, apperr.Conflictf("该配送当前状态为「%s」，不能再确认签收", before.StatusName)
			}
			_, err = tx.ExecContext(ctx, `UPDATE campaign_deliveries SET status = 'confirmed', confirm_method = 'signature',
				signature_ref = ?, confirmed_at = ?, confirmed_by = ?, code_hash = NULL WHERE id = ?`,
				in.SignatureRef, store.FormatTime(now), a.UserID, id)
		case ActReissueCode:
			if before.Status != Unconfirmed {
				return Delivery{}, apperr.Conflictf("该配送当前状态为「%s」，无需确认码", before.StatusName)
			}
			var hash string
			code, hash = newCode()
			reason = "重新生成收货确认码，原确认码作废"
			_, err = tx.ExecContext(ctx, "UPDATE campaign_deliveries SET code_hash = ?, code_expires_at = ? WHERE id = ?",
				hash, store.FormatTime(now.Add(CodeValidity)), id)
		case ActReverseDelivery:
			if !a.Sees(c.OrgPath) {
				return Delivery{}, apperr.Forbiddenf("该活动由上级组织%s管理，您不能冲销其配送", c.OrgName)
			}
			if before.Status == Reversed {
				return Delivery{}, apperr.Conflictf("该配送已于 %s 冲销", before.ReversedAt[:10])
			}
			reason = in.Reason
			for _, it := range before.Items {
				if _, err := ledger.Reverse(ctx, tx, a, now, it.TransferID, ledger.ReverseInput{Reason: in.Reason}); err != nil {
					return Delivery{}, err
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE campaign_deliveries SET status = 'reversed', code_hash = NULL, reversed_at = ?,
				reversed_by = ?, reverse_reason = ? WHERE id = ?`, store.FormatTime(now), a.UserID, in.Reason, id)
		}
		if err != nil {
			return Delivery{}, err
		}
		after, err := getDelivery(ctx, tx, "d.id = ?", id)
		if err != nil {
			return Delivery{}, err
		}
		if err := audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign." + strings.ReplaceAll(action, "-", "_"),
			EntityType: "campaign_delivery", EntityID: fmt.Sprint(id), OrgID: after.OrgID, OrgPath: after.OrgPath,
			Before: before, After: after, Reason: reason}); err != nil {
			return Delivery{}, err
		}
		after.Code = code
		after.Actions = deliveryActions(a, &c, &after)
		return after, nil
	})
}

// Receipt is what the receiver's phone page shows before and after the confirmation: enough to recognise
// the delivery, nothing more (names masked, no phone).
type Receipt struct {
	DeliveryNo   string `json:"delivery_no"`
	CampaignName string `json:"campaign_name"`
	SiteName     string `json:"site_name"`
	DeliveredOn  string `json:"delivered_on"`
	ReceiverName string `json:"receiver_name"`
	Workers      int64  `json:"workers"`
	Items        []struct {
		GoodName string `json:"good_name"`
		Unit     string `json:"unit"`
		Quantity int64  `json:"quantity"`
	} `json:"items"`
	Status      string `json:"status"`
	StatusName  string `json:"status_name"`
	ConfirmedAt string `json:"confirmed_at"`
}

func receiptOf(d Delivery) Receipt {
	r := Receipt{DeliveryNo: d.DeliveryNo, CampaignName: d.CampaignName, SiteName: d.SiteName, DeliveredOn: d.DeliveredOn,
		ReceiverName: ident.MaskName(d.ReceiverName), Workers: d.Workers, Status: d.Status, StatusName: d.StatusName,
		ConfirmedAt: d.ConfirmedAt}
	r.Items = make([]struct {
		GoodName string `json:"good_name"`
		Unit     string `json:"unit"`
		Quantity int64  `json:"quantity"`
	}, len(d.Items))
	for i, it := range d.Items {
		r.Items[i].GoodName, r.Items[i].Unit, r.Items[i].Quantity = it.GoodName, it.Unit, it.Quantity
	}
	return r
}

// CodeInput is the body of the receiver's public requests.
type CodeInput struct {
	Code string `json:"code" validate:"max=40"`
}

// byCode finds the unconfirmed delivery a code opens: 404 for an unknown or used code, 409 for an expired
// one or a campaign no longer running.
func byCode(ctx context.Context, q sqlx.QueryerContext, now time.Time, code string) (Delivery, Campaign, error) {
	if n := NormaliseCode(code); len(n) != 10 {
		return Delivery{}, Campaign{}, apperr.Invalid("code", "确认码为 10 位字母和数字，请核对签收单")
	}
	d, err := getDelivery(ctx, q, "d.code_hash = ?", codeHash(code))
	if apperr.CodeOf(err) == apperr.NotFound {
		return Delivery{}, Campaign{}, &apperr.Error{Code: apperr.NotFound, Message: "确认码无效或已使用，请核对签收单",
			Fields: map[string]string{"code": "确认码无效或已使用"}}
	}
	if err != nil {
		return Delivery{}, Campaign{}, err
	}
	if d.CodeExpiresAt <= store.FormatTime(now) {
		return Delivery{}, Campaign{}, &apperr.Error{Code: apperr.Conflict, Message: "确认码已过期，请联系配送经办人重新生成",
			Fields: map[string]string{"code": "确认码已过期"}}
	}
	c, err := get(ctx, q, d.CampaignID)
	if err == nil && c.Status != Open {
		err = apperr.Conflictf("活动「%s」已结束，不能再确认签收", c.Name)
	}
	return d, c, err
}

// SlipCode checks that code is delivery id's live one-time code, for the QR code on the printed slip (配送签收单)
// that opens the receiver's phone page with the code filled in: the delivery in a's scope and unconfirmed, the
// code its own and not expired. The code itself is never stored, so only who holds it can have it drawn.
func (s *Service) SlipCode(ctx context.Context, a actor.Actor, id int64, in CodeInput) (Delivery, error) {
	if err := a.Require(readers...); err != nil {
		return Delivery{}, err
	}
	d, _, err := deliveryInScope(ctx, s.DB.R, a, id)
	if err != nil {
		return Delivery{}, err
	}
	if n := NormaliseCode(in.Code); len(n) != 10 {
		return Delivery{}, apperr.Invalid("code", "确认码为 10 位字母和数字，请核对签收单")
	}
	if d.Status != Unconfirmed || !d.CodeHash.Valid || d.CodeHash.String != codeHash(in.Code) {
		return Delivery{}, &apperr.Error{Code: apperr.NotFound, Message: "确认码无效或已使用，请核对签收单",
			Fields: map[string]string{"code": "确认码无效或已使用"}}
	}
	if d.CodeExpiresAt <= store.FormatTime(s.Clock.Now()) {
		return Delivery{}, &apperr.Error{Code: apperr.Conflict, Message: "确认码已过期，请重新生成确认码后再打印",
			Fields: map[string]string{"code": "确认码已过期"}}
	}
	return d, nil
}

// LookUpCode shows the receiver the delivery a code confirms. No login: the code is the credential.
func (s *Service) LookUpCode(ctx context.Context, in CodeInput) (Receipt, error) {
	d, _, err := byCode(ctx, s.DB.R, s.Clock.Now(), in.Code)
	if err != nil {
		return Receipt{}, err
	}
	return receiptOf(d), nil
}

// ConfirmByCode is the receiver's confirmation from the phone page (SPEC §5): no account, the one-time code
// is used once and expires, and the confirmation is audited with the phone's address. requestID and clientAddr
// identify the request in the audit trail.
func (s *Service) ConfirmByCode(ctx context.Context, in CodeInput, requestID, clientAddr string) (Receipt, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Receipt, error) {
		before, _, err := byCode(ctx, tx, now, in.Code)
		if err != nil {
			return Receipt{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_deliveries SET status = 'confirmed', confirm_method = 'code',
			confirmed_at = ?, confirm_addr = ?, code_hash = NULL WHERE id = ? AND status = 'unconfirmed'`,
			store.FormatTime(now), clientAddr, before.ID); err != nil {
			return Receipt{}, err
		}
		after, err := getDelivery(ctx, tx, "d.id = ?", before.ID)
		if err != nil {
			return Receipt{}, err
		}
		receiver := actor.Actor{Username: "receiver", Name: before.ReceiverName, OrgID: before.OrgID, OrgPath: before.OrgPath,
			RequestID: requestID, ClientAddr: clientAddr}
		return receiptOf(after), audit.Record(ctx, tx, receiver, now, audit.Entry{Action: "campaign.confirm_by_code",
			EntityType: "campaign_delivery", EntityID: fmt.Sprint(before.ID), OrgID: before.OrgID, OrgPath: before.OrgPath,
			Before: before, After: after, Reason: "收货人凭一次性确认码签收：" + ident.MaskName(before.ReceiverName)})
	})
}
