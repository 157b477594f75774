package audit_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"bangfu/internal/audit"
)

// changesByMaps is how Changes was computed before it split the encoded objects itself: decode both sides into
// maps, diff, encode the maps. Changes must give the same text for every input.
func changesByMaps(before, after any) (string, error) {
	asMap := func(v any) (map[string]json.RawMessage, error) {
		if v == nil {
			return nil, nil
		}
		j, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		m := map[string]json.RawMessage{}
		if err := json.Unmarshal(j, &m); err != nil {
			return nil, err
		}
		return m, nil
	}
	b, err := asMap(before)
	if err != nil {
		return "", err
	}
	a, err := asMap(after)
	if err != nil {
		return "", err
	}
	out := map[string]map[string]json.RawMessage{}
	if before != nil && after != nil {
		cb, ca := map[string]json.RawMessage{}, map[string]json.RawMessage{}
		for k, v := range a {
			if old, ok := b[k]; !ok || !bytes.Equal(old, v) {
				ca[k] = v
				if ok {
					cb[k] = old
				}
			}
		}
		for k, v := range b {
			if _, ok := a[k]; !ok {
				cb[k] = v
			}
		}
		out["before"], out["after"] = cb, ca
	} else if before != nil {
		out["before"] = b
	} else {
		out["after"] = a
	}
	j, err := json.Marshal(out)
	return string(j), err
}

type inner struct {
	Street string   `json:"street"`
	Tags   []string `json:"tags"`
}

type sample struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Note    string            `json:"note,omitempty"`
	Amount  int64             `json:"amount_fen"`
	When    time.Time         `json:"when"`
	Addr    *inner            `json:"addr"`
	Extra   map[string]any    `json:"extra"`
	Flags   []bool            `json:"flags"`
	Raw     json.RawMessage   `json:"raw,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	Ignored string            `json:"-"`
	Z       float64           `json:"z"`
	//lint:ignore SA5008 a key that needs escaping is what this field tests
	Escaped  string `json:"a\"b"`
	Unicode  string `json:"名字"`
	HTMLish  string `json:"<tag>&"`
	Nullable *int   `json:"nullable"`
}

// TestChanges_SameTextAsDecodingIntoMaps compares Changes with the map-based reference over random records:
// nested objects and arrays, strings with quotes, backslashes, HTML characters and Chinese, keys that need
// escaping, nil and null sides, and maps.
func TestChanges_SameTextAsDecodingIntoMaps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "王伟", `a"b`, `c\d`, "<script>&", "}{][,:", "\u2028", "\t\n", "13800000000"}
	pick := func() string { return strs[r.IntN(len(strs))] }
	gen := func() any {
		rec := sample{ID: r.Int64N(5), Name: pick(), Note: pick(), Amount: r.Int64N(3) * 100,
			When: time.Date(2026, 3, r.IntN(3)+1, 0, 0, 0, 0, time.UTC), Z: float64(r.IntN(3)) / 3,
			Escaped: pick(), Unicode: pick(), HTMLish: pick()}
		if r.IntN(2) == 0 {
			rec.Addr = &inner{Street: pick(), Tags: []string{pick(), pick()}}
		}
		if r.IntN(2) == 0 {
			rec.Extra = map[string]any{pick(): pick(), "n": r.IntN(3), "list": []any{pick(), 1, nil, map[string]any{"x": pick()}}}
		}
		if r.IntN(3) == 0 {
			rec.Raw = json.RawMessage(`{"k":[1,2,{"a":"}"}]}`)
		}
		if r.IntN(3) == 0 {
			n := r.IntN(9)
			rec.Nullable = &n
		}
		if r.IntN(4) == 0 {
			rec.Labels = map[string]string{pick(): pick(), pick(): pick()}
		}
		rec.Flags = make([]bool, r.IntN(3))
		switch r.IntN(8) {
		case 0:
			return nil
		case 1:
			return (*sample)(nil) // encodes as null
		case 2:
			return map[string]any{"id": rec.ID, "name": rec.Name, "a\\b": pick()}
		}
		return &rec
	}
	for i := range 5000 {
		before, after := gen(), gen()
		if before == nil && after == nil {
			continue
		}
		got, gerr := audit.Changes(before, after)
		want, werr := changesByMaps(before, after)
		if (gerr != nil) != (werr != nil) || got != want {
			t.Fatalf("case %d:\nbefore %#v\nafter  %#v\n got %s (%v)\nwant %s (%v)", i, before, after, got, gerr, want, werr)
		}
	}
}

func TestChanges_RefusesWhatIsNotAnObject(t *testing.T) {
	for _, v := range []any{"text", 3, []int{1}, true} {
		if _, err := audit.Changes(v, nil); err == nil {
			t.Errorf("%#v: no error", v)
		}
		if _, err := audit.Changes(map[string]int{"a": 1}, v); err == nil {
			t.Errorf("after %#v: no error", v)
		}
	}
	if got, err := audit.Changes(nil, map[string]int{"a": 1}); err != nil || got != `{"after":{"a":1}}` {
		t.Fatal(got, err)
	}

}
