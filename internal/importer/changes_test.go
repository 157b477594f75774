package importer

import (
	"reflect"
	"strings"
	"testing"

	"bangfu/internal/household"
)

// Every field of a household, changed alone, is named as the one change, by its column where the file has
// one: a field added to household.Fields and not to fieldDiffs fails here.
func TestChanges_CoversEveryFieldOfAHousehold(t *testing.T) {
	typ := reflect.TypeFor[household.Fields]()
	if len(fieldDiffs) != typ.NumField() {
		t.Errorf("%d fields compared, household.Fields has %d", len(fieldDiffs), typ.NumField())
	}
	for i := range typ.NumField() {
		field := typ.Field(i)
		key := strings.Split(field.Tag.Get("json"), ",")[0]
		old := &household.Household{}
		in := &household.Input{}
		v := reflect.ValueOf(&in.Fields).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Int64:
			v.SetInt(1)
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Slice:
			v.Set(reflect.ValueOf(household.CauseList{"illness"}))
		default:
			t.Fatalf("field %s: kind %s", field.Name, v.Kind())
		}
		want := key
		if l, ok := fieldLabels[key]; ok {
			want = l
		}
		if got := changes(old, in); len(got) != 1 || got[0] != want {
			t.Errorf("changing %s alone: changes %v, want [%s]", field.Name, got, want)
		}
	}
	// Unchanged: an empty and a missing list of secondary causes are the same.
	if got := changes(&household.Household{Fields: household.Fields{SecondaryCauses: household.CauseList{}}}, &household.Input{}); len(got) != 0 {
		t.Errorf("nothing changed: %v", got)
	}
}
