package campaign

import (
	"context"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
)

// Actions on a campaign and on what is recorded in it.
const (
	ActOpen            = "open"
	ActClose           = "close"
	ActAddGood         = "add-good"
	ActSetQuota        = "set-quota"
	ActPurchase        = "purchase"
	ActReversePurchase = "reverse-purchase"
	ActDeliver         = "deliver"
	ActConfirm         = "confirm"
	ActReissueCode     = "reissue-code"
	ActReverseDelivery = "reverse-delivery"
	ActEnrol           = "enrol"
	ActCheck           = "check"
	ActReport          = "deliver-report"
	ActWithdraw        = "withdraw"
	ActApplyWarmth     = "apply-warmth"
	ActApproveWarmth   = "approve-warmth"
)

// ActionNames are the Chinese names of the actions.
var ActionNames = map[string]string{
	ActOpen: "启动", ActClose: "结束", ActAddGood: "登记物资", ActSetQuota: "设置名额", ActPurchase: "采购入库",
	ActReversePurchase: "冲销采购", ActDeliver: "登记配送", ActConfirm: "签收确认", ActReissueCode: "重新生成确认码",
	ActReverseDelivery: "冲销配送", ActEnrol: "报名", ActCheck: "登记已体检", ActReport: "登记报告已送达", ActWithdraw: "退出体检",
	ActApplyWarmth: "生成送温暖申请", ActApproveWarmth: "批量审批送温暖名单",
}

// Rule is one row of the campaign table (SPEC §5): the action, the campaign statuses it may be taken in and
// the one it leads to (lifecycle actions only), the campaign kinds it applies to, and who may take it
// (SPEC §1.2: finance buys and closes, caseworkers record deliveries and enrolments). Nothing is recorded
// on a closed campaign: no row lists Closed in From.
type Rule struct {
	Action string
	From   []string
	To     string
	Kinds  []string
	Roles  []actor.Role
	check  func(ctx context.Context, q sqlx.QueryerContext, c Campaign) error // the lifecycle action's own precondition
}

var (
	finance    = []actor.Role{actor.Finance}
	caseworker = []actor.Role{actor.Caseworker}
	supervisor = []actor.Role{actor.Supervisor}
	running    = []string{Open}
	preparing  = []string{Draft, Open}
	anyKind    = []string{Cooling, HealthCheck, Warmth}
	cooling    = []string{Cooling}
	health     = []string{HealthCheck}
	warmth     = []string{Warmth}
)

// Rules is the state table of a campaign and of the records it holds.
var Rules = []Rule{
	{Action: ActOpen, From: []string{Draft}, To: Open, Kinds: anyKind, Roles: finance, check: readyToOpen},
	{Action: ActClose, From: running, To: Closed, Kinds: anyKind, Roles: finance, check: readyToClose},
	{Action: ActAddGood, From: preparing, Kinds: cooling, Roles: finance},
	{Action: ActPurchase, From: running, Kinds: cooling, Roles: finance},
	{Action: ActReversePurchase, From: running, Kinds: cooling, Roles: finance},
	{Action: ActDeliver, From: running, Kinds: cooling, Roles: caseworker},
	{Action: ActConfirm, From: running, Kinds: cooling, Roles: caseworker},
	{Action: ActReissueCode, From: running, Kinds: cooling, Roles: caseworker},
	{Action: ActReverseDelivery, From: running, Kinds: cooling, Roles: finance},
	{Action: ActSetQuota, From: preparing, Kinds: health, Roles: finance},
	{Action: ActEnrol, From: running, Kinds: health, Roles: caseworker},
	{Action: ActCheck, From: running, Kinds: health, Roles: caseworker},
	{Action: ActReport, From: running, Kinds: health, Roles: caseworker},
	{Action: ActWithdraw, From: running, Kinds: health, Roles: caseworker},
	// Warmth: caseworkers put households on the list as relief applications; supervisors decide them in bulk.
	{Action: ActApplyWarmth, From: running, Kinds: warmth, Roles: caseworker},
	// SPEC §5: the list is decided in bulk while the campaign runs; a closed campaign's figures are final.
	{Action: ActApproveWarmth, From: running, Kinds: warmth, Roles: supervisor},
}

func rule(action string) (Rule, bool) {
	for _, r := range Rules {
		if r.Action == action {
			return r, true
		}
	}
	return Rule{}, false
}

