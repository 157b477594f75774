package web_test

import (
	"net/http"
	"testing"
	"time"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

func TestLogin_WorksWithoutATokenWhileAnOldSessionIsStillValid(t *testing.T) {
	srv := webtest.New(t)
	c := srv.Login("caseworker1")
	c.CSRF = "" // a reloaded page: the old session's cookie, no token
	c.Must(http.StatusOK, "POST", "/api/v1/session", map[string]string{"username": "supervisor1", "password": demo.Password})
	// Everything else that changes state still needs the token.
	c.Refused(http.StatusForbidden, "forbidden", "DELETE", "/api/v1/session", nil)
}

func TestAPI_AnswersCarryTheServerClockForCountdowns(t *testing.T) {
	srv := webtest.New(t)
	r := srv.Anonymous().Do("GET", "/api/v1/me", nil)
	if got, want := r.Header.Get("X-Server-Time"), webtest.Start.UTC().Format(time.RFC3339Nano); got != want {
		t.Errorf("X-Server-Time = %q, want the test clock %q", got, want)
	}
}
