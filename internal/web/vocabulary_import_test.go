package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// TestVocabulary_TheImporterAcceptsEveryNameItLists: a survey list filled in with the names GET /vocabulary
// serves for the coded fields of a household and its members (the names the form shows) is read without a
// single unrecognised cell (SPEC §8.3), while a name outside the vocabulary is still refused.
func TestVocabulary_TheImporterAcceptsEveryNameItLists(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	var v map[string]json.RawMessage
	cw.Must(http.StatusOK, "GET", "/api/v1/vocabulary", nil).Decode(&v)
	list := func(key string) []string {
		var items []struct{ Label string }
		if err := json.Unmarshal(v[key], &items); err != nil || len(items) == 0 {
			t.Fatalf("vocabulary %s: %v %s", key, err, v[key])
		}
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.Label
		}
		return out
	}
	// The coded columns of the survey list: on the head's row, and on a member's.
	headCols := map[string][]string{"性别": list("genders"), "困难原因": list("causes"), "次要困难原因": list("causes"), "行业": list("industries")}
	memberCols := map[string][]string{"与户主关系": list("relations"), "就业状况": list("employment_statuses"),
		"健康状况": list("health_states"), "残疾情况": list("disabilities"), "就学阶段": list("school_stages")}
	header := []string{"姓名", "身份证号", "与户主关系", "户主身份证号", "联系电话", "所属工会", "家庭住址", "月收入", "银行卡号"}
	for _, cols := range []map[string][]string{headCols, memberCols} {
		for c := range cols {
			if c != "与户主关系" {
				header = append(header, c)
			}
		}
	}
	at := func(col string) int {
		for i, h := range header {
			if h == col {
				return i
			}
		}
		t.Fatalf("no column %s", col)
		return -1
	}
	n := 0
	for _, cols := range []map[string][]string{headCols, memberCols} {
		for _, names := range cols {
			n = max(n, len(names))
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	row := func() []string { return make([]string, len(header)) }
	for i := range n + 1 {
		head, member := row(), row()
		hid := id(100 + 2*i)
		copy(head, []string{"户主" + string(rune('甲'+i)), hid, "本人", "", "13812345678", "江南建设工程有限公司工会",
			"滨江区西兴街道 1 号", "1500", demo.BankCard("622202", 100+2*i)})
		copy(member, []string{"成员" + string(rune('甲'+i)), id(101 + 2*i), "", hid, "", "", "", "0", ""})
		for c, names := range headCols {
			head[at(c)] = names[i%len(names)]
		}
		for c, names := range memberCols {
			member[at(c)] = names[i%len(names)]
		}
		if i == n { // the control: a name no vocabulary lists
			member[at("健康状况")] = "非常健康"
		}
		w.Write(head)
		w.Write(member)
	}
	w.Flush()

	r := uploadSurvey(t, srv, cw, "dry_run=1", "摸底.csv", b.Bytes())
	j := finished(t, cw, started(t, r).ID)
	var got struct {
		Report struct {
			Problems []struct {
				Row     int    `json:"row"`
				Column  string `json:"column"`
				Value   string `json:"value"`
				Message string `json:"message"`
			} `json:"problems"`
		} `json:"report"`
	}
	cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).Decode(&got)
	control := false
	for _, p := range got.Report.Problems {
		if !strings.Contains(p.Message, "无法识别") {
			continue
		}
		if p.Value == "非常健康" {
			control = true
			continue
		}
		t.Errorf("row %d, %s: the vocabulary's name %q is not accepted: %s", p.Row, p.Column, p.Value, p.Message)
	}
	if !control {
		t.Errorf("a name outside the vocabulary was not refused: %+v", got.Report.Problems)
	}
}
