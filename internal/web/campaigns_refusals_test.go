package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/ident"
	"bangfu/internal/web/webtest"
)

// refusal is one refused request of the campaign routes, with the §9.2 status and code and the exact Chinese
// message the user reads.
type refusal struct {
	name         string
	c            *webtest.Client
	method, path string
	body         any
	status       int
	code         string
	message      string
	field        string // a field message that must be present, when the refusal names a field
}

// refuseAll sends each refusal and checks its status, code, message and field, and that no refusal wrote an
// audit event (issue 10: no refusal writes an audit event).
func refuseAll(t *testing.T, b *campaignBench, cases []refusal) {
	t.Helper()
	head := func() int64 { // read from the database: a test may have moved the clock past the sessions
		var n int64
		if err := b.s.DB.R.Get(&n, "SELECT count(*) FROM audit_events"); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := head()
	for _, rc := range cases {
		r := rc.c.Do(rc.method, rc.path, rc.body)
		code, msg, fields := r.Error()
		if r.Status != rc.status || code != rc.code || msg != rc.message {
			t.Errorf("%s: %s %s: got %d %s %q, want %d %s %q", rc.name, rc.method, rc.path, r.Status, code, msg, rc.status, rc.code, rc.message)
			continue
		}
		if rc.field != "" && fields[rc.field] == "" {
			t.Errorf("%s: no message on field %s: %v", rc.name, rc.field, fields)
		}
	}
	if after := head(); after != before {
		t.Errorf("the refusals wrote %d audit events", after-before)
	}
}

const (
	needCaseworker = "无权执行此操作，需要角色：经办人"
	needFinance    = "无权执行此操作，需要角色：财务"
	needReader     = "无权执行此操作，需要角色：经办人或审批人或财务或经审"
)

// Every refusal of the cooling routes: the role before the body, the scope, the budget line a sub-district's
// finance does not manage, stock, a duplicate invoice, transitions, and the confirmation codes.
func TestCampaignRefusals_Cooling(t *testing.T) {
	b := newCampaignBench(t)
	cid, gid := b.cooling(5)
	base := fmt.Sprintf("/api/v1/campaigns/%d", cid)
	cw2 := b.s.Login("caseworker2")
	fin2 := b.subDistrictFinance(t)
	var d struct {
		ID   int64
		Code string `json:"confirmation_code"`
	}
	b.cw.Must(http.StatusCreated, "POST", base+"/deliveries", delivery(gid, 1)).Decode(&d)
	var p struct{ ID int64 }
	var ps struct{ Items []struct{ ID int64 } }
	b.aud.Must(http.StatusOK, "GET", base+"/purchases", nil).Decode(&ps)
	p.ID = ps.Items[0].ID
	dpath := fmt.Sprintf("/api/v1/campaigns/deliveries/%d", d.ID)
	otherUnion := b.s.OrgID("BJ-XX-GH-01")
	toUnion := delivery(gid, 1)
	toUnion["site_kind"], toUnion["site_org_id"] = "org", otherUnion
	garbage := "{garbage"

	refuseAll(t, b, []refusal{
		// Who before what: the role is refused whatever the body.
		{"caseworker creates a campaign", b.cw, "POST", "/api/v1/campaigns", garbage, 403, "forbidden", needFinance, ""},
		{"caseworker adds a good", b.cw, "POST", base + "/goods", garbage, 403, "forbidden", needFinance, ""},
		{"caseworker buys", b.cw, "POST", base + "/purchases", garbage, 403, "forbidden", needFinance, ""},
		{"caseworker reverses a purchase", b.cw, "POST", fmt.Sprintf("/api/v1/campaigns/purchases/%d/reverse", p.ID), garbage, 403, "forbidden", needFinance, ""},
		{"caseworker closes", b.cw, "POST", base + "/close", garbage, 403, "forbidden", needFinance, ""},
		{"finance delivers", b.fin, "POST", base + "/deliveries", garbage, 403, "forbidden", needCaseworker, ""},
		{"finance confirms a delivery", b.fin, "POST", dpath + "/confirm", garbage, 403, "forbidden", needCaseworker, ""},
		{"finance reissues a code", b.fin, "POST", dpath + "/reissue-code", garbage, 403, "forbidden", needCaseworker, ""},
		{"caseworker reverses a delivery", b.cw, "POST", dpath + "/reverse-delivery", garbage, 403, "forbidden", needFinance, ""},
		{"auditor delivers", b.aud, "POST", base + "/deliveries", garbage, 403, "forbidden", needCaseworker, ""},
		{"admin reads a campaign", b.admin, "GET", base, nil, 403, "forbidden", needReader, ""},
		{"admin reads the report", b.admin, "GET", "/api/v1/reports/campaigns", nil, 403, "forbidden", needReader, ""},
		{"admin reads a delivery", b.admin, "GET", dpath, nil, 403, "forbidden", needReader, ""},
		{"no such action", b.fin, "POST", base + "/pay-twice", map[string]any{}, 404, "not_found", "没有这个操作：pay-twice", ""},

		// Scope: another caseworker's delivery does not exist for caseworker2; a union outside the scope is refused.
		{"caseworker2 reads caseworker1's delivery", cw2, "GET", dpath, nil, 404, "not_found", "配送记录不存在", ""},
		{"caseworker2 confirms caseworker1's delivery", cw2, "POST", dpath + "/confirm", map[string]any{"signature_ref": "QS-1"}, 404, "not_found", "配送记录不存在", ""},
		{"caseworker1 delivers to caseworker2's union", b.cw, "POST", base + "/deliveries", toUnion, 400, "validation", "输入有误：请选择活动范围内、您管辖的基层工会", "site_org_id"},
		{"an unknown campaign", b.cw, "POST", "/api/v1/campaigns/99999/deliveries", delivery(gid, 1), 404, "not_found", "活动不存在", ""},
		{"a sub-district's finance buys for the district", fin2, "POST", base + "/purchases", map[string]any{"good_id": gid, "supplier": "某超市",
			"invoice_no": "FP777", "quantity": 1, "cost_fen": 100, "purchased_on": "2026-03-09"}, 403, "forbidden", "该活动由上级组织滨江区总工会管理，您只能查看", ""},

		// Stock, invoices, money and transitions.
		{"more than the stock", b.cw, "POST", base + "/deliveries", delivery(gid, 5), 409, "conflict", "矿泉水库存不足：现有 4 箱，本次配送 5 箱", "items[0].quantity"},
		{"an invoice twice", b.fin, "POST", base + "/purchases", map[string]any{"good_id": gid, "supplier": "农夫山泉经销部", "invoice_no": "FP001",
			"quantity": 1, "cost_fen": 100, "purchased_on": "2026-03-09"}, 409, "conflict", "农夫山泉经销部的发票 FP001 已登记过采购，不能重复入账", "invoice_no"},
		{"a good of another campaign", b.cw, "POST", base + "/deliveries", delivery(gid+100, 1), 400, "validation", "输入有误：本活动没有这种物资", "items[0].good_id"},
		{"open twice", b.fin, "POST", base + "/open", map[string]any{}, 409, "conflict", "活动当前状态为「进行中」，不能启动", ""},
		{"close with a delivery unconfirmed", b.fin, "POST", base + "/close", map[string]any{}, 409, "conflict", "还有 1 笔配送未签收确认，不能结束活动：请先确认签收或冲销", ""},
		{"confirm without a signature record", b.cw, "POST", dpath + "/confirm", map[string]any{}, 400, "validation", "输入有误：请填写签收单编号或签字记录", "signature_ref"},
		{"reverse without a reason", b.fin, "POST", dpath + "/reverse-delivery", map[string]any{}, 400, "validation", "输入有误：请填写冲销原因", "reason"},

		// The receiver's codes, without an account.
		{"a malformed code", b.s.Anonymous(), "POST", "/api/v1/delivery-confirmations", map[string]any{"code": "12"}, 400, "validation", "输入有误：确认码为 10 位字母和数字，请核对签收单", "code"},
		{"an unknown code", b.s.Anonymous(), "POST", "/api/v1/delivery-confirmations", map[string]any{"code": "ABCDE-FGHJK"}, 404, "not_found", "确认码无效或已使用，请核对签收单", "code"},
		{"an unknown code looked up", b.s.Anonymous(), "POST", "/api/v1/delivery-confirmations/lookup", map[string]any{"code": "ABCDE-FGHJK"}, 404, "not_found", "确认码无效或已使用，请核对签收单", "code"},
	})

	// A used code, a code replaced by a new one, and an expired one.
	phone := b.s.Anonymous()
	phone.Must(http.StatusOK, "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d.Code})
	var d2, d3 struct {
		ID   int64
		Code string `json:"confirmation_code"`
	}
	b.cw.Must(http.StatusCreated, "POST", base+"/deliveries", delivery(gid, 1)).Decode(&d2)
	var again struct {
		Code string `json:"confirmation_code"`
	}
	b.cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/deliveries/%d/reissue-code", d2.ID), map[string]any{}).Decode(&again)
	b.cw.Must(http.StatusCreated, "POST", base+"/deliveries", delivery(gid, 1)).Decode(&d3)
	refuseAll(t, b, []refusal{
		{"a used code", phone, "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d.Code}, 404, "not_found", "确认码无效或已使用，请核对签收单", "code"},
		{"a replaced code", phone, "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d2.Code}, 404, "not_found", "确认码无效或已使用，请核对签收单", "code"},
		{"confirm a confirmed delivery", b.cw, "POST", dpath + "/confirm", map[string]any{"signature_ref": "QS-1"}, 409, "conflict", "该配送当前状态为「已签收」，不能再确认签收", ""},
		{"a new code for a confirmed delivery", b.cw, "POST", dpath + "/reissue-code", map[string]any{}, 409, "conflict", "该配送当前状态为「已签收」，无需确认码", ""},
	})
	b.s.Clock.Advance(7*24*time.Hour + time.Minute)
	refuseAll(t, b, []refusal{
		{"an expired code", phone, "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d3.Code}, 409, "conflict", "确认码已过期，请联系配送经办人重新生成", "code"},
	})
	b.s.Clock.Advance(-7*24*time.Hour - time.Minute)

	// Closed: nothing more is recorded, and the receiver cannot confirm any more.
	b.fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/deliveries/%d/reverse-delivery", d3.ID), map[string]any{"reason": "重复登记"})
	b.cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/deliveries/%d/confirm", d2.ID), map[string]any{"signature_ref": "QS-2"})
	var d4 struct {
		ID   int64
		Code string `json:"confirmation_code"`
	}
	b.cw.Must(http.StatusCreated, "POST", base+"/deliveries", delivery(gid, 1)).Decode(&d4)
	b.cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/deliveries/%d/confirm", d4.ID), map[string]any{"signature_ref": "QS-4"})
	b.fin.Must(http.StatusOK, "POST", base+"/close", map[string]any{})
	refuseAll(t, b, []refusal{
		{"deliver on a closed campaign", b.cw, "POST", base + "/deliveries", delivery(gid, 1), 409, "conflict", "活动已结束，数据已定稿，不能再登记配送", ""},
		{"buy on a closed campaign", b.fin, "POST", base + "/purchases", map[string]any{"good_id": gid, "supplier": "农夫山泉经销部", "invoice_no": "FP009",
			"quantity": 1, "cost_fen": 100, "purchased_on": "2026-03-09"}, 409, "conflict", "活动已结束，数据已定稿，不能再采购入库", ""},
		{"add a good on a closed campaign", b.fin, "POST", base + "/goods", map[string]any{"name": "绿豆", "unit": "袋", "unit_price_fen": 500}, 409, "conflict", "活动已结束，数据已定稿，不能再登记物资", ""},
		{"reverse on a closed campaign", b.fin, "POST", fmt.Sprintf("/api/v1/campaigns/deliveries/%d/reverse-delivery", d4.ID), map[string]any{"reason": "错"}, 409, "conflict", "活动已结束，数据已定稿，不能再冲销配送", ""},
		{"close twice", b.fin, "POST", base + "/close", map[string]any{}, 409, "conflict", "活动已结束，数据已定稿，不能再结束", ""},
	})
	b.verify(t)
}

// Every refusal of the health-check routes: the role before the body, scope, the quota, once per campaign, the
// ID's check digit, the enrolment's table, and a closed campaign.
func TestCampaignRefusals_HealthCheck(t *testing.T) {
	b := newCampaignBench(t)
	line := b.line("health_check", 10_000_000)
	var hc struct{ ID int64 }
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "health_check", "name": "职工体检",
		"starts_on": "2026-03-01", "ends_on": "2026-11-30", "budget_account_id": line, "provider": "区人民医院", "price_fen": 30000}).Decode(&hc)
	base := fmt.Sprintf("/api/v1/campaigns/%d", hc.ID)
	site, other, noQuota := b.s.OrgID("BJ-XX-JH-01"), b.s.OrgID("BJ-XX-GH-01"), b.s.OrgID("BJ-XX-JH-02")
	refuseAll(t, b, []refusal{
		{"open without quotas", b.fin, "POST", base + "/open", map[string]any{}, 409, "conflict", "请先为各基层工会设置体检名额，再启动活动", ""},
		{"caseworker sets quotas", b.cw, "PUT", base + "/quotas", "{garbage", 403, "forbidden", needFinance, ""},
		{"enrol on a draft campaign", b.cw, "POST", base + "/enrolments", map[string]any{"org_id": site, "name": "职工", "id_number": residentID(1)}, 409, "conflict", "活动当前状态为「筹备中」，不能报名", ""},
	})
	b.fin.Must(http.StatusOK, "PUT", base+"/quotas", map[string]any{"quotas": []map[string]any{{"org_id": site, "quota": 1}, {"org_id": other, "quota": 3}}})
	b.fin.Must(http.StatusOK, "POST", base+"/open", map[string]any{})
	var e struct{ ID int64 }
	b.cw.Must(http.StatusCreated, "POST", base+"/enrolments", map[string]any{"org_id": site, "name": "职工", "id_number": residentID(1)}).Decode(&e)
	epath := fmt.Sprintf("/api/v1/campaigns/enrolments/%d", e.ID)
	cw2 := b.s.Login("caseworker2")
	badID := "330108198001011234"
	refuseAll(t, b, []refusal{
		{"finance enrols", b.fin, "POST", base + "/enrolments", "{garbage", 403, "forbidden", needCaseworker, ""},
		{"finance checks", b.fin, "POST", epath + "/check", "{garbage", 403, "forbidden", needCaseworker, ""},
		{"set quotas on an open campaign below the enrolled", b.fin, "PUT", base + "/quotas", map[string]any{"quotas": []map[string]any{{"org_id": site, "quota": 0}}},
			409, "conflict", "江南建设工程有限公司工会已有 1 人报名，名额不能少于 1", "quotas[0].quota"},
		{"the quota is full", b.cw, "POST", base + "/enrolments", map[string]any{"org_id": site, "name": "职工", "id_number": residentID(2)}, 409, "conflict", "江南建设工程有限公司工会的体检名额已满（1 人）", "org_id"},
		{"a union without a quota", b.cw, "POST", base + "/enrolments", map[string]any{"org_id": noQuota, "name": "职工", "id_number": residentID(2)}, 409, "conflict", "悦来餐饮管理有限公司工会在本次体检中没有名额", "org_id"},
		{"twice in one campaign", cw2, "POST", base + "/enrolments", map[string]any{"org_id": other, "name": "职工", "id_number": residentID(1)}, 409, "conflict",
			fmt.Sprintf("该职工（%s）已在本次体检中报名（江南建设工程有限公司工会，报名号 %d），每人限报一次", ident.MaskID(residentID(1)), e.ID), "id_number"},
		{"a wrong check digit", cw2, "POST", base + "/enrolments", map[string]any{"org_id": other, "name": "职工", "id_number": badID}, 400, "validation", "输入有误：身份证号校验位错误", "id_number"},
		{"a union outside the scope", cw2, "POST", base + "/enrolments", map[string]any{"org_id": site, "name": "职工", "id_number": residentID(3)}, 400, "validation", "输入有误：请选择活动范围内、您管辖的基层工会", "org_id"},
		{"another scope's enrolment", cw2, "POST", epath + "/check", map[string]any{"date": "2026-03-10"}, 404, "not_found", "报名记录不存在", ""},
		{"a report before the check", b.cw, "POST", epath + "/deliver-report", map[string]any{"date": "2026-03-10"}, 409, "conflict", "报名当前状态为「已报名」，不能登记报告已送达", ""},
	})
	b.cw.Must(http.StatusOK, "POST", epath+"/check", map[string]any{"date": "2026-03-10"})
	b.fin.Must(http.StatusOK, "POST", base+"/close", map[string]any{})
	refuseAll(t, b, []refusal{
		{"enrol on a closed campaign", cw2, "POST", base + "/enrolments", map[string]any{"org_id": other, "name": "职工", "id_number": residentID(4)}, 409, "conflict", "活动已结束，数据已定稿，不能再报名", ""},
		{"a report on a closed campaign", b.cw, "POST", epath + "/deliver-report", map[string]any{"date": "2026-03-10"}, 409, "conflict", "活动已结束，数据已定稿，不能再登记报告已送达", ""},
	})
	b.verify(t)
}

// subDistrictFinance is a finance user of 西兴街道总工会, below the district that runs the bench's campaigns.
func (b *campaignBench) subDistrictFinance(t *testing.T) *webtest.Client {
	ctx := context.Background()
	admin, err := auth.ActorFor(ctx, b.s.DB.R, 1, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.Auth.CreateUser(ctx, admin, auth.NewUser{Username: "finance_xx", Name: "西兴财务", OrgID: b.s.OrgID("BJ-XX"),
		Roles: []actor.Role{actor.Finance}, Password: demo.Password, KeepPassword: true}); err != nil {
		t.Fatal(err)
	}
	return b.s.Login("finance_xx")
}
