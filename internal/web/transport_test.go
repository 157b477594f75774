package web_test

import (
	"net/http"
	"strings"
	"testing"

	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// loginVia logs caseworker1 in with extra headers and returns the response.
func loginVia(t *testing.T, srv *webtest.Server, headers map[string]string) *webtest.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/session", strings.NewReader(`{"username": "caseworker1", "password": "bangfu-demo"}`))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	r := srv.Anonymous().Send(req)
	if r.Status != http.StatusOK {
		t.Fatalf("log in: %d %s", r.Status, r.Body)
	}
	return r
}

func lastLoginAddr(t *testing.T, srv *webtest.Server) string {
	t.Helper()
	var addr string
	if err := srv.DB.R.Get(&addr, "SELECT client_addr FROM audit_events WHERE action = 'session.login' ORDER BY seq DESC LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestProxy_ForwardedHeadersCountOnlyFromATrustedProxy (issue 15 item 5): X-Forwarded-For and
// X-Forwarded-Proto from any peer are ignored; from a trusted proxy the audit trail records the real client
// address, and HTTPS at the proxy makes the cookie Secure and adds HSTS.
func TestProxy_ForwardedHeadersCountOnlyFromATrustedProxy(t *testing.T) {
	forwarded := map[string]string{"X-Forwarded-For": "198.51.100.23", "X-Forwarded-Proto": "https"}

	untrusted := webtest.New(t)
	r := loginVia(t, untrusted, forwarded)
	if got := lastLoginAddr(t, untrusted); got != "127.0.0.1" {
		t.Errorf("an untrusted peer chose its audited address: %q", got)
	}
	if strings.Contains(r.Header.Get("Set-Cookie"), "Secure") || r.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("an untrusted peer's X-Forwarded-Proto counted: cookie %q, HSTS %q", r.Header.Get("Set-Cookie"), r.Header.Get("Strict-Transport-Security"))
	}

	loopback, err := web.ParseCIDRs("127.0.0.0/8, 10.0.0.1")
	if err != nil || len(loopback) != 2 {
		t.Fatalf("ParseCIDRs: %v %v", loopback, err)
	}
	trusted := webtest.New(t, func(c *web.Config) { c.TrustedProxies = loopback })
	r = loginVia(t, trusted, forwarded)
	if got := lastLoginAddr(t, trusted); got != "198.51.100.23" {
		t.Errorf("behind a trusted proxy the audit trail records %q, want the client 198.51.100.23", got)
	}
	if !strings.Contains(r.Header.Get("Set-Cookie"), "Secure") || !strings.Contains(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HTTPS at a trusted proxy: cookie %q, HSTS %q", r.Header.Get("Set-Cookie"), r.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP at the trusted proxy: no Secure flag (the browser would drop the cookie), no HSTS.
	r = loginVia(t, trusted, map[string]string{"X-Forwarded-For": "198.51.100.24"})
	if strings.Contains(r.Header.Get("Set-Cookie"), "Secure") || r.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("plain HTTP at the proxy: cookie %q", r.Header.Get("Set-Cookie"))
	}
	if _, err := web.ParseCIDRs("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}

// TestProxy_SecureCookieForcesTheSecureFlag: --secure-cookie for a proxy that sends no X-Forwarded-Proto.
func TestProxy_SecureCookieForcesTheSecureFlag(t *testing.T) {
	srv := webtest.New(t, func(c *web.Config) { c.SecureCookie = true })
	r := loginVia(t, srv, nil)
	if !strings.Contains(r.Header.Get("Set-Cookie"), "Secure") {
		t.Fatalf("cookie %q is not Secure", r.Header.Get("Set-Cookie"))
	}
}
