package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
	"bangfu/internal/store"
)

func TestGet_ReadsTheRowOrAnswers404InTheUsersWords(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	type org struct {
		Code string `db:"code"`
		Name string `db:"name"`
	}
	if err := db.Write(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO orgs (code, name, level, path, created_at) VALUES ('T1', '测试工会', 1, '/1/', 'now')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get[org](ctx, db.R, "组织不存在", "SELECT code, name FROM orgs WHERE code = ?", "T1")
	if err != nil || got != (org{"T1", "测试工会"}) {
		t.Fatalf("Get = %+v, %v; want the row", got, err)
	}
	_, err = store.Get[org](ctx, db.R, "组织不存在", "SELECT code, name FROM orgs WHERE code = ?", "NONE")
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.NotFound || e.Message != "组织不存在" {
		t.Fatalf("Get of no row = %v; want the 404 组织不存在", err)
	}
	_, err = store.Get[org](ctx, db.R, "组织不存在", "SELECT code, name FROM no_such_table")
	if err == nil || errors.As(err, &e) {
		t.Fatalf("Get of a broken query = %v; want the driver's error, not a 404", err)
	}
}