// lifecycle returns the rule of a lifecycle action (open, close), the ones the :action route takes.
func lifecycle(action string) (Rule, bool) {
	r, ok := rule(action)
	return r, ok && r.To != ""
}

// LifecycleRoles gives the roles of a lifecycle action, for the route table; ok is false for any other name.
func LifecycleRoles(action string) ([]actor.Role, bool) {
	r, ok := lifecycle(action)
	return r.Roles, ok
}

// LifecycleActions lists the lifecycle actions in table order.
func LifecycleActions() []string {
	var out []string
	for _, r := range Rules {
		if r.To != "" {
			out = append(out, r.Action)
		}
	}
	return out
}

// RecordRoles gives the roles of a recording action (deliveries, enrolments …), for the route table.
func RecordRoles(action string) ([]actor.Role, bool) {
	r, ok := rule(action)
	return r.Roles, ok
}

// Can reports whether a may take action on campaign c now: nil, 403 for the wrong role, 409 for a status or
// a kind the action does not apply to. Scope was checked when c was read.
func Can(a actor.Actor, c *Campaign, action string) error {
	r, ok := rule(action)
	if !ok {
		return apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(r.Roles...); err != nil {
		return err
	}
	if !slices.Contains(r.Kinds, c.Kind) {
		return apperr.Conflictf("%s活动不能%s", KindNames[c.Kind], ActionNames[action])
	}
	if !slices.Contains(r.From, c.Status) {
		if c.Status == Closed {
			return apperr.Conflictf("活动已结束，数据已定稿，不能再%s", ActionNames[action])
		}
		return apperr.Conflictf("活动当前状态为「%s」，不能%s", StatusNames[c.Status], ActionNames[action])
	}
	return nil
}

// Actions lists the actions a may take on c now, in table order: the UI shows exactly these.
func Actions(a actor.Actor, c *Campaign) []string {
	out := []string{}
	for _, r := range Rules {
		if Can(a, c, r.Action) == nil && (!r.managedOnly() || a.Sees(c.OrgPath)) {
			out = append(out, r.Action)
		}
	}
	return out
}

// managedOnly: finance's actions are taken on campaigns of its own subtree (managed).
func (r Rule) managedOnly() bool { return slices.Contains(r.Roles, actor.Finance) }

// readyToOpen: a health check opens with its quotas set (SPEC §5).
func readyToOpen(ctx context.Context, q sqlx.QueryerContext, c Campaign) error {
	if c.Kind != HealthCheck {
		return nil
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, "SELECT count(*) FROM campaign_quotas WHERE campaign_id = ? AND quota > 0", c.ID); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Conflictf("请先为各基层工会设置体检名额，再启动活动")
	}
	return nil
}

// readyToClose: a closed campaign's figures are final, so every delivery is confirmed (or reversed) first.
func readyToClose(ctx context.Context, q sqlx.QueryerContext, c Campaign) error {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, "SELECT count(*) FROM campaign_deliveries WHERE campaign_id = ? AND status = 'unconfirmed'", c.ID); err != nil {
		return err
	}
	if n > 0 {
		return apperr.Conflictf("还有 %d 笔配送未签收确认，不能结束活动：请先确认签收或冲销", n)
	}
	return nil
}

// Kinds and Statuses list the campaign kinds and statuses in display order, and so do the lists of the
// statuses of deliveries and enrolments and of the kinds of work site.
var (
	Kinds             = []string{Cooling, HealthCheck, Warmth}
	Statuses          = []string{Draft, Open, Closed}
	DeliveryStatuses  = []string{Unconfirmed, Confirmed, Reversed}
	EnrolmentStatuses = []string{Enrolled, Checked, ReportDelivered, Withdrawn}
	SiteKindOrder     = []string{"org", "site", "rest_station"}
)

// ActionOrder lists the actions of Rules in table order.
func ActionOrder() []string {
	out := make([]string, len(Rules))
	for i, r := range Rules {
		out[i] = r.Action
	}
	return out
}

// AuditActions names every audit action code the campaign area writes (SPEC §7): the campaign's creation, the
// receiver's confirmation by code, and "campaign."+action (dashes as underscores) for every row of Rules.
func AuditActions() map[string]string {
	out := map[string]string{"campaign.create": "帮扶活动·新建", "campaign.confirm_by_code": "帮扶活动·收货人凭确认码签收"}
	for _, r := range Rules {
		out["campaign."+strings.ReplaceAll(r.Action, "-", "_")] = "帮扶活动·" + ActionNames[r.Action]
	}
	return out
}
