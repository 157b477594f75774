package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a fresh self-signed certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bangfu test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServe_OverTLSAnswersWithHSTSAndASecureCookie (issue 15 item 5): `serve --tls-cert --tls-key` with a
// generated self-signed certificate serves HTTPS, every answer carries HSTS, and the session cookie is Secure.
func TestServe_OverTLSAnswersWithHSTSAndASecureCookie(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "serve", "--demo", "--db", filepath.Join(t.TempDir(), "bangfu.db"),
		"--addr", addr, "--tls-cert", certFile, "--tls-key", keyFile)
	cmd.Env = append(os.Environ(), "BANGFU_TEST_SERVE=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// A generous timeout: the log-in hashes a password, which on a loaded 2-core machine can take seconds.
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + addr
	var res *http.Response
	var err error
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err = client.Get(base + "/healthz"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("the TLS server did not answer: %v", err)
	}
	res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") || res.TLS == nil {
		t.Fatalf("healthz over TLS: HSTS %q", res.Header.Get("Strict-Transport-Security"))
	}
	res, err = client.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"username": "caseworker1", "password": "bangfu-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ck := res.Header.Get("Set-Cookie"); res.StatusCode != 200 || !strings.Contains(ck, "Secure") || !strings.Contains(ck, "HttpOnly") {
		t.Fatalf("log-in over TLS: %d cookie %q", res.StatusCode, ck)
	}
	// Plain HTTP to the TLS port is not served.
	if res, err := http.Get("http://" + addr + "/healthz"); err == nil && res.StatusCode == 200 {
		t.Fatal("plain HTTP answered 200 on the TLS port")
	}
}

func TestServe_HelpListsTheTLSAndProxyFlagsAndRefusesACertWithoutAKey(t *testing.T) {
	code, out, _ := bangfu(t, "", "serve", "--help")
	for _, want := range []string{"-tls-cert", "-tls-key", "-trusted-proxy", "-secure-cookie", "BANGFU_TLS_CERT", "BANGFU_TRUSTED_PROXY", "BANGFU_SECURE_COOKIE"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("serve --help (exit %d) lacks %s", code, want)
		}
	}
	if code, _, err := bangfu(t, "", "serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--tls-cert", "c.pem"); err == nil || !strings.Contains(err.Error(), "--tls-key") {
		t.Errorf("a certificate without a key: exit %d, %v", code, err)
	}
	if code, _, err := bangfu(t, "", "serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--trusted-proxy", "10.0.0.0/99"); err == nil {
		t.Errorf("a bad CIDR: exit %d, %v", code, err)
	}
}
