package web_test

import (
	"fmt"
	"net/http"
	"testing"
)

// A warmth campaign through the API: holiday-duty workers on the list become submitted warmth applications,
// a second run creates none, a wrong ID number is refused per item with its reason, and the existing bulk
// approval decides them.
func TestCampaignsWarmth_ListAppliesOnceAndTheBulkApprovalDecides(t *testing.T) {
	b := newCampaignBench(t)
	line := b.line("warmth", 5_000_000)
	var c struct{ ID int64 }
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "warmth", "name": "2026年春节送温暖",
		"starts_on": "2026-01-05", "ends_on": "2026-12-31", "budget_account_id": line}).Decode(&c)
	b.fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/open", c.ID), map[string]any{})
	site := b.s.OrgID("BJ-XX-JH-01")
	body := map[string]any{"workers": []map[string]any{
		{"name": "坚守一", "id_number": residentID(1), "org_id": site, "duty_note": "春节坚守供暖岗位"},
		{"name": "坚守二", "id_number": residentID(2), "org_id": site, "duty_note": "春节坚守环卫岗位"},
		{"name": "坚守三", "id_number": "330108198001011234", "org_id": site, "duty_note": "春节值守"},
	}}
	path := fmt.Sprintf("/api/v1/campaigns/%d/warmth", c.ID)
	b.fin.Refused(http.StatusForbidden, "forbidden", "POST", path, "{garbage") // who before what
	type run struct {
		Items []struct {
			Result        string
			ApplicationID int64 `json:"application_id"`
			Code          string
			Message       string
		}
		Created, Existed, Refused int
	}
	var first, second run
	b.cw.Must(http.StatusOK, "POST", path, body).Decode(&first)
	if first.Created != 2 || first.Refused != 1 || first.Items[2].Code != "validation" || first.Items[2].Message == "" {
		t.Fatalf("first run: %+v", first)
	}
	b.cw.Must(http.StatusOK, "POST", path, body).Decode(&second)
	if second.Created != 0 || second.Existed != 2 || second.Refused != 1 {
		t.Errorf("second run: %+v", second)
	}
	sup := b.s.Login("supervisor1")
	var bulk struct{ Approved int }
	sup.Must(http.StatusOK, "POST", "/api/v1/applications/bulk-approve", map[string]any{"ids": []int64{first.Items[0].ApplicationID,
		first.Items[1].ApplicationID}, "reason": "名单审核通过"}).Decode(&bulk)
	if bulk.Approved != 2 {
		t.Errorf("bulk approval: %+v", bulk)
	}
	var list struct {
		Items []struct {
			Status string
			Name   string
		}
		Total int
	}
	b.aud.Must(http.StatusOK, "GET", path+"?status=approved", nil).Decode(&list)
	if list.Total != 2 || list.Items[0].Name == "坚守一" {
		t.Errorf("the list: %+v", list)
	}
	var rep struct {
		Figures struct{ Households, Approved int64 }
	}
	b.aud.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), nil).Decode(&rep)
	if rep.Figures.Households != 2 || rep.Figures.Approved != 2 {
		t.Errorf("figures: %+v", rep.Figures)
	}
	b.fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/close", c.ID), map[string]any{})
	r := b.cw.Refused(http.StatusConflict, "conflict", "POST", path, body)
	if _, msg, _ := r.Error(); msg != "活动已结束，数据已定稿，不能再生成送温暖申请" {
		t.Errorf("closed: %q", msg)
	}
	b.verify(t)
}
