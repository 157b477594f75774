package web_test

import (
	"net/http"
	"testing"

	"bangfu/internal/web/webtest"
)

// TestVocabulary_ServesTheNamesOfTheCodesToEveryUser: one answer, in display order, for every logged-in role.
func TestVocabulary_ServesTheNamesOfTheCodesToEveryUser(t *testing.T) {
	srv := webtest.New(t)
	srv.Anonymous().Refused(http.StatusUnauthorized, "unauthenticated", "GET", "/api/v1/vocabulary", nil)
	type named struct{ Value, Label string }
	for _, user := range []string{"caseworker1", "supervisor1", "finance1", "auditor1", "admin"} {
		var v struct {
			Roles             []named             `json:"roles"`
			ApplicationTypes  []named             `json:"application_types"`
			AuditActions      []named             `json:"audit_actions"`
			RequiredDocuments map[string][]string `json:"required_documents"`
			GreenDocuments    []string            `json:"green_documents"`
		}
		srv.Login(user).Must(http.StatusOK, "GET", "/api/v1/vocabulary", nil).Decode(&v)
		if len(v.Roles) != 5 || v.Roles[0] != (named{"caseworker", "经办人"}) {
			t.Errorf("%s: roles %+v", user, v.Roles)
		}
		if len(v.ApplicationTypes) != 5 || v.ApplicationTypes[2] != (named{"education", "金秋助学"}) {
			t.Errorf("%s: application types %+v", user, v.ApplicationTypes)
		}
		names := map[string]string{}
		for _, a := range v.AuditActions {
			names[a.Value] = a.Label
		}
		for code, want := range map[string]string{"fund.receive": "经费·来款入账", "fund.allocate": "经费·下拨",
			"application.recover": "救助申请·追回", "application.confirm-receipt": "救助申请·确认签收", "session.login": "登录"} {
			if names[code] != want {
				t.Errorf("%s: audit action %s is named %q, want %q", user, code, names[code], want)
			}
		}
		if len(v.RequiredDocuments["medical"]) != 3 || len(v.GreenDocuments) != 2 {
			t.Errorf("%s: required documents %v, green %v", user, v.RequiredDocuments, v.GreenDocuments)
		}
	}
}

// TestApplicationCheck_AnswersThePolicyAmountWithoutWriting: the dry run of an unsaved education form gives the
// policy's amount for the student's stage and the household's filing, and the documents; nothing is saved.
func TestApplicationCheck_AnswersThePolicyAmountWithoutWriting(t *testing.T) {
	f := newReliefFixture(t)
	filed := f.fileAll(household(f.srv, 1))[0]
	unfiled := f.unfiled(household(f.srv, 2))
	for _, c := range []struct {
		name  string
		h     hh
		want  int64
		basis string
	}{{"filed", filed, 300000, "高中阶段·已建档"}, {"unfiled", unfiled, 200000, "高中阶段·未建档"}} {
		body := education(c.h, 0)
		delete(body, "purpose") // the form may not have it yet
		var p struct {
			AmountFen         int64    `json:"amount_fen"`
			AmountBasis       string   `json:"amount_basis"`
			RequiredDocuments []string `json:"required_documents"`
			Checks            []struct {
				Rule string `json:"rule"`
			} `json:"checks"`
		}
		f.cw.Must(http.StatusOK, "POST", "/api/v1/applications/check", body).Decode(&p)
		if p.AmountFen != c.want || p.AmountBasis != c.basis {
			t.Errorf("%s: amount %d (%s), want %d (%s)", c.name, p.AmountFen, p.AmountBasis, c.want, c.basis)
		}
		if len(p.RequiredDocuments) != 2 || p.RequiredDocuments[1] != "admission_letter" || len(p.Checks) == 0 {
			t.Errorf("%s: documents %v, %d checks", c.name, p.RequiredDocuments, len(p.Checks))
		}
	}
	var list struct {
		Total int `json:"total"`
	}
	f.cw.Must(http.StatusOK, "GET", "/api/v1/applications", nil).Decode(&list)
	if list.Total != 0 {
		t.Fatalf("the dry run saved %d applications", list.Total)
	}
	f.srv.Login("supervisor1").Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/applications/check", education(filed, 0))
}
