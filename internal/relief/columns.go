package relief

import (
	"database/sql"
	"reflect"
)

// columnField is the field of Application that holds each column of applications (its db tag).
var columnField = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[Application]()
	for i := range t.NumField() {
		if col := t.Field(i).Tag.Get("db"); col != "" && col != "-" {
			m[col] = i
		}
	}
	return m
}()

// setColumns sets the fields of cols to vals, as "UPDATE applications SET col = ?, …" stores them (an action's
// step.set), so that the application need not be read back after its update. It reports false, leaving app
// half-set, for a column or a kind of value it does not know; the caller then reads the row instead.
func (app *Application) setColumns(cols []string, vals []any) bool {
	v := reflect.ValueOf(app).Elem()
	for i, col := range cols {
		fi, ok := columnField[col]
		if !ok || !assign(v.Field(fi), vals[i]) {
			return false
		}
	}
	return true
}

// assign sets f to val as the driver would store val and read it back into f.
func assign(f reflect.Value, val any) bool {
	switch p := f.Addr().Interface().(type) {
	case *sql.NullInt64:
		switch x := val.(type) {
		case nil:
			*p = sql.NullInt64{}
		case int64:
			*p = sql.NullInt64{Int64: x, Valid: true}
		default:
			return false
		}
		return true
	case *sql.NullString:
		switch x := val.(type) {
		case nil:
			*p = sql.NullString{}
		case string:
			*p = sql.NullString{String: x, Valid: true}
		default:
			return false
		}
		return true
	}
	if val == nil {
		return false // NULL into a NOT NULL field: let the read say what happened
	}
	rv := reflect.ValueOf(val)
	switch {
	case f.Kind() == reflect.String && rv.Kind() == reflect.String:
		f.SetString(rv.String())
	case f.CanInt() && rv.CanInt():
		f.SetInt(rv.Int())
	case f.Kind() == reflect.Bool && rv.Kind() == reflect.Bool:
		f.SetBool(rv.Bool())
	default:
		return false
	}
	return true
}
