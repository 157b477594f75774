// Package webtest builds a whole bangfu server for tests: a fresh SQLite file in t.TempDir(), the demo orgs
// and users, a manual clock, the real HTTP stack behind httptest, and clients logged in per user.
package webtest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/store"
	"bangfu/internal/web"
)

// Start is the time every test server's clock starts at: a Tuesday morning in Beijing.
var Start = time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China)

// Server is a running test server.
type Server struct {
	*httptest.Server
	DB    *store.DB
	Clock *clock.Manual
	Auth  *auth.Service
	t     testing.TB
	cfg   web.Config
}

// New starts a server over a fresh database seeded with the demo orgs and users. Options adjust the
// server's configuration (by default the log-in rate limit is lifted so tests can log in freely).
func New(t testing.TB, options ...func(*web.Config)) *Server {
	t.Helper()
	return start(t, demo.Seed, options)
}

// NewDemo starts a server over the whole demo of `serve --demo` (households, funds, applications), written
// at Start.
func NewDemo(t testing.TB, options ...func(*web.Config)) *Server {
	t.Helper()
	return start(t, demo.Full, options)
}

func start(t testing.TB, seed demotest.Seeder, options []func(*web.Config)) *Server {
	t.Helper()
	clk := clock.NewManual(Start)
	db, svc := demotest.Open(t, clk, seed)
	var logTo io.Writer = io.Discard
	if os.Getenv("BANGFU_TEST_LOG") != "" { // the server's log, for debugging a failing test
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	cfg := web.Config{DB: db, Clock: clk, Log: log, BcryptCost: bcrypt.MinCost, LoginRate: 1000, LoginBurst: 1000,
		ImportDir: t.TempDir()}
	for _, o := range options {
		o(&cfg)
	}
	h := web.New(cfg)
	s := &Server{Server: httptest.NewServer(h), DB: db, Clock: clk, Auth: svc, t: t, cfg: cfg}
	t.Cleanup(s.Close) // before the database's own clean-up closes it
	return s
}

// Restart replaces the server's handler by a new one over the same database, configuration and address, as a
// restart of bangfu would: nothing the old one kept in memory carries over (sessions are in the database).
func (s *Server) Restart() {
	s.Config.Handler = web.New(s.cfg)
}

// OrgID returns the id of the demo org with code.
func (s *Server) OrgID(code string) int64 {
	s.t.Helper()
	var id int64
	if err := s.DB.R.Get(&id, "SELECT id FROM orgs WHERE code = ?", code); err != nil {
		s.t.Fatalf("org %s: %v", code, err)
	}
	return id
}

// Client talks to the server with its own cookie jar and CSRF token, like one browser.
type Client struct {
	s    *Server
	http *http.Client
	CSRF string
}

// Anonymous returns a client without a session.
func (s *Server) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{s: s, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// Login returns a client logged in as username with the demo password; the test fails if log-in fails.
func (s *Server) Login(username string) *Client {
	s.t.Helper()
	return s.LoginWith(username, demo.Password)
}

// LoginWith logs in with a given password.
func (s *Server) LoginWith(username, password string) *Client {
	s.t.Helper()
	c := s.Anonymous()
	r := c.Do("POST", "/api/v1/session", map[string]string{"username": username, "password": password})
	if r.Status != http.StatusOK {
		s.t.Fatalf("log in %s: %d %s", username, r.Status, r.Body)
	}
	c.CSRF = r.JSON()["csrf_token"].(string)
	return c
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	t      testing.TB
}

// JSON decodes the body as an object.
func (r *Response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		r.t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode response: %v: %s", err, r.Body)
	}
}

// ErrorCode returns error.code of an error answer ("" if the body is not one).
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Error returns the error object of an error answer.
func (r *Response) Error() (code, message string, fields map[string]string) {
	var e struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Code, e.Error.Message, e.Error.Fields
}

// Do sends a request; body is JSON-encoded unless it is a string or []byte (sent as is). The CSRF token
// is sent on every request that is not a GET.
func (c *Client) Do(method, path string, body any) *Response {
	c.s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.s.URL+path, rd)
	if err != nil {
		c.s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	return c.Send(req)
}

// Send sends a prepared request with the client's cookies.
func (c *Client) Send(req *http.Request) *Response {
	c.s.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, t: c.s.t}
}

// Must sends a request and fails the test unless the status is want; it returns the response.
func (c *Client) Must(want int, method, path string, body any) *Response {
	c.s.t.Helper()
	r := c.Do(method, path, body)
	if r.Status != want {
		c.s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// Refused sends a request and fails the test unless it gets status with error code.
func (c *Client) Refused(status int, code, method, path string, body any) *Response {
	c.s.t.Helper()
	r := c.Do(method, path, body)
	if r.Status != status || r.ErrorCode() != code {
		c.s.t.Fatalf("%s %s: got %d %s, want %d %s: %s", method, path, r.Status, r.ErrorCode(), status, code, r.Body)
	}
	return r
}
