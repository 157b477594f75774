package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/store"
	"bangfu/internal/storetest"
)

var t0 = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC) // 09:00 in Beijing

func newDB(t testing.TB) *store.DB { return storetest.Open(t) }

var caseworker = actor.Actor{UserID: 7, Username: "caseworker1", Name: "王丽娟", Roles: []actor.Role{actor.Caseworker},
	OrgID: 4, OrgPath: "/1/2/4/", RequestID: "req-1", ClientAddr: "10.0.0.8"}

func record(t testing.TB, db *store.DB, a actor.Actor, at time.Time, e audit.Entry) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *sqlx.Tx) error { return audit.Record(ctx, tx, a, at, e) }); err != nil {
		t.Fatal(err)
	}
}

// recordN writes n events, one transaction each, alternating actors so that NULL and non-NULL columns both occur.
func recordN(t testing.TB, db *store.DB, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		a := caseworker
		if i%3 == 0 {
			a = actor.System("cli")
		}
		record(t, db, a, t0.Add(time.Duration(i)*time.Minute), audit.Entry{
			Action: "household.update", EntityType: "household", EntityID: fmt.Sprint(100 + i), Reason: "核实",
			Before: map[string]any{"phone": "13800000000", "n": i}, After: map[string]any{"phone": "13900000000", "n": i},
		})
	}
}

func verify(t testing.TB, db *store.DB) audit.Result {
	t.Helper()
	r, err := audit.Verify(context.Background(), db.R)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func events(t testing.TB, db *store.DB) []audit.Event {
	t.Helper()
	var es []audit.Event
	if err := db.R.Select(&es, "SELECT * FROM audit_events ORDER BY seq"); err != nil {
		t.Fatal(err)
	}
	return es
}

func TestVerify_AnEmptyChainIsOK(t *testing.T) {
	db := newDB(t)
	r := verify(t, db)
	if !r.OK || r.HeadSeq != 0 || r.HeadHash != audit.GenesisHash || r.FirstBadSeq != 0 {
		t.Errorf("Verify of an empty chain = %+v", r)
	}
}

func TestRecord_ChainsEachEventToThePreviousOne(t *testing.T) {
	db := newDB(t)
	recordN(t, db, 5)
	es := events(t, db)
	if len(es) != 5 {
		t.Fatalf("%d events, want 5", len(es))
	}
	prev := audit.GenesisHash
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Errorf("event %d has seq %d", i, e.Seq)
		}
		if e.PrevHash != prev {
			t.Errorf("seq %d: prev_hash %s, want the hash before it %s", e.Seq, e.PrevHash, prev)
		}
		if len(e.Hash) != 64 || e.Hash == e.PrevHash {
			t.Errorf("seq %d: hash %q", e.Seq, e.Hash)
		}
		prev = e.Hash
	}
	r := verify(t, db)
	if !r.OK || r.HeadSeq != 5 || r.HeadHash != es[4].Hash {
		t.Errorf("Verify = %+v, want ok at head 5 with the last hash", r)
	}
}

func TestRecord_StoresWhoWhatWhereAndWhy(t *testing.T) {
	db := newDB(t)
	record(t, db, caseworker, t0, audit.Entry{Action: "household.create", EntityType: "household", EntityID: "42",
		Reason: "新建档案", After: map[string]any{"name": "张三"}})
	record(t, db, caseworker, t0, audit.Entry{Action: "household.transfer", EntityType: "household", EntityID: "42",
		OrgID: 5, OrgPath: "/1/2/5/"})
	record(t, db, actor.System("bootstrap"), t0, audit.Entry{Action: "org.create", EntityType: "org", EntityID: "1"})

	es := events(t, db)
	e := es[0]
	if !e.ActorID.Valid || e.ActorID.Int64 != 7 || e.Actor != "caseworker1" || e.Roles != "caseworker" {
		t.Errorf("actor columns = %v %q %q", e.ActorID, e.Actor, e.Roles)
	}
	if !e.OrgID.Valid || e.OrgID.Int64 != 4 || e.OrgPath != "/1/2/4/" {
		t.Errorf("an entry without an org takes the actor's: %v %q", e.OrgID, e.OrgPath)
	}
	if e.Action != "household.create" || e.EntityType != "household" || e.EntityID != "42" || e.Reason != "新建档案" {
		t.Errorf("what and why = %+v", e)
	}
	if e.RequestID != "req-1" || e.ClientAddr != "10.0.0.8" || e.At != "2026-03-10T01:00:00.000000Z" {
		t.Errorf("request, address, time = %q %q %q", e.RequestID, e.ClientAddr, e.At)
	}
	if e.Changes.String != `{"after":{"name":"张三"}}` {
		t.Errorf("changes = %s", e.Changes.String)
	}
	if es[1].OrgID.Int64 != 5 || es[1].OrgPath != "/1/2/5/" || es[1].Changes.Valid {
		t.Errorf("an entry's own org wins and no changes stay NULL: %v %q %v", es[1].OrgID, es[1].OrgPath, es[1].Changes)
	}
	if es[2].ActorID.Valid || es[2].Actor != "system" || es[2].OrgID.Valid || es[2].OrgPath != "/" {
		t.Errorf("system event = %v %q %v %q", es[2].ActorID, es[2].Actor, es[2].OrgID, es[2].OrgPath)
	}
}

