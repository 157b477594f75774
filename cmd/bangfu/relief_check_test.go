package main

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

func TestLedgerCheck_NamesAnApplicationWhoseStatusDisagreesWithItsTransfer(t *testing.T) {
	srv := webtest.New(t)
	cw, sup, fin := srv.Login("caseworker1"), srv.Login("supervisor1"), srv.Login("finance1")

	// A draft household with its ID scan is enough for a condolence payment (慰问).
	var h struct{ ID int64 }
	cw.Must(http.StatusCreated, "POST", "/api/v1/households", map[string]any{
		"org_id": srv.OrgID("BJ-XX-JH-01"), "name": "刘建国", "gender": "male",
		"id_number": demo.ResidentID("330108", time.Date(1975, 4, 2, 0, 0, 0, 0, time.UTC), 7, true), "birth_date": "1975-04-02",
		"phone": "13900001111", "industry": "construction", "employment_status": "employed", "address": "滨江区江汉路2号",
		"health": "serious", "disability": "none", "income_wages_fen": 3000000, "main_cause": "illness",
		"bank_card": demo.BankCard("622202", 7),
	}).Decode(&h)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("kind", "id_scan")
	fw, _ := w.CreateFormFile("file", "id.pdf")
	fw.Write([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"))
	w.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/households/%d/documents", srv.URL, h.ID), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", cw.CSRF)
	if r := cw.Send(req); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}

	var fund, line struct{ ID int64 }
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费", "purposes": []string{"general"}}).Decode(&fund)
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "condolence"}).Decode(&line)
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 100000})
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": 100000})

	var app struct {
		ID    int64  `json:"id"`
		AppNo string `json:"app_no"`
	}
	cw.Must(http.StatusCreated, "POST", "/api/v1/applications", map[string]any{"type": "condolence", "household_id": h.ID,
		"amount_fen": 50000, "purpose": "住院慰问"}).Decode(&app)
	cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/applications/%d/submit", app.ID), map[string]any{})
	sup.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/applications/%d/approve", app.ID), map[string]any{})

	ctx := context.Background()
	var out bytes.Buffer
	if code, err := run(ctx, []string{"ledger", "check", "--db", srv.DB.Path}, nil, &out); code != 0 || err != nil {
		t.Fatalf("intact: code %d, %v\n%s", code, err, &out)
	}
	if !strings.Contains(out.String(), "1 applications with their transfers") {
		t.Errorf("output does not count the application:\n%s", &out)
	}

	// Mark it paid by hand while its money is still only reserved.
	if _, err := srv.DB.W.Exec("UPDATE applications SET status = 'disbursed' WHERE id = ?", app.ID); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	code, err := run(ctx, []string{"ledger", "check", "--db", srv.DB.Path}, nil, &out)
	if code != 1 || err == nil {
		t.Fatalf("damaged: code %d, %v\n%s", code, err, &out)
	}
	want := fmt.Sprintf("application %s (disbursed): transfer", app.AppNo)
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "is pending, want posted") {
		t.Errorf("output lacks %q … is pending, want posted:\n%s", want, &out)
	}
}
