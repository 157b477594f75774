package validate

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"bangfu/internal/apperr"
)

var today = func() time.Time { return time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC) }

type member struct {
	Name     string `json:"name" validate:"required,max=20"`
	IDNumber string `json:"id_number" validate:"required,idcard"`
}

type Address struct {
	City string `json:"city" validate:"required"`
}

type household struct {
	Address                       // embedded: its fields sit at the top level of the JSON
	Name       string             `json:"name" validate:"required,max=50"`
	Gender     string             `json:"gender" validate:"oneof=male female"`
	IDNumber   string             `json:"id_number" validate:"idcard"`
	Mobile     string             `json:"mobile,omitempty" validate:"mobile"`
	BankCard   string             `json:"bank_card" validate:"omitempty,bankcard"`
	PostCode   string             `json:"post_code" validate:"len=6"`
	Email      string             `json:"email" validate:"omitempty,email"`
	Age        int                `json:"age" validate:"gte=16,lte=120"`
	IncomeFen  int64              `json:"income_fen" validate:"min=0"`
	Members    []member           `json:"members" validate:"min=1,max=2,dive"`
	Phones     []string           `json:"phones" validate:"dive,mobile"`
	Employer   *employer          `json:"employer" validate:"omitempty"`
	Secret     string             `json:"-" validate:"required"`
	NoJSONTag  string             `validate:"required"`
	Tags       map[string]string  `json:"tags" validate:"max=1"`
	OptionalID *string            `json:"optional_id" validate:"omitempty,idcard"`
	Extra      map[string]*member `json:"extra" validate:"dive"`
}

type employer struct {
	Name string `json:"name" validate:"required,min=2"`
}

func valid() household {
	return household{
		Address:  Address{City: "北京"},
		Name:     "张三",
		Gender:   "male",
		IDNumber: "110101199003071233",
		Mobile:   "13812345678",
		BankCard: "6222021234567890128",
		PostCode: "100000",
		Email:    "zhangsan@example.com",
		Age:      35,
		Members:  []member{{Name: "李四", IDNumber: "11010519491231002X"}},
		Phones:   []string{"13912345678"},
		Employer: &employer{Name: "某某餐饮"},
		Secret:   "x", NoJSONTag: "x",
	}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *apperr.Error", err)
	}
	if ae.Code != apperr.Validation || ae.Message != "输入有误，请检查标注的字段" {
		t.Fatalf("error = %q %q, want the validation error", ae.Code, ae.Message)
	}
	return ae.Fields
}

func TestStruct_AcceptsAValidStruct(t *testing.T) {
	v := New(today)
	h := valid()
	if err := v.Struct(h); err != nil {
		t.Fatalf("Struct(valid) = %v", err)
	}
	if err := v.Struct(&h); err != nil {
		t.Fatalf("Struct(&valid) = %v", err)
	}
}

func TestStruct_GivesAChineseMessagePerJSONField(t *testing.T) {
	tenChars := "1234567890"
	h := household{
		Name:       "",
		Gender:     "unknown",
		IDNumber:   "110101199003071234",
		Mobile:     "12812345678",
		BankCard:   "6222021234567890123",
		PostCode:   "1000",
		Email:      "not-an-email",
		Age:        15,
		IncomeFen:  -1,
		Members:    []member{{Name: "李四", IDNumber: "11010519491231002X"}, {Name: "", IDNumber: "110101202302300010"}},
		Phones:     []string{"13912345678", "123"},
		Employer:   &employer{Name: "某"},
		Tags:       map[string]string{"a": "1", "b": "2"},
		OptionalID: &tenChars,
		Extra:      map[string]*member{"spouse": {Name: "王五", IDNumber: "990101199003071237"}},
	}
	want := map[string]string{
		"city":                    "此项为必填",
		"name":                    "此项为必填",
		"gender":                  "取值无效，应为以下之一：male、female",
		"id_number":               "身份证号校验位错误",
		"mobile":                  "手机号格式不正确，应为11位手机号码",
		"bank_card":               "银行卡号校验未通过，请核对卡号",
		"post_code":               "长度必须为6个字符",
		"email":                   "邮箱地址格式不正确",
		"age":                     "不能小于16",
		"income_fen":              "不能小于0",
		"members[1].name":         "此项为必填",
		"members[1].id_number":    "身份证号中的出生日期无效",
		"phones[1]":               "手机号格式不正确，应为11位手机号码",
		"employer.name":           "长度不能少于2个字符",
		"Secret":                  "此项为必填", // json:"-": not in the body, so the Go name is all there is
		"NoJSONTag":               "此项为必填",
		"tags":                    "最多只能有1项",
		"optional_id":             "身份证号应为18位",
		"extra[spouse].id_number": "身份证号地区码无效",
	}
	got := fieldsOf(t, New(today).Struct(&h))
	if !maps.Equal(got, want) {
		for _, k := range slices.Sorted(maps.Keys(got)) {
			if got[k] != want[k] {
				t.Errorf("Fields[%q] = %q, want %q", k, got[k], want[k])
			}
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if _, ok := got[k]; !ok {
				t.Errorf("Fields[%q] missing, want %q", k, want[k])
			}
		}
	}
}

