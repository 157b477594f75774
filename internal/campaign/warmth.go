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
	"bangfu/internal/household"
	"bangfu/internal/ident"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// MaxWarmth bounds one run of a warmth list: every household is its own transaction.
const MaxWarmth = 500

// WarmthWorker is a holiday-duty worker without a file (节日坚守岗位职工, SPEC §4.1), put on the list by name.
type WarmthWorker struct {
	Name     string `json:"name" validate:"max=40"`
	IDNumber string `json:"id_number" validate:"max=18"`
	Phone    string `json:"phone" validate:"max=11"`
	OrgID    int64  `json:"org_id"`
	DutyNote string `json:"duty_note" validate:"max=200"`
}

// WarmthInput builds a warmth campaign's list (SPEC §5): households from a filter (category, union, status)
// or a pasted list of file numbers, and holiday-duty workers by name. AmountFen 0 is the policy's amount.
// DryRun lists who would be put on the list and writes nothing.
type WarmthInput struct {
	Category  string         `json:"category" validate:"max=20"`
	OrgID     int64          `json:"org_id"`
	Status    string         `json:"status" validate:"max=20"` // filed (default) or review_due
	FileNos   []string       `json:"file_nos" validate:"max=500"`
	Workers   []WarmthWorker `json:"workers" validate:"max=500"`
	AmountFen money.Fen      `json:"amount_fen" validate:"gte=0,lte=100000000"`
	DryRun    bool           `json:"dry_run"`
}

// Results of one item of a warmth run.
const (
	WarmthCreated = "created" // a warmth application created and submitted
	WarmthExists  = "exists"  // already on this campaign's list: nothing done (the run is idempotent)
	WarmthRefused = "refused" // a rule refused it: nothing written for it
	WarmthPreview = "preview" // dry run: would be tried
)

// WarmthResults are the results in display order; WarmthResultNames their Chinese names.
var (
	WarmthResults     = []string{WarmthCreated, WarmthExists, WarmthRefused, WarmthPreview}
	WarmthResultNames = map[string]string{WarmthCreated: "已生成", WarmthExists: "已在名单", WarmthRefused: "未通过", WarmthPreview: "待生成"}
)

// WarmthItem is one household or worker of a run, with its result and the reason in Chinese.
type WarmthItem struct {
	Ref           string      `json:"ref"` // the file number, or the worker's masked ID number
	HouseholdID   int64       `json:"household_id,omitempty"`
	Name          string      `json:"name"` // masked
	OrgName       string      `json:"org_name"`
	Result        string      `json:"result"`
	ApplicationID int64       `json:"application_id,omitempty"`
	AppNo         string      `json:"app_no,omitempty"`
	AppStatus     string      `json:"app_status,omitempty"`
	Code          apperr.Code `json:"code,omitempty"`
	Message       string      `json:"message"`
}

// WarmthRun is the outcome of a run: each item in order and the counts.
type WarmthRun struct {
	Items   []WarmthItem `json:"items"`
	Total   int          `json:"total"`
	Created int          `json:"created"`
	Existed int          `json:"existed"`
	Refused int          `json:"refused"`
}

// warmthCandidate is one entry of the list before it is tried.
type warmthCandidate struct {
	item        WarmthItem
	beneficiary string // as applications.beneficiary: "h:<household>" or "p:<ID number>"
	in          relief.Input
}