func TestRecord_RollsBackWithTheChange(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	recordN(t, db, 2)
	err := db.Write(ctx, func(tx *sqlx.Tx) error {
		if err := audit.Record(ctx, tx, caseworker, t0, audit.Entry{Action: "x.fail", EntityType: "x", EntityID: "1"}); err != nil {
			return err
		}
		return fmt.Errorf("the change itself failed")
	})
	if err == nil {
		t.Fatal("the failing write succeeded")
	}
	recordN(t, db, 1)
	es := events(t, db)
	if len(es) != 3 || es[2].Seq != 3 || es[2].Action == "x.fail" {
		t.Errorf("events after a rolled-back one: %d, last %+v", len(es), es[len(es)-1])
	}
	if r := verify(t, db); !r.OK || r.HeadSeq != 3 {
		t.Errorf("Verify = %+v", r)
	}
}

type person struct {
	Name    string   `json:"name"`
	Phone   string   `json:"phone"`
	Members int      `json:"members"`
	Tags    []string `json:"tags"`
	Secret  string   `json:"-"`
}

func TestChanges_KeepsOnlyTheChangedFields(t *testing.T) {
	before := person{Name: "张三", Phone: "13800000000", Members: 3, Tags: []string{"a"}, Secret: "x"}
	tests := []struct {
		name          string
		before, after any
		want          string
	}{
		{"a creation keeps every field of after", nil, before,
			`{"after":{"members":3,"name":"张三","phone":"13800000000","tags":["a"]}}`},
		{"a deletion keeps every field of before", before, nil,
			`{"before":{"members":3,"name":"张三","phone":"13800000000","tags":["a"]}}`},
		{"an update keeps the changed fields on both sides",
			before, person{Name: "张三", Phone: "13900000000", Members: 4, Tags: []string{"a"}, Secret: "y"},
			`{"after":{"members":4,"phone":"13900000000"},"before":{"members":3,"phone":"13800000000"}}`},
		{"a change inside a slice counts", before, person{Name: "张三", Phone: "13800000000", Members: 3, Tags: []string{"a", "b"}},
			`{"after":{"tags":["a","b"]},"before":{"tags":["a"]}}`},
		{"nothing changed gives two empty sides", before, before, `{"after":{},"before":{}}`},
		{"a field only before is kept in before", map[string]any{"a": 1, "gone": "x"}, map[string]any{"a": 1},
			`{"after":{},"before":{"gone":"x"}}`},
		{"a field only after is kept in after", map[string]any{"a": 1}, map[string]any{"a": 1, "new": true},
			`{"after":{"new":true},"before":{}}`},
		{"a field set to null is a change", map[string]any{"a": 1}, map[string]any{"a": nil},
			`{"after":{"a":null},"before":{"a":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.Changes(tt.before, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Changes =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestChanges_RefusesValuesThatAreNotObjects(t *testing.T) {
	for _, v := range []any{"text", 42, []int{1}} {
		if _, err := audit.Changes(nil, v); err == nil {
			t.Errorf("Changes(nil, %#v) accepted a non-object", v)
		}
	}
}

func TestTriggers_RejectUpdateAndDeleteOfEvents(t *testing.T) {
	db := newDB(t)
	recordN(t, db, 3)
	tests := []struct{ name, sql, want string }{
		{"update of an event", "UPDATE audit_events SET reason = 'x' WHERE seq = 2", "append-only"},
		{"delete of an event", "DELETE FROM audit_events WHERE seq = 3", "append-only"},
		{"delete of every event", "DELETE FROM audit_events", "append-only"},
		{"delete of the head", "DELETE FROM audit_head", "cannot be deleted"},
		{"moving the head back", "UPDATE audit_head SET seq = 2", "only moves forward"},
		{"moving the head two ahead", "UPDATE audit_head SET seq = 5", "only moves forward"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Write(context.Background(), func(tx *sqlx.Tx) error { _, err := tx.Exec(tt.sql); return err })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if r := verify(t, db); !r.OK || r.HeadSeq != 3 {
		t.Errorf("Verify after refused tampering = %+v", r)
	}
}

func TestEvent_JSONShowsChangesAsAnObject(t *testing.T) {
	db := newDB(t)
	record(t, db, caseworker, t0, audit.Entry{Action: "a", EntityType: "x", EntityID: "1", After: map[string]any{"k": "v"}})
	es, _, err := audit.List(context.Background(), db.R, actor.System("t"), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(es[0])
	var back map[string]any
	json.Unmarshal(j, &back)
	if !reflect.DeepEqual(back["changes"], map[string]any{"after": map[string]any{"k": "v"}}) {
		t.Errorf("changes in JSON = %#v (%s)", back["changes"], j)
	}
	for _, hidden := range []string{"actor_id", "org_id", "org_path", "Changes"} {
		if _, ok := back[hidden]; ok {
			t.Errorf("JSON shows %s: %s", hidden, j)
		}
	}
}
