package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/demo"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// browserFor logs username in with a plain http.Client (a webtest.Client belongs to one test and may not be
// used inside a fuzz target).
func browserFor(f *testing.F, base, username string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"username": username, "password": demo.Password})
	res, err := c.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		f.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		f.Fatalf("log in %s: %d", username, res.StatusCode)
	}
	return c
}

// FuzzListQueries drives the query parameters of every list and report the API registers (every GET route
// without a path parameter), each called by a role that may read it, over a database with rows in the
// searched tables (LIKE is only evaluated on rows). No query, however long or strange, may get a 5xx
// (SPEC §9.2). The seeds run in plain `go test`; `go test -fuzz FuzzListQueries ./internal/web/` explores.
func FuzzListQueries(f *testing.F) {
	srv := webtest.New(f)
	// Rows to search: a household, a referral, a fund with a receipt, a budget line and an allocation.
	seedSearchableRows(f, srv)

	clients := map[actor.Role]*http.Client{}
	for r, u := range callers {
		clients[r] = browserFor(f, srv.URL, u)
	}
	type target struct {
		path   string
		client *http.Client
	}
	var targets []target
	for _, rt := range apiRoutes(srv) {
		if rt.Method != http.MethodGet || strings.Contains(rt.Path, ":") {
			continue
		}
		roles, public, _ := web.RouteRoles(rt.Method, rt.Path, "")
		if public || len(roles) == 0 {
			continue
		}
		targets = append(targets, target{rt.Path, clients[roles[0]]})
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].path < targets[j].path })
	if len(targets) < 12 {
		f.Fatalf("only %d list routes found", len(targets))
	}

	long := strings.Repeat("a", 50_001)
	seeds := [][2]string{
		{"q", long}, {"q", strings.Repeat("张", 49_999)}, {"q", strings.Repeat("%_", 30_000)}, {"q", strings.Repeat("张", 41)},
		{"q", `%'"\_;--`}, {"q", "\x00"}, {"page", "-1"}, {"page", "99999999999999999999"}, {"per_page", "100000"},
		{"per_page", "-7"}, {"from", "2026-13-45"}, {"to", long}, {"status", long}, {"org_id", "-1"},
		{"org_id", "1e9"}, {"year", "99999999999"}, {"kind", long}, {"role", long}, {"action", strings.Repeat("%", 5000)},
		{"green", "maybe"}, {"type", long}, {"category", "x"}, {"sort", "; DROP TABLE users"}, {"q", ""},
	}
	for i := range targets {
		for _, s := range seeds {
			f.Add(uint8(i), s[0], s[1])
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, key, value string) {
		tg := targets[int(which)%len(targets)]
		u := srv.URL + "/api/v1" + strings.TrimPrefix(tg.path, "/api/v1") + "?" + url.Values{key: {value}}.Encode()
		res, err := tg.client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", tg.path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("GET %s?%s=%.60q: %d %s", tg.path, key, value, res.StatusCode, b)
		}
	})
}

func seedSearchableRows(f *testing.F, srv *webtest.Server) {
	cw := srv.Login("caseworker1")
	cw.Must(http.StatusCreated, "POST", "/api/v1/households", household(srv, 1))
	cw.Must(http.StatusCreated, "POST", "/api/v1/referrals", map[string]any{"name": "刘强", "id_number": id(2),
		"org_id": srv.OrgID("BJ-XX-JH-01"), "reason": "收入略高于标准", "follow_up_date": "2026-04-01"})
	fin := srv.Login("finance1")
	var fund, line struct {
		ID int64 `json:"id"`
	}
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费", "purposes": []string{"general"}}).Decode(&fund)
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "living"}).Decode(&line)
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 100000, "voucher_no": "收-001", "payment_method": "bank"})
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": 100000})
	fin.Must(http.StatusCreated, "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": srv.OrgID("BJ-XX-JH-01"), "amount_fen": 50000})
}

// TestLists_RefuseALongSearchTermTheSameWay: every list answers a q over 40 characters with the one rule's
// 400 and Chinese message on the q field, and takes a 40-character one.
func TestLists_RefuseALongSearchTermTheSameWay(t *testing.T) {
	srv := webtest.New(t)
	n := 0
	for _, rt := range apiRoutes(srv) {
		if rt.Method != http.MethodGet || strings.Contains(rt.Path, ":") {
			continue
		}
		roles, public, _ := web.RouteRoles(rt.Method, rt.Path, "")
		if public || len(roles) == 0 {
			continue
		}
		n++
		c := srv.Login(callers[roles[0]])
		r := c.Refused(http.StatusBadRequest, "validation", "GET", rt.Path+"?q="+url.QueryEscape(strings.Repeat("张", 41)), nil)
		if _, _, fields := r.Error(); fields["q"] != "搜索词不能超过 40 个字" {
			t.Errorf("%s: fields %v", rt.Path, fields)
		}
		if r := c.Do("GET", rt.Path+"?q="+url.QueryEscape(strings.Repeat("张", 40)), nil); r.Status >= 500 || (r.Status == 400 && strings.Contains(string(r.Body), `"q"`)) {
			t.Errorf("%s with a 40-character q: %d %s", rt.Path, r.Status, r.Body)
		}
	}
	if n < 12 {
		t.Fatalf("only %d lists", n)
	}
}
