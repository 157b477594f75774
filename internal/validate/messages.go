package validate

import (
	"reflect"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"bangfu/internal/apperr"
	"bangfu/internal/ident"
)

// messages returns bangfu's own Chinese message for each tag it overrides or adds. A message never names the
// field: the UI shows it next to the field.
func (v *Validator) messages() map[string]func(validator.FieldError) string {
	required := func(validator.FieldError) string { return "此项为必填" }
	return map[string]func(validator.FieldError) string{
		"required": required, "required_if": required, "required_unless": required, "required_with": required,
		"required_with_all": required, "required_without": required, "required_without_all": required,

		"len": bySize(
			"长度必须为{}个字符", "必须等于{}", "必须为{}项", ""),
		"min": bySize(
			"长度不能少于{}个字符", "不能小于{}", "至少需要{}项", ""),
		"max": bySize(
			"长度不能超过{}个字符", "不能大于{}", "最多只能有{}项", ""),
		"gte": bySize(
			"长度不能少于{}个字符", "不能小于{}", "至少需要{}项", "不能早于当前时间"),
		"lte": bySize(
			"长度不能超过{}个字符", "不能大于{}", "最多只能有{}项", "不能晚于当前时间"),
		"gt": bySize(
			"长度必须多于{}个字符", "必须大于{}", "必须多于{}项", "必须晚于当前时间"),
		"lt": bySize(
			"长度必须少于{}个字符", "必须小于{}", "必须少于{}项", "必须早于当前时间"),

		"oneof": func(fe validator.FieldError) string {
			return "取值无效，应为以下之一：" + strings.Join(strings.Fields(fe.Param()), "、")
		},
		"email":    func(validator.FieldError) string { return "邮箱地址格式不正确" },
		"numeric":  func(validator.FieldError) string { return "必须是数字" },
		"number":   func(validator.FieldError) string { return "必须是数字" },
		"url":      func(validator.FieldError) string { return "网址格式不正确" },
		"datetime": func(fe validator.FieldError) string { return "格式不正确，应为 " + fe.Param() },

		"mobile": func(validator.FieldError) string { return "手机号格式不正确，应为11位手机号码" },
		"bankcard": func(fe validator.FieldError) string {
			if s, ok := valueText(fe); ok && len(s) >= 12 && len(s) <= 19 && strings.Trim(s, "0123456789") == "" {
				return "银行卡号校验未通过，请核对卡号"
			}
			return "银行卡号应为12至19位数字"
		},
		"idcard": v.idcardMessage,
	}
}

// idcardMessage names the reason the ID number was refused ("身份证号校验位错误"), found by parsing it again.
func (v *Validator) idcardMessage(fe validator.FieldError) string {
	if s, ok := valueText(fe); ok {
		if _, err := ident.ParseResidentID(s, v.today()); err != nil {
			return apperr.From(err).Message
		}
	}
	return "身份证号无效"
}

// valueText returns the string a failing field held, through a pointer and for named string types too.
func valueText(fe validator.FieldError) (string, bool) {
	rv := reflect.ValueOf(fe.Value())
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.String {
		return "", false
	}
	return rv.String(), true
}

var timeType = reflect.TypeFor[time.Time]()

// bySize picks the message for the kind of value a size tag was applied to: the length of a string, the value
// of a number, the count of a slice or map, or a time compared with now. "{}" stands for the tag's parameter.
func bySize(text, number, items, moment string) func(validator.FieldError) string {
	return func(fe validator.FieldError) string {
		t := fe.Type()
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		var m string
		switch {
		case t.Kind() == reflect.String:
			m = text
		case t.Kind() == reflect.Slice, t.Kind() == reflect.Map, t.Kind() == reflect.Array:
			m = items
		case t.ConvertibleTo(timeType):
			m = moment
		default:
			m = number
		}
		if m == "" {
			return "取值超出允许范围"
		}
		return strings.ReplaceAll(m, "{}", fe.Param())
	}
}
