package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"bangfu/internal/web/webtest"
)

// TestPrint_PublicityListAndApprovalForms: a caseworker finds the publicity rounds of their scope and reads a
// round's list with names and ID numbers masked and the objection deadline; the approval forms of a selection
// come back in its order, masked, each with its decisions, deciders and times; a record out of scope, a bad
// date or a bad id list is refused, and admin reads none of it.
func TestPrint_PublicityListAndApprovalForms(t *testing.T) {
	s := webtest.NewDemo(t)
	cw := s.Login("caseworker1")

	var rounds struct {
		Items []struct {
			Start       string `json:"start"`
			End         string `json:"end"`
			Households  int    `json:"households"`
			Publicizing int    `json:"publicizing"`
		} `json:"items"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/households/publicity-rounds", nil).Decode(&rounds)
	if len(rounds.Items) == 0 {
		t.Fatal("no publicity round in caseworker1's scope")
	}
	r := rounds.Items[0]
	var l struct {
		Union string `json:"union"`
		Start string `json:"start"`
		End   string `json:"end"`
		Items []struct {
			FileNo   string `json:"file_no"`
			Name     string `json:"name"`
			IDNumber string `json:"id_number"`
			Cause    string `json:"main_cause"`
			Category string `json:"category_name"`
		} `json:"items"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/households/publicity-rounds/"+r.Start, nil).Decode(&l)
	if l.Union == "" || l.Start != r.Start || l.End != r.End || len(l.Items) != r.Households {
		t.Fatalf("round %+v, list %s %s–%s with %d households", r, l.Union, l.Start, l.End, len(l.Items))
	}
	for _, e := range l.Items {
		if !maskedName.MatchString(e.Name) || !maskedID.MatchString(e.IDNumber) || e.Cause == "" || e.Category == "" {
			t.Fatalf("publicity entry %+v: want the name and ID masked, the cause and category named", e)
		}
		var full string
		if err := s.DB.R.Get(&full, "SELECT head_name FROM households WHERE file_no = ?", e.FileNo); err != nil {
			t.Fatal(err)
		}
		if []rune(full)[0] != []rune(e.Name)[0] {
			t.Fatalf("%s is %q, printed as %q", e.FileNo, full, e.Name)
		}
	}
	cw.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/households/publicity-rounds/2026-13-40", nil)
	cw.Refused(http.StatusNotFound, "not_found", "GET", "/api/v1/households/publicity-rounds/1999-01-04", nil)
	s.Login("admin").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/households/publicity-rounds", nil)

	var apps struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/applications?status=disbursed&per_page=3", nil).Decode(&apps)
	if len(apps.Items) < 2 {
		t.Fatal("fewer than two disbursed applications in caseworker1's scope")
	}
	ids := fmt.Sprintf("%d,%d", apps.Items[1].ID, apps.Items[0].ID)
	var forms struct {
		Union string `json:"union"`
		Items []struct {
			Application struct {
				ID       int64  `json:"id"`
				Name     string `json:"applicant_name"`
				IDNumber string `json:"applicant_id_number"`
			} `json:"application"`
			Decisions []struct {
				Action   string         `json:"action"`
				Actor    string         `json:"actor_name"`
				At       string         `json:"at"`
				Snapshot map[string]any `json:"snapshot"`
			} `json:"decisions"`
		} `json:"items"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/applications/forms?ids="+ids, nil).Decode(&forms)
	if forms.Union == "" || len(forms.Items) != 2 || forms.Items[0].Application.ID != apps.Items[1].ID {
		t.Fatalf("forms for %s: %+v", ids, forms)
	}
	for _, f := range forms.Items {
		if !maskedName.MatchString(f.Application.Name) || !maskedID.MatchString(f.Application.IDNumber) {
			t.Errorf("form of %d shows %q %q, want both masked", f.Application.ID, f.Application.Name, f.Application.IDNumber)
		}
		if len(f.Decisions) == 0 {
			t.Fatalf("form of %d has no decision", f.Application.ID)
		}
		d := f.Decisions[len(f.Decisions)-1]
		if d.Action != "approve" || d.Actor == "" || d.At == "" || d.Snapshot["policy"] == nil {
			t.Errorf("form of %d: last decision %+v, want an approval with its decider, time and snapshot", f.Application.ID, d)
		}
		snapApp, _ := d.Snapshot["application"].(map[string]any)
		snapHome, _ := d.Snapshot["household"].(map[string]any)
		if name, _ := snapApp["applicant_name"].(string); !maskedName.MatchString(name) {
			t.Errorf("form of %d: the snapshot names the applicant %q", f.Application.ID, name)
		}
		if name, ok := snapHome["name"].(string); ok && !maskedName.MatchString(name) {
			t.Errorf("form of %d: the snapshot names the head %q", f.Application.ID, name)
		}
	}
	for _, bad := range []string{"", "1,x", "0", strings.Repeat("1,", 200) + "2"} {
		cw.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/applications/forms?ids="+bad, nil)
	}
	var other int64
	if err := s.DB.R.Get(&other, `SELECT id FROM applications WHERE org_path NOT LIKE (SELECT o.path FROM orgs o JOIN users u ON u.org_id = o.id WHERE u.username = 'caseworker1') || '%' LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	cw.Refused(http.StatusNotFound, "not_found", "GET", fmt.Sprintf("/api/v1/applications/forms?ids=%d,%d", apps.Items[0].ID, other), nil)
	s.Login("admin").Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/applications/forms?ids="+ids, nil)
}