func TestStruct_MessagesForEachKindOfValue(t *testing.T) {
	type form struct {
		Text   string    `json:"text" validate:"max=5"`
		Count  int       `json:"count" validate:"max=3"`
		Price  float64   `json:"price" validate:"gt=0"`
		Items  []int     `json:"items" validate:"len=2"`
		Short  string    `json:"short" validate:"lt=3"`
		Number string    `json:"number" validate:"numeric"`
		Day    string    `json:"day" validate:"datetime=2006-01-02"`
		Past   time.Time `json:"past" validate:"lte"`
		Ptr    *int      `json:"ptr" validate:"required"`
		PtrMin *string   `json:"ptr_min" validate:"omitempty,min=3"`
		Site   string    `json:"site" validate:"omitempty,url"`
		Color  string    `json:"color" validate:"omitempty,hexcolor"` // no override: the zh text without the field name
		Card   string    `json:"card" validate:"bankcard"`
		Flag   string    `json:"flag" validate:"boolean"` // no translation at all: a generic Chinese text
	}
	ab := "ab"
	f := form{
		Text: "一二三四五六", Count: 4, Price: 0, Items: []int{1}, Short: "abc", Number: "12a", Day: "2025/06/15",
		Past: time.Now().Add(time.Hour), PtrMin: &ab, Site: "not a url", Color: "red", Card: "1234",
		Flag: "maybe",
	}
	want := map[string]string{
		"text":    "长度不能超过5个字符",
		"count":   "不能大于3",
		"price":   "必须大于0",
		"items":   "必须为2项",
		"short":   "长度必须少于3个字符",
		"number":  "必须是数字",
		"day":     "格式不正确，应为 2006-01-02",
		"past":    "不能晚于当前时间",
		"ptr":     "此项为必填",
		"ptr_min": "长度不能少于3个字符",
		"site":    "网址格式不正确",
		"color":   "必须是一个有效的十六进制颜色",
		"card":    "银行卡号应为12至19位数字",
		"flag":    "格式不正确",
	}
	got := fieldsOf(t, New(today).Struct(f))
	if !maps.Equal(got, want) {
		t.Errorf("Fields =\n%v\nwant\n%v", got, want)
	}
}

func TestStruct_IDCardUsesTheInjectedClock(t *testing.T) {
	type person struct {
		IDNumber string `json:"id_number" validate:"idcard"`
	}
	p := person{IDNumber: "110101202506160013"} // born 2025-06-16
	if got := fieldsOf(t, New(today).Struct(p)); got["id_number"] != "身份证号中的出生日期晚于今天" {
		t.Errorf("before the birth date: Fields = %v", got)
	}
	tomorrow := func() time.Time { return today().AddDate(0, 0, 1) }
	if err := New(tomorrow).Struct(p); err != nil {
		t.Errorf("on the birth date: Struct = %v", err)
	}
}

func TestStruct_AcceptsLowercaseXInIDCard(t *testing.T) {
	type person struct {
		IDNumber string `json:"id_number" validate:"idcard"`
	}
	if err := New(today).Struct(person{IDNumber: "11010519491231002x"}); err != nil {
		t.Errorf("Struct = %v", err)
	}
}

func TestStruct_CustomTagsOnNonStringFieldsFail(t *testing.T) {
	type wrong struct {
		Mobile int `json:"mobile" validate:"mobile"`
		ID     int `json:"id" validate:"idcard"`
	}
	got := fieldsOf(t, New(today).Struct(wrong{Mobile: 13812345678, ID: 1}))
	if len(got) != 2 || got["id"] != "身份证号无效" {
		t.Errorf("Fields = %v", got)
	}
}

func TestStruct_NotAStructIsAnInternalError(t *testing.T) {
	v := New(today)
	for _, in := range []any{nil, 42, (*household)(nil)} {
		if code := apperr.CodeOf(v.Struct(in)); code != apperr.Internal {
			t.Errorf("Struct(%#v) code = %q, want internal", in, code)
		}
	}
}

func TestStruct_IsSafeForConcurrentUse(t *testing.T) {
	v := New(today)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				h := valid()
				h.Members[0].IDNumber = "110105194912310021"
				got := fieldsOf(t, v.Struct(h))
				if got["members[0].id_number"] != "身份证号校验位错误" {
					t.Errorf("Fields = %v", got)
				}
			}
		})
	}
	wg.Wait()
}

func TestStruct_EveryMessageIsChinese(t *testing.T) {
	h := household{Members: []member{{}}, Phones: []string{""}}
	for k, m := range fieldsOf(t, New(today).Struct(h)) {
		if !hasHan(m) {
			t.Errorf("Fields[%q] = %q has no Chinese", k, m)
		}
	}
}
