package fault

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Header is the request header that applies one fault to the request it
// comes with, whatever the rules say: "status=429; retry_after=2",
// "after=reset", "delay=2s". The kind comes first, with the value of its
// main field when it has one; the other fields follow as name=value
// parameters, named as in the rule format.
const Header = "X-Sim-Fault"

// HeaderForms sums up the header's syntax for error messages.
const HeaderForms = `write it as KIND[=VALUE][; FIELD=VALUE]…, such as status=500, status=429; retry_after=2, html=403, text=502, ` +
	`after=500, after=reset, reset, close, delay=2s, truncate or malformed`

// ParseHeader reads a value of the X-Sim-Fault header into the action it
// asks for.
func ParseHeader(value string) (RequestAction, error) {
	parts := strings.Split(value, ";")
	name, main, hasMain := strings.Cut(strings.TrimSpace(parts[0]), "=")
	name = strings.TrimSpace(name)
	k, ok := kinds[name]
	if !ok {
		return nil, fmt.Errorf("unknown fault %q; the faults a request takes are %s", name, strings.Join(requestKinds(), ", "))
	}
	act := k.new()
	ra, ok := act.(RequestAction)
	if !ok {
		return nil, fmt.Errorf("%s acts on webhooks, not on a request", name)
	}
	if hasMain {
		if k.header == "" {
			return nil, fmt.Errorf("%s takes no value", name)
		}
		if err := setField(act, k.header, strings.TrimSpace(main)); err != nil {
			return nil, err
		}
	}
	for _, p := range parts[1:] {
		field, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		field = strings.TrimSpace(field)
		if !ok || field == "" {
			return nil, fmt.Errorf("parameter %q: write it as FIELD=VALUE", strings.TrimSpace(p))
		}
		if err := setField(act, field, strings.TrimSpace(v)); err != nil {
			return nil, err
		}
	}
	return ra, act.Check()
}

// setField sets the field of the config cfg points to whose JSON name is
// name from its text in a header.
func setField(cfg any, name, text string) error {
	v := reflect.ValueOf(cfg).Elem()
	for i := 0; i < v.NumField(); i++ {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if tag != name {
			continue
		}
		f := v.Field(i)
		if u, ok := f.Addr().Interface().(json.Unmarshaler); ok {
			quoted, _ := json.Marshal(text)
			if err := u.UnmarshalJSON(quoted); err != nil {
				return under(name, err)
			}
			return nil
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(text)
		case reflect.Int:
			n, err := strconv.Atoi(text)
			if err != nil {
				return fieldErr(name, "want a whole number, got %q", text)
			}
			f.SetInt(int64(n))
		case reflect.Float64:
			n, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return fieldErr(name, "want a number, got %q", text)
			}
			f.SetFloat(n)
		default:
			return fieldErr(name, "cannot be set from the header")
		}
		return nil
	}
	return fieldErr(name, "no such field")
}
