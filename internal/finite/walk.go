package finite

import (
	"reflect"
	"strings"
)

// walker goes through the floats encoding/json would write for a value,
// the one traversal behind Zero, All and JSON.
type walker struct {
	// leaf is called on every float; with mirror, its result stands for the
	// float in the rebuilt value.
	leaf func(reflect.Value) any
	// mirror makes walk return the value rebuilt from plain values, structs
	// as objects; without it walk returns nil and builds nothing.
	mirror bool
	// set makes the floats leaf gets settable: what a map or an interface
	// holds cannot be set in place, so it is walked as a copy that is put
	// back.
	set bool
}

func (w walker) walk(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid: // a nil interface at the top
		return nil
	case reflect.Float32, reflect.Float64:
		return w.leaf(v)
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return w.walk(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if !w.set {
			return w.walk(v.Elem())
		}
		c := settable(v.Elem())
		out := w.walk(c)
		v.Set(c)
		return out
	case reflect.Slice, reflect.Array:
		var out []any
		if w.mirror {
			out = make([]any, v.Len()) // a nil slice too: [], not null
		}
		for i := range v.Len() {
			x := w.walk(v.Index(i))
			if w.mirror {
				out[i] = x
			}
		}
		if !w.mirror {
			return nil
		}
		return out
	case reflect.Map:
		var out map[string]any
		if w.mirror {
			out = map[string]any{}
		}
		for it := v.MapRange(); it.Next(); {
			e := it.Value()
			if w.set {
				e = settable(e)
			}
			x := w.walk(e)
			if w.set {
				v.SetMapIndex(it.Key(), e)
			}
			if w.mirror {
				out[it.Key().String()] = x
			}
		}
		if !w.mirror {
			return nil
		}
		return out
	case reflect.Struct:
		var obj orderedObject
		w.fields(&obj, v)
		if !w.mirror {
			return nil
		}
		return obj
	}
	if !w.mirror {
		return nil
	}
	return v.Interface()
}

// fields walks a struct's exported fields under their JSON names,
// flattening untagged embedded structs as encoding/json does, and with
// mirror appends them to obj.
func (w walker) fields(obj *orderedObject, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			w.fields(obj, v.Field(i))
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(opts, "omitempty") && v.Field(i).IsZero() {
			continue
		}
		x := w.walk(v.Field(i))
		if w.mirror {
			obj.keys = append(obj.keys, name)
			obj.values = append(obj.values, x)
		}
	}
}

// settable returns a settable copy of v.
func settable(v reflect.Value) reflect.Value {
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}
