package tabby_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// The wire types write exactly what json.Marshal writes, on random values
// that set every field (a field added and not written by AppendJSON shows
// here), nil and empty lists and maps, strings HTML, JSONP and invalid
// UTF-8 make encoding/json escape, and raw JSON as stored or as a merchant
// may send it.
func TestWireJSON_AsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	types := []interface {
		AppendJSON([]byte) ([]byte, error)
	}{&tabby.PaymentJSON{}, &tabby.SessionJSON{}, &tabby.WebhookJSON{}, &tabby.ListJSON{}}
	for _, v := range types {
		for range 2000 {
			rv := reflect.ValueOf(v).Elem()
			rv.SetZero()
			fill(rng, rv, 0)
			want, wantErr := json.Marshal(v)
			got, err := v.AppendJSON([]byte("x"))
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%T: AppendJSON error %v, json.Marshal error %v", v, err, wantErr)
			}
			if err == nil && !bytes.Equal(got, append([]byte("x"), want...)) {
				t.Fatalf("%T: AppendJSON wrote\n%s\njson.Marshal writes\n%s", v, got[1:], want)
			}
		}
	}
}

var (
	texts = []string{"", "a", "Order 1001", `quo"te \ back`, "<b>&amp;</b>", "tab\there\nnew\r\x00\x1f\x7f",
		"\u2028\u2029", "héllo مرحبا 😀", "bad \xff utf8 \xe2\x80", "\b\f"}
	raws = []tabby.Raw{nil, tabby.Raw(`null`), tabby.Raw(`{}`), tabby.Raw(`{"a":[1,2.5,"x y"],"b":null}`),
		tabby.Raw("{ \"pretty\" : [ 1 ,\n 2 ] }"), tabby.Raw(`{"html":"<a href='x'>&</a>"}`),
		tabby.Raw("\"\u2028\""), tabby.Raw(`"\u003c"`), tabby.Raw(`[true,false]`), tabby.Raw(`{"a": `)}
	floats = []float64{0, 1, -2.5, 0.1, 1e-7, 1e21, 123456789, 1e20, 5e-324, math.MaxFloat64, 1.5e-9}
)

// fill sets v to a random value: every field, nil or empty now and then.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[tabby.Raw]() {
		r := raws[rng.IntN(len(raws))]
		if r != nil {
			v.Set(reflect.ValueOf(r))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(texts[rng.IntN(len(texts))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int:
		v.SetInt(rng.Int64N(2000) - 1000)
	case reflect.Float64:
		v.SetFloat(floats[rng.IntN(len(floats))])
	case reflect.Pointer:
		if rng.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(rng, v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if rng.IntN(4) == 0 {
			return // nil
		}
		n := rng.IntN(3)
		if depth > 4 {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if rng.IntN(4) == 0 {
			return // nil
		}
		m := reflect.MakeMap(v.Type())
		for range rng.IntN(3) {
			k := reflect.New(v.Type().Key()).Elem()
			fill(rng, k, depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(rng, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		panic("fill: no random " + v.Type().String())
	}
}
