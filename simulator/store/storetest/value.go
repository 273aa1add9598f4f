package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// order is a document type written as a store.Value.
type order struct {
	Amount string            `json:"amount"`
	Items  []string          `json:"items"`
	Meta   map[string]string `json:"meta,omitempty"`
	Note   *string           `json:"note,omitempty"`
}

func (o *order) CopyValue() store.Value {
	c := *o
	c.Items, c.Meta = slices.Clone(o.Items), maps.Clone(o.Meta)
	if o.Note != nil {
		note := *o.Note
		c.Note = &note
	}
	return &c
}

func newOrder(amount string) *order {
	note := "gift"
	return &order{Amount: amount, Items: []string{"a", "b"}, Meta: map[string]string{"k": "v"}, Note: &note}
}

func getOrder(t *testing.T, s store.Store, id string) (*order, error) {
	t.Helper()
	var o order
	err := s.View(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, "order", id, &o)
		return err
	})
	return &o, err
}

func putOrder(t *testing.T, s store.Store, id string, o *order) {
	t.Helper()
	err := s.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(tx, store.Doc{Kind: "order", ID: id, Merchant: "m", Created: T0}, o)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testValues checks that a document written from a store.Value reads back
// as its JSON would, whether or not the store keeps it decoded: what the
// writer or a reader changes afterwards is not stored, a raw Get or List
// gives its JSON, and rollbacks and Reset take it back as any document.
func testValues(t *testing.T, open Opener) {
	t.Run("CheckValue", func(t *testing.T) {
		CheckValue(t, newOrder("1.00"))
		ref := store.Ref("o1")
		CheckValue(t, &ref)
	})
	t.Run("Isolated", func(t *testing.T) {
		s := open(t)
		o := newOrder("1.00")
		putOrder(t, s, "o1", o)
		o.Amount, o.Items[0], o.Meta["k"], *o.Note = "changed", "changed", "changed", "changed"
		got, err := getOrder(t, s, "o1")
		if err != nil || !reflect.DeepEqual(got, newOrder("1.00")) {
			t.Fatalf("GetJSON after the writer's change = %+v, %v; want as written", got, err)
		}
		got.Amount, got.Items[1], got.Meta["k"], *got.Note = "changed", "changed", "changed", "changed"
		if again, _ := getOrder(t, s, "o1"); !reflect.DeepEqual(again, newOrder("1.00")) {
			t.Errorf("GetJSON after a reader's change = %+v, want as written", again)
		}
		var listed []*order
		err = s.View(ctx, func(tx store.Tx) error {
			var err error
			listed, _, err = store.ListJSON[order](tx, "order", store.Query{})
			return err
		})
		if err != nil || len(listed) != 1 || !reflect.DeepEqual(listed[0], newOrder("1.00")) {
			t.Fatalf("ListJSON = %+v, %v", listed, err)
		}
		listed[0].Items[0] = "changed"
		if again, _ := getOrder(t, s, "o1"); !reflect.DeepEqual(again, newOrder("1.00")) {
			t.Errorf("GetJSON after a change to a listed one = %+v, want as written", again)
		}
	})

	t.Run("RawReads", func(t *testing.T) {
		s := open(t)
		putOrder(t, s, "o1", newOrder("1.00"))
		want, _ := json.Marshal(newOrder("1.00"))
		d, err := Get(t, s, "order", "o1")
		if err != nil || string(d.Data) != string(want) {
			t.Errorf("Get = %s, %v; want %s", d.Data, err, want)
		}
		err = s.View(ctx, func(tx store.Tx) error {
			docs, n, err := tx.List("order", store.Query{})
			if err != nil || n != 1 || string(docs[0].Data) != string(want) {
				t.Errorf("List = %v %d %v; want %s", docs, n, err, want)
			}
			if ok, err := tx.Exists("order", "o1"); !ok || err != nil {
				t.Errorf("Exists of a document written from a value = %v, %v", ok, err)
			}
			// Into another type, it decodes from the JSON.
			var amount struct{ Amount string }
			if _, err := store.GetJSON(tx, "order", "o1", &amount); err != nil || amount.Amount != "1.00" {
				t.Errorf("GetJSON into another type = %+v, %v", amount, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RawWrites", func(t *testing.T) {
		s := open(t)
		putOrder(t, s, "o1", newOrder("1.00"))
		// What a raw Put writes replaces the value.
		Put(t, s, NewDoc("order", "o1", "m", T0, `{"amount":"2.00","items":[]}`))
		if got, err := getOrder(t, s, "o1"); err != nil || !reflect.DeepEqual(got, &order{Amount: "2.00", Items: []string{}}) {
			t.Errorf("after a raw Put = %+v, %v", got, err)
		}
		// A Doc from GetJSON put back as it is keeps the document.
		putOrder(t, s, "o2", newOrder("3.00"))
		err := s.Update(ctx, func(tx store.Tx) error {
			var o order
			d, err := store.GetJSON(tx, "order", "o2", &o)
			if err != nil {
				return err
			}
			d.Index = map[string]string{"status": "paid"}
			return tx.Put(d)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := getOrder(t, s, "o2"); err != nil || !reflect.DeepEqual(got, newOrder("3.00")) {
			t.Errorf("put back = %+v, %v", got, err)
		}
		if ids, n := List(t, s, "order", store.Query{Index: map[string]string{"status": "paid"}}); n != 1 || ids[0] != "o2" {
			t.Errorf("listed by its new index entry: %v %d", ids, n)
		}
	})

	t.Run("Rollback", func(t *testing.T) {
		s := open(t)
		putOrder(t, s, "o1", newOrder("1.00"))
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := store.PutJSON(tx, store.Doc{Kind: "order", ID: "o1", Merchant: "m", Created: T0}, newOrder("9.00")); err != nil {
				return err
			}
			if err := store.CreateJSON(tx, store.Doc{Kind: "order", ID: "o2", Merchant: "m", Created: T0}, newOrder("9.00")); err != nil {
				return err
			}
			var o order
			if _, err := store.GetJSON(tx, "order", "o1", &o); err != nil || o.Amount != "9.00" {
				t.Errorf("own write = %+v, %v", o, err)
			}
			return errNo
		})
		if !errors.Is(err, errNo) {
			t.Fatalf("Update = %v", err)
		}
		if got, err := getOrder(t, s, "o1"); err != nil || !reflect.DeepEqual(got, newOrder("1.00")) {
			t.Errorf("after rollback o1 = %+v, %v; want as first written", got, err)
		}
		if _, err := getOrder(t, s, "o2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after rollback o2: %v, want ErrNotFound", err)
		}
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := getOrder(t, s, "o1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after Reset o1: %v, want ErrNotFound", err)
		}
	})
}

// CheckValue checks a store.Value's CopyValue on v, which must set every
// field (so that a field added later is checked too): the copy equals v,
// shares no pointer, slice or map with it, and v reads back from its JSON
// as it is, as a document the store keeps decoded must.
func CheckValue(t *testing.T, v store.Value) {
	t.Helper()
	if path := zeroField(reflect.ValueOf(v), "v"); path != "" {
		t.Fatalf("%s is not set: set every field, so that CopyValue is checked on it", path)
	}
	c := v.CopyValue()
	if !reflect.DeepEqual(c, v) {
		t.Errorf("CopyValue() = %+v, want %+v", c, v)
	}
	if path := shared(reflect.ValueOf(v), reflect.ValueOf(c), "v"); path != "" {
		t.Errorf("CopyValue shares %s with the original", path)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := json.Unmarshal(data, back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Errorf("decoded from its JSON = %+v, want %+v", back, v)
	}
}

// zeroField names the first exported field under v that is zero, or an
// empty slice or map, or "".
func zeroField(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return path
		}
		return zeroField(v.Elem(), path)
	case reflect.Struct:
		if v.Type().PkgPath() == "time" {
			if v.IsZero() {
				return path
			}
			return ""
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				if p := zeroField(v.Field(i), path+"."+f.Name); p != "" {
					return p
				}
			}
		}
		return ""
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return path
		}
		if v.Kind() == reflect.Slice {
			return zeroField(v.Index(0), path+"[0]")
		}
		it := v.MapRange()
		it.Next()
		return zeroField(it.Value(), path+"["+it.Key().String()+"]")
	}
	if v.IsZero() && v.Kind() != reflect.Bool {
		return path
	}
	return ""
}

// shared names the first pointer, slice or map under a that b shares, or
// "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
					return p
				}
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range min(a.Len(), b.Len()) {
			if p := shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			return path
		}
		it := a.MapRange()
		for it.Next() {
			if bv := b.MapIndex(it.Key()); bv.IsValid() {
				if p := shared(it.Value(), bv, path+"["+fmt.Sprint(it.Key())+"]"); p != "" {
					return p
				}
			}
		}
	}
	return ""
}
