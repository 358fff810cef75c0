package lssr

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Config is a sweep's configuration apart from its grid: everything that
// enters a job's ID (Job.ContentID) except b, η and seed. Every job of a
// sweep has the same Config, so the sweep's cells differ only in (b, η) and
// its seeds are repeats of one experiment.
type Config struct {
	Dataset  DatasetSpec  `json:"dataset"`
	Model    ModelSpec    `json:"model"`
	Loss     Loss         `json:"loss"`
	Training TrainingSpec `json:"training"`
}

// Config returns the job's configuration apart from its grid cell and seed.
// The dataset folder and TrainingSpec.EvalEvery are left out, as they are
// of the job's ID.
func (j Job) Config() Config {
	c := Config{Dataset: j.Dataset, Model: j.Model, Loss: j.Loss, Training: j.Training}
	c.Dataset.Dir = ""
	c.Training.EvalEvery = 0
	return c
}

// Equal reports whether two configurations train the same way. Identical
// structs are equal at once; others are compared field by field as Diff
// does (so an empty list equals a missing one).
func (c Config) Equal(o Config) bool {
	return reflect.DeepEqual(c, o) || reflect.DeepEqual(c.flatten(), o.flatten())
}

// Change is one field in which two configurations differ, named as in the
// spec ("training.epochs").
type Change struct {
	Field    string
	Old, New string
}

// String is the change as `sweep run` prints it: "field: old → new".
func (c Change) String() string { return fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New) }

// Diff lists the fields in which o differs from c, by field name.
func (c Config) Diff(o Config) []Change {
	a, b := c.flatten(), o.flatten()
	var out []Change
	for field, av := range a {
		if bv := b[field]; av != bv {
			out = append(out, Change{Field: field, Old: av, New: bv})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// Describe names the configuration's values of the fields given, as in
// "training.epochs 5": for saying how the configurations of a mixed sweep
// differ.
func (c Config) Describe(fields []string) string {
	flat := c.flatten()
	var parts []string
	for _, f := range fields {
		parts = append(parts, f+" "+flat[f])
	}
	return strings.Join(parts, ", ")
}

// flatten gives every field of the configuration under the name the spec
// gives it, with its value as JSON (strings bare). Unset optional fields read as their
// zero values, so a field that a newer lssr added compares equal to its
// default. Momentum is named as in the spec: training.momentum is β1, and
// training.nesterov whether β2 is set.
func (c Config) flatten() map[string]string {
	out := map[string]string{}
	add := func(prefix string, v any) {
		raw, _ := json.Marshal(v) // plain structs always marshal
		var m map[string]any
		json.Unmarshal(raw, &m)
		fields := reflect.TypeOf(v)
		for i := range fields.NumField() {
			name, _, _ := strings.Cut(fields.Field(i).Tag.Get("json"), ",")
			val, ok := m[name]
			if !ok {
				val = reflect.Zero(fields.Field(i).Type).Interface()
			}
			if v := reflect.ValueOf(val); v.Kind() == reflect.String { // string types too (Pool's zero value)
				out[prefix+name] = v.String()
				continue
			}
			s, _ := json.Marshal(val)
			out[prefix+name] = string(s)
		}
	}
	add("dataset.", c.Dataset)
	add("model.", c.Model)
	add("training.", c.Training)
	out["loss"] = string(c.Loss)
	delete(out, "dataset.dir")
	out["training.momentum"] = out["training.beta1"]
	out["training.nesterov"] = fmt.Sprint(c.Training.Beta2 != 0)
	delete(out, "training.beta1")
	delete(out, "training.beta2")
	for k, v := range out {
		if v == "null" { // an empty list
			out[k] = "[]"
		}
	}
	return out
}
