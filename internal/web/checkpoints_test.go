package web_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"bangfu/internal/audit/audittest"
	"bangfu/internal/web/webtest"
)

// SPEC §7: finance and auditors take checkpoints; the list shows them with their text; the QR code is a PNG.
func TestCheckpoints_FinanceAndAuditorsTakeThemAndAllThreeReadersListThem(t *testing.T) {
	srv := webtest.New(t)
	for _, who := range []string{"caseworker1", "supervisor1", "admin"} {
		srv.Login(who).Refused(403, "forbidden", "POST", "/api/v1/audit/checkpoints", "not even JSON")
	}
	for _, who := range []string{"caseworker1", "supervisor1"} {
		srv.Login(who).Refused(403, "forbidden", "GET", "/api/v1/audit/checkpoints", nil)
		srv.Login(who).Refused(403, "forbidden", "GET", "/api/v1/audit/checkpoints/1/qr.png", nil)
		srv.Login(who).Refused(403, "forbidden", "POST", "/api/v1/audit/checkpoints/verify", "{")
	}
	srv.Anonymous().Refused(401, "unauthenticated", "GET", "/api/v1/audit/checkpoints", nil)

	fin := srv.Login("finance1")
	var head struct{ Seq int64 }
	if err := srv.DB.R.Get(&head.Seq, "SELECT seq FROM audit_head"); err != nil {
		t.Fatal(err)
	}
	cp := fin.Must(201, "POST", "/api/v1/audit/checkpoints", nil).JSON()
	if cp["seq"].(float64) != float64(head.Seq) || !strings.HasPrefix(cp["text"].(string), "BANGFU-CHECKPOINT v1\n") {
		t.Fatalf("checkpoint %v, want the head %d signed", cp, head.Seq)
	}
	srv.Login("auditor1").Must(201, "POST", "/api/v1/audit/checkpoints", nil)
	l := srv.Login("admin").Must(200, "GET", "/api/v1/audit/checkpoints", nil).JSON()
	if l["total"].(float64) != 2 || len(l["items"].([]any)) != 2 {
		t.Fatalf("list %v", l)
	}
	newest := l["items"].([]any)[0].(map[string]any)
	if newest["actor"] != "auditor1" {
		t.Errorf("newest first: %v", newest)
	}
	r := fin.Must(200, "GET", "/api/v1/audit/checkpoints/1/qr.png", nil)
	if r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	if img, err := png.Decode(bytes.NewReader(r.Body)); err != nil || img.Bounds().Dx() < 200 {
		t.Errorf("QR code is not a PNG of a printable size: %v", err)
	}
	fin.Refused(404, "not_found", "GET", "/api/v1/audit/checkpoints/99/qr.png", nil)
	fin.Refused(404, "not_found", "GET", "/api/v1/audit/checkpoints/x/qr.png", nil)
}

func TestCheckpoints_VerifyProvesGrowthAndCatchesARewrite(t *testing.T) {
	srv := webtest.New(t)
	aud := srv.Login("auditor1")
	text := aud.Must(201, "POST", "/api/v1/audit/checkpoints", nil).JSON()["text"].(string)
	aud.Must(201, "POST", "/api/v1/audit/checkpoints", nil) // the log grows
	v := aud.Must(200, "POST", "/api/v1/audit/checkpoints/verify", map[string]any{"checkpoints": []string{text}}).JSON()
	if v["ok"] != true {
		t.Fatalf("verify %v", v)
	}
	aud.Refused(400, "validation", "POST", "/api/v1/audit/checkpoints/verify", map[string]any{"checkpoints": []string{}})
	aud.Refused(400, "validation", "POST", "/api/v1/audit/checkpoints/verify", map[string]any{"checkpoints": []string{"hello"}})
	forged := strings.Replace(text, "seq:  ", "seq:  1", 1)
	r := aud.Refused(400, "validation", "POST", "/api/v1/audit/checkpoints/verify", map[string]any{"checkpoints": []string{forged}})
	if _, msg, _ := r.Error(); !strings.Contains(msg, "签名无效") {
		t.Errorf("forged checkpoint: %s", msg)
	}

	// Rewrite event 2 and rehash nothing: the walk names it.
	audittest.Tamper(t, srv.DB, audittest.Exec("UPDATE audit_events SET reason = 'x' WHERE seq = 2"))
	v = aud.Must(200, "POST", "/api/v1/audit/checkpoints/verify", map[string]any{"checkpoints": []string{text}}).JSON()
	if v["ok"] != false || v["first_bad_seq"].(float64) != 2 || v["problem"] != "edited" {
		t.Fatalf("after the edit: %v", v)
	}
}
