package relief

import (
	"encoding/json"
	"slices"

	"bangfu/internal/jsonenc"
)

// appendJSON appends the snapshot's JSON to b: the text json.Marshal gives for it (TestSnapshotJSON_IsTheReflectiveEncoding),
// written out by hand because every decision stores its snapshot inside the write transaction (SPEC §10). The
// application and the household are already JSON (their own AppendJSON, compact); only the policy version is
// encoded by reflection.
func (s Snapshot) appendJSON(b []byte) ([]byte, error) {
	str := func(key, v string) {
		b = jsonenc.String(jsonenc.Key(b, key), v)
	}
	num := func(key string, v int64) {
		b = jsonenc.Int(jsonenc.Key(b, key), v)
	}
	raw := func(key string, v json.RawMessage) {
		b = jsonenc.Key(b, key)
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, v...)
		}
	}
	b = append(b, '{')
	raw("application", s.Application)
	raw("household", s.Household)
	str("category", string(s.Category))
	str("category_basis", s.Basis)
	str("main_cause", s.MainCause)
	policy, err := json.Marshal(s.Policy)
	if err != nil {
		return nil, err
	}
	raw("policy", policy)
	b = jsonenc.Key(b, "paid")
	b = append(b, '{')
	num("same_type_fen", int64(s.Paid.SameTypeFen))
	num("all_types_fen", int64(s.Paid.AllTypesFen))
	b = append(b, '}')
	b = jsonenc.Key(b, "checks")
	if s.Checks == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range s.Checks {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			str("rule", c.Rule)
			str("name", c.Name)
			b = jsonenc.Bool(jsonenc.Key(b, "ok"), c.OK)
			str("message", c.Message)
			str("field", c.Field)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = jsonenc.Key(b, "funding")
	if s.Funding == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		num("account_id", s.Funding.AccountID)
		str("name", s.Funding.Name)
		num("available_before_fen", int64(s.Funding.AvailableFen))
		b = append(b, '}')
	}
	str("decider", s.Decider)
	str("at", s.At)
	b = jsonenc.Key(b, "documents")
	if s.Documents == nil {
		b = append(b, "null"...)
	} else {
		kinds := make([]string, 0, len(s.Documents))
		for k := range s.Documents {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds) // encoding/json writes a map's keys in order
		b = append(b, '{')
		for _, k := range kinds {
			b = jsonenc.Bool(jsonenc.Key(b, k), s.Documents[k])
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}
