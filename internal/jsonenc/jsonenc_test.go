package jsonenc_test

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/jsonenc"
)

func TestString_EncodesAsJSONMarshalDoes(t *testing.T) {
	for _, s := range []string{"", "王伟芳", `a"b\c`, "<script>&</script>", "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029",
		"\xff\xfe", "a\xc3", "滨江区 西兴街道\t1号", "😀"} {
		want, _ := json.Marshal(s)
		if got := jsonenc.String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		if rapid.Bool().Draw(t, "bytes") { // any bytes, invalid UTF-8 included
			s = string(rapid.SliceOf(rapid.Byte()).Draw(t, "b"))
		}
		want, _ := json.Marshal(s)
		if got := jsonenc.String(nil, s); string(got) != string(want) {
			t.Fatalf("String(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestTheOthers_EncodeAsJSONMarshalDoes(t *testing.T) {
	str, n := "x<y", int64(-42)
	cases := []struct {
		got  []byte
		want any
	}{
		{jsonenc.Strings(nil, nil), []string(nil)},
		{jsonenc.Strings(nil, []string{}), []string{}},
		{jsonenc.Strings(nil, []string{"a", "&"}), []string{"a", "&"}},
		{jsonenc.Int(nil, n), n},
		{jsonenc.Bool(nil, true), true},
		{jsonenc.StringPtr(nil, nil), (*string)(nil)},
		{jsonenc.StringPtr(nil, &str), &str},
		{jsonenc.IntPtr(nil, nil), (*int64)(nil)},
		{jsonenc.IntPtr(nil, &n), &n},
	}
	for _, c := range cases {
		want, _ := json.Marshal(c.want)
		if string(c.got) != string(want) {
			t.Errorf("got %s, want %s", c.got, want)
		}
	}
	if got := string(jsonenc.Int(jsonenc.Key(jsonenc.Int(jsonenc.Key([]byte("{"), "a"), 1), "b"), 2)) + "}"; got != `{"a":1,"b":2}` {
		t.Errorf("Key: %s", got)
	}
}