// ApplyWarmth puts households and holiday-duty workers on warmth campaign id's list and creates a warmth
// application for each through the relief area — drafted and submitted, each in its own transaction, so that
// every rule of SPEC §4.1 is checked per item (once per household per year, the yearly caps) and a refusal
// leaves nothing behind. Who is already on the list is skipped, so a second run changes nothing. The
// supervisors then decide the applications with the bulk approval. Caseworkers, in their scope.
func (s *Service) ApplyWarmth(ctx context.Context, a actor.Actor, id int64, in WarmthInput) (WarmthRun, error) {
	if err := a.Require(caseworker...); err != nil {
		return WarmthRun{}, err
	}
	if err := checkWarmth(&in); err != nil {
		return WarmthRun{}, err
	}
	c, err := campaignFor(ctx, s.DB.R, a, id, ActApplyWarmth, inScope)
	if err != nil {
		return WarmthRun{}, err
	}
	now := s.Clock.Now()
	cands, err := s.warmthList(ctx, a, now, c, in)
	if err != nil {
		return WarmthRun{}, err
	}
	out := WarmthRun{Items: make([]WarmthItem, 0, len(cands)), Total: len(cands)}
	for _, cand := range cands {
		item := cand.item
		if in.DryRun {
			if prior, ok, err := onList(ctx, s.DB.R, c.ID, cand.beneficiary); err != nil {
				return WarmthRun{}, err
			} else if ok {
				item = prior.exists(item)
				out.Existed++
			} else {
				item.Result, item.Message = WarmthPreview, "将生成送温暖申请并提交审批"
			}
			out.Items = append(out.Items, item)
			continue
		}
		item, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (WarmthItem, error) {
			return applyWarmth(ctx, tx, a, s.Clock.Now(), c.ID, cand)
		})
		if err != nil {
			e := apperr.From(err)
			if e.Code == apperr.Internal {
				return WarmthRun{}, err
			}
			item = cand.item
			item.Result, item.Code, item.Message = WarmthRefused, e.Code, refusal(e)
		}
		switch item.Result {
		case WarmthCreated:
			out.Created++
		case WarmthExists:
			out.Existed++
		case WarmthRefused:
			out.Refused++
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// WarmthApproval is what the bulk approval of a warmth list takes: the approver's opinion.
type WarmthApproval struct {
	Reason string `json:"reason"`
}

// ApproveWarmth decides the applications on campaign id's list that await a decision, in a's scope, with the
// relief area's bulk approval: each in its own transaction with every rule checked, answered per item (SPEC
// §5). The campaign must be running: once it is closed its figures are final and its list is no longer
// decided here. Supervisors, in their scope; at most relief.MaxBulk at a time, oldest on the list first.
func (s *Service) ApproveWarmth(ctx context.Context, a actor.Actor, id int64, in WarmthApproval) (relief.BulkResult, error) {
	if err := a.Require(supervisor...); err != nil {
		return relief.BulkResult{}, err
	}
	if utf8.RuneCountInString(in.Reason) > 500 {
		return relief.BulkResult{}, apperr.Invalid("reason", "批准意见不能超过 500 个字")
	}
	c, err := campaignFor(ctx, s.DB.R, a, id, ActApproveWarmth, inScope)
	if err != nil {
		return relief.BulkResult{}, err
	}
	scope, args := a.Scope("w.org_path")
	var ids []int64
	if err := sqlx.SelectContext(ctx, s.DB.R, &ids, `SELECT w.application_id FROM campaign_warmth w
		WHERE w.campaign_id = ? AND `+scope+` AND (SELECT x.status FROM applications x WHERE x.id = w.application_id)
			IN ('submitted', 'first_approved')
		ORDER BY w.created_at, w.application_id LIMIT ?`, append(append([]any{c.ID}, args...), relief.MaxBulk)...); err != nil {
		return relief.BulkResult{}, err
	}
	if len(ids) == 0 {
		return relief.BulkResult{}, apperr.Conflictf("名单中没有待审批的申请")
	}
	rs := relief.Service{DB: s.DB, Clock: s.Clock}
	return rs.ApproveMany(ctx, a, relief.BulkApproval{IDs: ids, Reason: in.Reason})
}

// refusal is a refusal's message with its field messages, which name the rule (the caps, once a year).
func refusal(e *apperr.Error) string {
	msg := e.Message
	for _, m := range e.Fields {
		if m != "" && !strings.Contains(msg, m) {
			msg += "；" + m
		}
	}
	return msg
}

func checkWarmth(in *WarmthInput) error {
	fields := map[string]string{}
	if in.Status == "" {
		in.Status = string(household.Filed)
	}
	if in.Status != string(household.Filed) && in.Status != string(household.ReviewDue) {
		fields["status"] = "送温暖名单只取已建档（含待年审）的档案"
	}
	if in.Category != "" {
		if _, ok := household.CategoryNames[household.Category(in.Category)]; !ok || in.Category == string(household.Ineligible) {
			fields["category"] = "困难类别取值无效"
		}
	}
	if in.AmountFen < 0 || in.AmountFen > 100_000_000 {
		fields["amount_fen"] = "金额无效"
	}
	if len(in.FileNos) > MaxWarmth || len(in.Workers) > MaxWarmth {
		fields["file_nos"] = fmt.Sprintf("一次最多 %d 户", MaxWarmth)
	}
	for i, w := range in.Workers {
		if strings.TrimSpace(w.Name) == "" || utf8.RuneCountInString(w.Name) > 40 {
			fields[fmt.Sprintf("workers[%d].name", i)] = "请填写职工姓名"
		}
	}
	return fieldErrors(fields)
}

// warmthList resolves the input to candidates: the pasted file numbers (or the filter's households) in a's
// scope, then the workers. A file number outside a's scope or unknown is refused as an item, not the run.
func (s *Service) warmthList(ctx context.Context, a actor.Actor, now time.Time, c Campaign, in WarmthInput) ([]warmthCandidate, error) {
	purpose := c.Name + "：送温暖慰问"
	var out []warmthCandidate
	add := func(h household.Brief) {
		out = append(out, warmthCandidate{
			item:        WarmthItem{Ref: h.FileNo, HouseholdID: h.ID, Name: ident.MaskName(h.Name), OrgName: h.OrgName},
			beneficiary: fmt.Sprintf("h:%d", h.ID),
			in:          relief.Input{Type: relief.Warmth, HouseholdID: h.ID, AmountFen: in.AmountFen, Purpose: purpose},
		})
	}
	paths := map[int64]string{}
	inCampaign := func(orgID int64) (bool, error) { // the campaign's own subtree only
		p, ok := paths[orgID]
		if !ok {
			o, err := org.Get(ctx, s.DB.R, orgID)
			if err != nil {
				return false, err
			}
			p, paths[orgID] = o.Path, o.Path
		}
		return strings.HasPrefix(p, c.OrgPath), nil
	}
	seen := map[string]bool{}
	if len(in.FileNos) > 0 {
		for _, no := range in.FileNos {
			no = strings.ToUpper(strings.TrimSpace(no))
			if no == "" || seen[no] {
				continue
			}
			seen[no] = true
			h, err := householdByFileNo(ctx, s.DB.R, a, now, no)
			if apperr.CodeOf(err) == apperr.NotFound {
				out = append(out, warmthCandidate{item: WarmthItem{Ref: no, Result: WarmthRefused, Code: apperr.NotFound,
					Message: "档案不存在或不在您的管辖范围内"}})
				continue
			} else if err != nil {
				return nil, err
			}
			if ok, err := inCampaign(h.OrgID); err != nil {
				return nil, err
			} else if !ok {
				out = append(out, warmthCandidate{item: WarmthItem{Ref: no, HouseholdID: h.ID, Name: ident.MaskName(h.Name), OrgName: h.OrgName,
					Result: WarmthRefused, Code: apperr.Validation, Message: "该档案不在本活动的范围内"}})
				continue
			}
			add(h)
		}
	} else if len(in.Workers) == 0 || in.Category != "" || in.OrgID != 0 {
		orgID := in.OrgID
		if orgID == 0 && len(c.OrgPath) > len(a.OrgPath) { // a campaign below the actor: its subtree
			orgID = c.OrgID
		}
		for page := 1; ; page++ {
			p, err := household.List(ctx, s.DB.R, a, now, household.Filter{Status: in.Status, Category: in.Category, OrgID: orgID,
				Sort: "file_no", Page: page, PerPage: 200})
			if err != nil {
				return nil, err
			}
			if p.TotalCapped || p.Total > MaxWarmth {
				return nil, apperr.Invalid("category", fmt.Sprintf("符合条件的档案超过 %d 户，请按基层工会或困难类别分批生成", MaxWarmth))
			}
			for _, h := range p.Items {
				if ok, err := inCampaign(h.OrgID); err != nil {
					return nil, err
				} else if ok {
					add(h)
				}
			}
			if page*200 >= p.Total {
				break
			}
		}
	}
	for _, w := range in.Workers {
		idn := strings.ToUpper(strings.TrimSpace(w.IDNumber))
		if seen["p:"+idn] {
			continue
		}
		seen["p:"+idn] = true
		out = append(out, warmthCandidate{
			item:        WarmthItem{Ref: ident.MaskID(idn), Name: ident.MaskName(strings.TrimSpace(w.Name))},
			beneficiary: "p:" + idn,
			in: relief.Input{Type: relief.Warmth, OrgID: w.OrgID, ApplicantName: strings.TrimSpace(w.Name), ApplicantIDNumber: idn,
				ApplicantPhone: strings.TrimSpace(w.Phone), DutyNote: strings.TrimSpace(w.DutyNote), AmountFen: in.AmountFen, Purpose: purpose},
		})
	}
	if len(out) == 0 {
		return nil, apperr.Invalid("file_nos", "名单为空：没有符合条件的档案")
	}
	if len(out) > MaxWarmth {
		return nil, apperr.Invalid("file_nos", fmt.Sprintf("一次最多 %d 户，请分批生成", MaxWarmth))
	}
	return out, nil
}

// householdByFileNo finds a household of a's scope by its file number (档案编号).
func householdByFileNo(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, no string) (household.Brief, error) {
	var id int64
	if err := sqlx.GetContext(ctx, q, &id, "SELECT id FROM households WHERE file_no = ?", no); errors.Is(err, sql.ErrNoRows) {
		return household.Brief{}, apperr.NotFoundf("档案不存在")
	} else if err != nil {
		return household.Brief{}, err
	}
	h, err := household.Get(ctx, q, a, id)
	if err != nil {
		return household.Brief{}, err
	}
	return household.Brief{ID: h.ID, FileNo: h.FileNo, Name: h.Name, OrgID: h.OrgID, OrgName: h.OrgName}, nil
}

// listed is a beneficiary already on a campaign's list with its application.
type listed struct {
	ApplicationID int64  `db:"application_id"`
	AppNo         string `db:"app_no"`
	Status        string `db:"status"`
}

func (l listed) exists(item WarmthItem) WarmthItem {
	item.Result, item.ApplicationID, item.AppNo, item.AppStatus = WarmthExists, l.ApplicationID, l.AppNo, l.Status
	item.Message = fmt.Sprintf("已在本活动名单中（申请 %s，%s），未重复生成", l.AppNo, relief.StatusNames[relief.Status(l.Status)])
	return item
}

func onList(ctx context.Context, q sqlx.QueryerContext, campaignID int64, beneficiary string) (listed, bool, error) {
	var l listed
	err := sqlx.GetContext(ctx, q, &l, `SELECT w.application_id, (SELECT a.app_no FROM applications a WHERE a.id = w.application_id) AS app_no,
		(SELECT a.status FROM applications a WHERE a.id = w.application_id) AS status
		FROM campaign_warmth w WHERE w.campaign_id = ? AND w.beneficiary = ?`, campaignID, beneficiary)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// applyWarmth is one item's transaction: the campaign still running, not on the list yet, then the relief
// area drafts and submits the application with every rule of its own, and the list remembers it.
func applyWarmth(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, campaignID int64, cand warmthCandidate) (WarmthItem, error) {
	item := cand.item
	if item.Result == WarmthRefused { // resolved as refused (an unknown file number)
		return item, &apperr.Error{Code: item.Code, Message: item.Message}
	}
	c, err := campaignFor(ctx, tx, a, campaignID, ActApplyWarmth, inScope)
	if err != nil {
		return item, err
	}
	if prior, ok, err := onList(ctx, tx, c.ID, cand.beneficiary); err != nil {
		return item, err
	} else if ok {
		return prior.exists(item), nil
	}
	app, err := relief.CreateTx(ctx, tx, a, now, cand.in)
	if err != nil {
		return item, err
	}
	if app, err = relief.ActTx(ctx, tx, a, now, app.ID, relief.ActSubmit, relief.ActionInput{}); err != nil {
		return item, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_warmth (campaign_id, beneficiary, application_id, household_id, org_id, org_path,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, app.Beneficiary, app.ID, app.HouseholdID, app.OrgID, app.OrgPath,
		a.UserID, store.FormatTime(now)); err != nil {
		return item, err
	}
	item.Result, item.ApplicationID, item.AppNo, item.AppStatus = WarmthCreated, app.ID, app.AppNo, string(app.Status)
	item.OrgName = app.OrgName
	item.Message = fmt.Sprintf("已生成送温暖申请 %s（%s），待审批", app.AppNo, app.AmountFen)
	return item, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.apply_warmth", EntityType: "campaign",
		EntityID: fmt.Sprint(c.ID), OrgID: app.OrgID, OrgPath: app.OrgPath,
		After: map[string]any{"application_id": app.ID, "app_no": app.AppNo, "beneficiary": item.Ref}})
}

// WarmthEntry is one household or worker on a warmth campaign's list with its application as it now stands.
type WarmthEntry struct {
	ApplicationID int64     `db:"application_id" json:"application_id"`
	AppNo         string    `db:"app_no" json:"app_no"`
	Status        string    `db:"status" json:"status"`
	StatusName    string    `db:"-" json:"status_name"`
	AmountFen     money.Fen `db:"amount_fen" json:"amount_fen"`
	Name          string    `db:"name" json:"name"` // masked
	FileNo        string    `db:"file_no" json:"file_no"`
	OrgName       string    `db:"org_name" json:"org_name"`
	CreatedAt     string    `db:"created_at" json:"created_at"`
}

// WarmthFilter selects a warmth list's entries.
type WarmthFilter struct {
	Status  string `query:"status"` // the application's status
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// WarmthPage is one page of a warmth list.
type WarmthPage = RecordPage[WarmthEntry]

// WarmthList lists the households and workers on campaign id's list in a's scope, with their applications.
func (s *Service) WarmthList(ctx context.Context, a actor.Actor, id int64, f WarmthFilter) (WarmthPage, error) {
	r, err := s.listOf(ctx, a, id, "campaign_warmth", "w")
	if err != nil {
		return WarmthPage{}, err
	}
	if err := withStatus(r, "(SELECT x.status FROM applications x WHERE x.id = w.application_id)", f.Status, relief.StatusNames); err != nil {
		return WarmthPage{}, err
	}
	out, err := readPage[WarmthEntry](ctx, s.DB.R, r, `SELECT w.application_id, a.app_no, a.status, a.amount_fen, a.applicant_name AS name,
		coalesce((SELECT h.file_no FROM households h WHERE h.id = w.household_id), '') AS file_no,
		(SELECT o.name FROM orgs o WHERE o.id = w.org_id) AS org_name, w.created_at
		FROM campaign_warmth w JOIN applications a ON a.id = w.application_id`, "w.created_at, w.application_id", f.Page, f.PerPage)
	if err != nil {
		return WarmthPage{}, err
	}
	for i := range out.Items {
		e := &out.Items[i]
		e.Name, e.StatusName = ident.MaskName(e.Name), relief.StatusNames[relief.Status(e.Status)]
	}
	return out, nil
}
