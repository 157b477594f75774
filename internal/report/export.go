// Package report owns what a union office reads rather than edits (SPEC §8.1): exports of the lists as
// XLSX or CSV. Each export reads through the owning area's service, so it sees exactly the rows, scope and
// masking that the list on screen shows.
package report

import (
	"context"
	"fmt"
	"os"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/export"
	"bangfu/internal/household"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/referral"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// Service answers the exports.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	// ActionNames are the Chinese names of the audit action codes (the web layer gathers them from the
	// areas); an action without one is exported by its code.
	ActionNames map[string]string
}

// Options are what an export request asks for besides the list's own filter.
type Options struct {
	Format   export.Format
	Unmasked bool   // full ID, phone and bank numbers: finance and auditors only, audited
	Filter   string // the list's filter as the request gave it (its query string), for the audit event
}

// File is a finished export in a temporary file; the caller sends it and calls Close, which removes it.
type File struct {
	*os.File
	Name string // the file name to offer, e.g. 困难职工档案.xlsx
	Rows int
}

// Close closes and removes the temporary file.
func (f *File) Close() error {
	err := f.File.Close()
	os.Remove(f.File.Name())
	return err
}

// pageSize is the page an export reads at a time through the area's list: the largest a list serves.
const pageSize = 200

// unmaskers may ask for an export with full numbers (SPEC §8.1).
var unmaskers = []actor.Role{actor.Finance, actor.Auditor}

// MayUnmask reports whether a may ask for an export with full numbers: the UI offers the unmasked export
// to exactly those the export refuses no one of.
func MayUnmask(a actor.Actor) bool { return a.Require(unmaskers...) == nil }

