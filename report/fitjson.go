package report

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strings"
)

// FitJSON is the content of fit.json: every number of the seed analysis.
// Numbers that are not finite (a fit that failed, an interval with no
// replicate) are written as null.
type FitJSON struct {
	Sweep     string          `json:"sweep"`
	Meta      Meta            `json:"meta"`
	Bootstrap BootstrapInfo   `json:"bootstrap"`
	Rho       RhoEstimate     `json:"rho"`
	Cells     []Cell          `json:"cells"`
	Ridges    []RidgeEstimate `json:"ridges"`
	Edge      Edge            `json:"edge"`
	RidgeFits Comparison      `json:"ridge_fits"`
	EdgeFits  Comparison      `json:"edge_fits"`
	// NoiseScale restates LSSR with replacement as McCandlish et al.'s
	// noise-scale rule (see NoiseScaleNote).
	NoiseScale string   `json:"noise_scale"`
	Notes      []string `json:"notes"`
}

// FitJSONOf gathers fit.json's content from a summary.
func FitJSONOf(s *Summary) FitJSON {
	return FitJSON{Sweep: s.Meta.Sweep, Meta: s.Meta, Bootstrap: s.Bootstrap, Rho: s.Rho, Cells: s.Cells,
		Ridges: s.Ridges, Edge: s.Edge, RidgeFits: s.RidgeFits, EdgeFits: s.EdgeFits,
		NoiseScale: NoiseScaleNote, Notes: s.Notes}
}

func writeFitJSON(w io.Writer, s *Summary) error {
	b, err := json.MarshalIndent(finiteJSON(reflect.ValueOf(FitJSONOf(s))), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// finiteJSON mirrors v as values encoding/json writes the way it would
// write v, except that non-finite floats become null (json.Marshal fails
// on them). Struct fields keep their order.
func finiteJSON(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return finiteJSON(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return []any{}
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = finiteJSON(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = finiteJSON(it.Value())
		}
		return out
	case reflect.Struct:
		var obj orderedObject
		addFields(&obj, v)
		return obj
	}
	return v.Interface()
}

// addFields appends a struct's exported fields under their JSON names,
// flattening untagged embedded structs as encoding/json does.
func addFields(obj *orderedObject, v reflect.Value) {
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
			addFields(obj, v.Field(i))
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(opts, "omitempty") && v.Field(i).IsZero() {
			continue
		}
		obj.keys = append(obj.keys, name)
		obj.values = append(obj.values, finiteJSON(v.Field(i)))
	}
}

// orderedObject is a JSON object whose keys keep their order.
type orderedObject struct {
	keys   []string
	values []any
}

// MarshalJSON writes the keys in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(o.values[i])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
