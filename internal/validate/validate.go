// Package validate checks request structs with validator/v10: bangfu's own tags (idcard, mobile, bankcard) and
// short Chinese messages keyed by the JSON path of each field, returned as one apperr validation error.
package validate

import (
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/go-playground/locales/zh"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	zhtrans "github.com/go-playground/validator/v10/translations/zh"

	"bangfu/internal/apperr"
	"bangfu/internal/ident"
)

// Validator validates structs by their `validate` tags. It is safe for concurrent use.
type Validator struct {
	v     *validator.Validate
	trans ut.Translator
	today func() time.Time
}

// embedded is the name given to an embedded struct without a json name: encoding/json flattens its fields into
// the outer object, so its segment is dropped from field paths.
const embedded = "\x00"

// New returns a Validator; today is the clock used to refuse ID numbers with a birth date in the future.
func New(today func() time.Time) *Validator {
	val := &Validator{v: validator.New(validator.WithRequiredStructEnabled()), today: today}
	val.v.RegisterTagNameFunc(jsonName)

	val.v.RegisterValidation("idcard", func(fl validator.FieldLevel) bool {
		s, ok := text(fl.Field())
		if !ok {
			return false
		}
		_, err := ident.ParseResidentID(s, val.today())
		return err == nil
	})
	val.v.RegisterValidation("mobile", stringRule(ident.ValidMobile))
	val.v.RegisterValidation("bankcard", stringRule(ident.ValidBankCard))

	// The zh translations cover every built-in tag; the messages of messages.go replace the common ones with
	// texts that do not name the field, since the UI shows them next to it.
	val.trans, _ = ut.New(zh.New()).GetTranslator("zh")
	if err := zhtrans.RegisterDefaultTranslations(val.v, val.trans); err != nil {
		panic("validate: registering zh translations: " + err.Error())
	}
	for tag, message := range val.messages() {
		err := val.v.RegisterTranslation(tag, val.trans,
			func(ut.Translator) error { return nil },
			func(_ ut.Translator, fe validator.FieldError) string { return message(fe) })
		if err != nil {
			panic("validate: registering translation of " + tag + ": " + err.Error())
		}
	}
	return val
}

// Struct validates s (a struct or a pointer to one). It returns nil, or an *apperr.Error with code Validation
// whose Fields map each failing field's JSON path (e.g. "members[1].id_number") to a Chinese message.
// A value that is not a struct is a programming error and comes back as an internal error.
func (v *Validator) Struct(s any) error {
	err := v.v.Struct(s)
	if err == nil {
		return nil
	}
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) {
		return apperr.Wrap(err)
	}
	fields := make(map[string]string, len(errs))
	for _, fe := range errs {
		fields[path(fe.Namespace())] = v.message(fe)
	}
	return apperr.FieldErrors(fields)
}

// Validate is Struct under the name echo's Validator interface expects.
func (v *Validator) Validate(i any) error { return v.Struct(i) }

// message translates fe; a translation from the zh package that starts with the field's name loses it.
func (v *Validator) message(fe validator.FieldError) string {
	m := fe.Translate(v.trans)
	if !hasHan(m) { // a tag without a translation: Translate gave validator's English text
		return "格式不正确"
	}
	if rest := strings.TrimPrefix(m, fe.Field()); rest != "" {
		return rest
	}
	return m
}

// jsonName names a field as encoding/json does, so error paths match the request body.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch {
	case name == "-":
		return ""
	case name != "":
		return name
	case f.Anonymous && indirect(f.Type).Kind() == reflect.Struct:
		return embedded
	}
	return f.Name
}

// path turns validator's namespace "Household.members[1].id_number" into the JSON path "members[1].id_number":
// it drops the top-level type name and the segments of embedded structs.
func path(namespace string) string {
	segments := strings.Split(namespace, ".")[1:]
	kept := segments[:0]
	for _, s := range segments {
		if s != embedded {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, ".")
}

func stringRule(valid func(string) bool) validator.Func {
	return func(fl validator.FieldLevel) bool {
		s, ok := text(fl.Field())
		return ok && valid(s)
	}
}

// text returns the string held by a field of string kind.
func text(field reflect.Value) (string, bool) {
	if field.Kind() != reflect.String {
		return "", false
	}
	return field.String(), true
}

func indirect(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