// write runs one export: it refuses a role that may not unmask before anything is read, writes the sheet to
// a temporary file, so that memory stays flat however long the list, and records the export — its list,
// filter, format, masking and row count — as an audit event (SPEC §7: every export is audited) before the
// file is handed out.
func (s *Service) write(ctx context.Context, a actor.Actor, list string, opt Options, sheet export.Sheet) (*File, error) {
	if opt.Unmasked {
		if !MayUnmask(a) {
			return nil, apperr.Forbiddenf("只有财务和经审可以导出不打码的名单")
		}
	}
	tmp, err := os.CreateTemp("", "bangfu-export-*")
	if err != nil {
		return nil, err
	}
	f := &File{File: tmp, Name: sheet.Name + "." + string(opt.Format)}
	if f.Rows, err = export.Write(tmp, opt.Format, sheet); err != nil {
		f.Close()
		return nil, err
	}
	masking := "打码"
	if opt.Unmasked {
		masking = "不打码"
	}
	err = s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		return audit.Record(ctx, tx, a, s.Clock.Now(), audit.Entry{Action: "export", EntityType: "export", EntityID: list,
			After:  map[string]any{"list": list, "filter": opt.Filter, "format": opt.Format, "unmasked": opt.Unmasked, "rows": f.Rows},
			Reason: fmt.Sprintf("导出%s（%s，%d 行）", sheet.Name, masking, f.Rows)})
	})
	if err == nil {
		_, err = tmp.Seek(0, 0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// pages reads a list page by page through fetch until a page comes back short, handing each page to emit.
func pages[T any](fetch func(page int) ([]T, error), emit func([]T) error) error {
	for page := 1; ; page++ {
		items, err := fetch(page)
		if err != nil {
			return err
		}
		if err := emit(items); err != nil {
			return err
		}
		if len(items) < pageSize {
			return nil
		}
	}
}

// unmasking says where an export that may show full numbers reads them: read is the owning area's
// FullNumbers for a page of item ids (it checks the role and scope again), id the item's id and key the id
// a number belongs to.
type unmasking[T, N any] struct {
	id   func(T) int64
	read func([]int64) ([]N, error)
	key  func(N) int64
}

// listRows is the Rows of a sheet read page by page through fetch, one row per item made by row. When the
// export is unmasked, the full numbers of each page are read through u and handed to row with their item
// (full is false when masked, or when u is nil: a list that has no numbers to unmask).
func listRows[T, N any](opt Options, fetch func(page int) ([]T, error), u *unmasking[T, N], row func(x T, n N, full bool) []any) func(emit func([]any) error) error {
	return func(emit func([]any) error) error {
		return pages(fetch, func(items []T) error {
			byID := map[int64]N{}
			if opt.Unmasked && u != nil && len(items) > 0 {
				ids := make([]int64, len(items))
				for i, x := range items {
					ids[i] = u.id(x)
				}
				numbers, err := u.read(ids)
				if err != nil {
					return err
				}
				for _, n := range numbers {
					byID[u.key(n)] = n
				}
			}
			for _, x := range items {
				var n N
				full := false
				if u != nil {
					n, full = byID[u.id(x)]
				}
				if err := emit(row(x, n, full)); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// maskedOnly refuses an unmasked export of a list that holds no full numbers to show.
func maskedOnly(opt Options, why string) error {
	if opt.Unmasked {
		return apperr.Invalid("unmasked", why)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// Households exports the household list that f selects.
func (s *Service) Households(ctx context.Context, a actor.Actor, f household.Filter, opt Options) (*File, error) {
	svc := &household.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "困难职工档案", Columns: []export.Column{
		{Title: "档案编号", Width: 18}, {Title: "户主姓名", Width: 10}, {Title: "身份证号", Width: 22}, {Title: "联系电话", Width: 14},
		{Title: "所属工会", Width: 24}, {Title: "状态", Width: 10}, {Title: "困难类别", Width: 10}, {Title: "建议类别", Width: 10},
		{Title: "主要致困原因", Width: 12}, {Title: "行业", Width: 8}, {Title: "农民工", Width: 8},
		{Title: "人均月收入", Kind: export.Money, Width: 12}, {Title: "建档日期", Kind: export.Date, Width: 12},
		{Title: "更新日期", Kind: export.Date, Width: 12},
	}}
	sheet.Rows = listRows(opt, func(page int) ([]household.Brief, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.List(ctx, a, f)
		return p.Items, err
	}, &unmasking[household.Brief, household.Numbers]{id: func(h household.Brief) int64 { return h.ID },
		read: func(ids []int64) ([]household.Numbers, error) { return household.FullNumbers(ctx, s.DB.R, a, ids) },
		key:  func(n household.Numbers) int64 { return n.ID }},
		func(h household.Brief, n household.Numbers, full bool) []any {
			id, phone := h.IDNumber, h.Phone
			if full {
				id, phone = n.IDNumber, n.Phone
			}
			filed := ""
			if h.FiledAt.Valid {
				filed = h.FiledAt.String
			}
			return []any{h.FileNo, h.Name, id, phone, h.OrgName, household.StatusNames[h.Status],
				household.CategoryNames[h.Category], household.CategoryNames[h.Suggested], household.CauseNames[h.MainCause],
				household.IndustryName(h.Industry), yesNo(h.Migrant), h.PerCapitaFen, filed, h.UpdatedAt}
		})
	return s.write(ctx, a, "households", opt, sheet)
}

// Applications exports the application list that f selects.
func (s *Service) Applications(ctx context.Context, a actor.Actor, f relief.Filter, opt Options) (*File, error) {
	svc := &relief.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "救助申请", Columns: []export.Column{
		{Title: "申请编号", Width: 18}, {Title: "类型", Width: 10}, {Title: "状态", Width: 12}, {Title: "申请人", Width: 10},
		{Title: "身份证号", Width: 22}, {Title: "联系电话", Width: 14}, {Title: "所属工会", Width: 24}, {Title: "年度", Kind: export.Int, Width: 8},
		{Title: "金额", Kind: export.Money, Width: 12}, {Title: "绿色通道", Width: 8}, {Title: "创建日期", Kind: export.Date, Width: 12},
	}}
	sheet.Rows = listRows(opt, func(page int) ([]relief.View, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.List(ctx, a, f)
		return p.Items, err
	}, &unmasking[relief.View, relief.Numbers]{id: func(v relief.View) int64 { return v.ID },
		read: func(ids []int64) ([]relief.Numbers, error) { return relief.FullNumbers(ctx, s.DB.R, a, ids) },
		key:  func(n relief.Numbers) int64 { return n.ID }},
		func(v relief.View, n relief.Numbers, full bool) []any {
			id, phone := v.ApplicantIDNumber, v.ApplicantPhone
			if full {
				id, phone = n.IDNumber, n.Phone
			}
			return []any{v.AppNo, relief.TypeNames[v.Type], relief.StatusNames[v.Status], v.ApplicantName, id, phone,
				v.OrgName, v.AidYear, v.AmountFen, yesNo(v.Green), v.CreatedAt}
		})
	return s.write(ctx, a, "applications", opt, sheet)
}

// Referrals exports the referral list that f selects (names and numbers as the list shows them).
func (s *Service) Referrals(ctx context.Context, a actor.Actor, f referral.Filter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "转介名单只能打码导出"); err != nil {
		return nil, err
	}
	svc := &referral.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "转介跟踪", Columns: []export.Column{
		{Title: "姓名", Width: 10}, {Title: "身份证号", Width: 22}, {Title: "联系电话", Width: 14}, {Title: "转介工会", Width: 24},
		{Title: "原因", Width: 30}, {Title: "跟进日期", Kind: export.Date, Width: 12}, {Title: "状态", Width: 10},
		{Title: "帮扶金额", Kind: export.Money, Width: 12}, {Title: "结果", Width: 24}, {Title: "转介日期", Kind: export.Date, Width: 12},
	}}
	sheet.Rows = listRows[referral.Referral, struct{}](opt, func(page int) ([]referral.Referral, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.List(ctx, a, f)
		return p.Items, err
	}, nil, func(r referral.Referral, _ struct{}, _ bool) []any {
		return []any{r.Name, r.IDNumber, r.Phone, r.OrgName, r.Reason, r.FollowUpDate, referral.StatusNames[r.Status],
			r.AmountFen, r.Outcome, r.CreatedAt}
	})
	return s.write(ctx, a, "referrals", opt, sheet)
}

// Transfers exports the statement of ledger account id that f selects.
func (s *Service) Transfers(ctx context.Context, a actor.Actor, id int64, f ledger.StatementFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "台账明细不含证件号码，无需不打码导出"); err != nil {
		return nil, err
	}
	svc := &ledger.Service{DB: s.DB, Clock: s.Clock}
	account, err := svc.Account(ctx, a, id)
	if err != nil {
		return nil, err
	}
	sheet := export.Sheet{Name: "台账明细", Columns: []export.Column{
		{Title: "流水号", Kind: export.Int, Width: 10}, {Title: "日期", Kind: export.Date, Width: 12}, {Title: "类型", Width: 10},
		{Title: "借方账户", Width: 24}, {Title: "贷方账户", Width: 24}, {Title: "金额", Kind: export.Money, Width: 14},
		{Title: "单位", Width: 6}, {Title: "状态", Width: 8}, {Title: "凭证号", Width: 14}, {Title: "摘要", Width: 30}, {Title: "经办人", Width: 10},
	}}
	sheet.Rows = listRows[ledger.StatementLine, struct{}](opt, func(page int) ([]ledger.StatementLine, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.AccountStatement(ctx, a, account.ID, f)
		return p.Items, err
	}, nil, func(t ledger.StatementLine, _ struct{}, _ bool) []any {
		var amount any = money.Fen(t.Amount)
		if t.Unit != "CNY" {
			amount = t.Amount // goods are counted in their unit, not yuan
		}
		return []any{t.ID, t.CreatedAt, ledger.TransferKindNames[t.Kind], t.DebitName, t.CreditName, amount, t.Unit,
			ledger.StateNames[t.State], t.VoucherNo, t.Memo, t.Actor}
	})
	return s.write(ctx, a, "transfers", opt, sheet)
}

// AuditActions names every audit action code the report area writes (SPEC §8.1: every export is audited).
var AuditActions = map[string]string{"export": "导出"}
