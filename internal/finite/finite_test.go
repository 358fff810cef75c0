package finite

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
)

type inner struct {
	X float64 `json:"x"`
}

type Embedded struct {
	E float64 `json:"e"`
}

// sample holds a float in every place the walk goes, and in the places it
// must not go.
type sample struct {
	Embedded
	F      float64            `json:"f"`
	F32    float32            `json:"f32"`
	P      *float64           `json:"p"`
	S      []float64          `json:"s"`
	A      [2]float64         `json:"a"`
	M      map[string]float64 `json:"m"`
	I      any                `json:"i"`
	In     inner              `json:"in"`
	Ptr    *inner             `json:"ptr"`
	Opt    float64            `json:"opt,omitempty"`
	Skip   float64            `json:"-"`
	hidden float64
}

var (
	nan = math.NaN()
	inf = math.Inf(1)
)

func ptr(x float64) *float64 { return &x }

func TestFinite(t *testing.T) {
	for _, c := range []struct {
		name string
		in   sample
		// all is All's answer; zeroed is the sample after Zero; json is
		// JSON's encoding of in.
		all    bool
		zeroed sample
		json   string
	}{
		{
			name:   "all finite",
			in:     sample{F: 1, S: []float64{2}, M: map[string]float64{"k": 3}, I: 4.5, Opt: 5},
			all:    true,
			zeroed: sample{F: 1, S: []float64{2}, M: map[string]float64{"k": 3}, I: 4.5, Opt: 5},
			json:   `{"e":0,"f":1,"f32":0,"p":null,"s":[2],"a":[0,0],"m":{"k":3},"i":4.5,"in":{"x":0},"ptr":null,"opt":5}`,
		},
		{
			name:   "field",
			in:     sample{F: nan},
			zeroed: sample{},
			json:   `{"e":0,"f":null,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "float32",
			in:     sample{F32: float32(math.Inf(-1))},
			zeroed: sample{},
			json:   `{"e":0,"f":0,"f32":null,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "embedded",
			in:     sample{Embedded: Embedded{E: inf}},
			zeroed: sample{},
			json:   `{"e":null,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "pointer",
			in:     sample{P: ptr(inf)},
			zeroed: sample{P: ptr(0)},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "slice and array",
			in:     sample{S: []float64{1, nan}, A: [2]float64{inf, 2}},
			zeroed: sample{S: []float64{1, 0}, A: [2]float64{0, 2}},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[1,null],"a":[null,2],"m":{},"i":null,"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "map",
			in:     sample{M: map[string]float64{"a": nan, "b": 1}},
			zeroed: sample{M: map[string]float64{"a": 0, "b": 1}},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{"a":null,"b":1},"i":null,"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "interface",
			in:     sample{I: inner{X: nan}},
			zeroed: sample{I: inner{}},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":{"x":null},"in":{"x":0},"ptr":null}`,
		},
		{
			name:   "nested struct and pointer to struct",
			in:     sample{In: inner{X: inf}, Ptr: &inner{X: nan}},
			zeroed: sample{Ptr: &inner{}},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":null},"ptr":{"x":null}}`,
		},
		{
			name:   "omitempty",
			in:     sample{Opt: nan},
			zeroed: sample{},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":0},"ptr":null,"opt":null}`,
		},
		{
			// JSON never writes them, so they are neither checked nor changed.
			name:   "untagged and unexported fields are left alone",
			in:     sample{Skip: nan, hidden: inf},
			all:    true,
			zeroed: sample{Skip: nan, hidden: inf},
			json:   `{"e":0,"f":0,"f32":0,"p":null,"s":[],"a":[0,0],"m":{},"i":null,"in":{"x":0},"ptr":null}`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := All(c.in); got != c.all {
				t.Errorf("All = %v, want %v", got, c.all)
			}
			raw, err := json.Marshal(JSON(c.in))
			if err != nil || string(raw) != c.json {
				t.Errorf("JSON:\n got %s (%v)\nwant %s", raw, err, c.json)
			}
			z := c.in
			Zero(&z)
			if !sameBits(z, c.zeroed) {
				t.Errorf("Zero:\n got %+v\nwant %+v", z, c.zeroed)
			}
			if !All(z) {
				t.Error("All is false after Zero")
			}
		})
	}
}

// sameBits compares samples as reflect.DeepEqual would, except that NaN
// equals NaN (the fields Zero leaves alone may hold one).
func sameBits(a, b sample) bool {
	if math.Float64bits(a.Skip) != math.Float64bits(b.Skip) || math.Float64bits(a.hidden) != math.Float64bits(b.hidden) {
		return false
	}
	a.Skip, a.hidden, b.Skip, b.hidden = 0, 0, 0, 0
	return reflect.DeepEqual(a, b)
}

// TestJSONIsEncodingJSON: for values that hold only finite floats and that
// avoid fit.json's other differences (nil slices and maps, zero values
// under omitempty), JSON encodes exactly as encoding/json does.
func TestJSONIsEncodingJSON(t *testing.T) {
	res := lssr.Result{TestAcc: 0.9, TrainLoss: 0.25, Rho: 1e-3, RhoB: 0.5, Epochs: 3, Steps: 30,
		InitialTrainLoss: 2.3, ResumedFrom: 1, Weights: []byte{1, 2},
		Series: []lssr.EpochStats{{Epoch: 1, TrainLoss: 1, TrainAcc: 0.5}},
		Measurements: []lssr.Measurement{{Epoch: 3, Rho: 0.1, Curvature: &lssr.Curvature{
			Examples: 8, GHG: -1.5, Lambda1: 12, LossChange: -1e-300, LossChangeEq7: 1e300}}},
		Provenance: &lssr.Provenance{Version: "v", Commit: "c", GoVersion: "go", KernelPath: "avx2", CPU: "x", Host: "h"},
	}
	for _, v := range []any{
		res,
		&res,
		map[string]any{"a": []any{1.5, "x", true, nil}, "b": map[string]float64{"c": -2.5}},
		[]inner{{1}, {2}},
		struct {
			Embedded
			N int
		}{Embedded{3}, 4},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(JSON(v))
		if err != nil || string(got) != string(want) {
			t.Errorf("%T:\n got %s (%v)\nwant %s", v, got, err, want)
		}
		if !All(v) {
			t.Errorf("%T: All is false", v)
		}
	}
}

// TestZeroResult: a diverged Result, zeroed, marshals (json.Marshal fails
// on NaN and Inf) and keeps every finite number.
func TestZeroResult(t *testing.T) {
	res := lssr.Result{Diverged: true, TestAcc: 0.1, TrainLoss: inf, Rho: nan, Epochs: 2,
		Series:       []lssr.EpochStats{{Epoch: 1, TrainLoss: 2}, {Epoch: 2, TrainLoss: nan, TrainAcc: 0.1}},
		Measurements: []lssr.Measurement{{Epoch: 1, Curvature: &lssr.Curvature{Ratio: inf, Threshold: 4}}}}
	if _, err := json.Marshal(res); err == nil {
		t.Fatal("json.Marshal took a NaN")
	}
	Zero(&res)
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
	want := lssr.Result{Diverged: true, TestAcc: 0.1, Epochs: 2,
		Series:       []lssr.EpochStats{{Epoch: 1, TrainLoss: 2}, {Epoch: 2, TrainAcc: 0.1}},
		Measurements: []lssr.Measurement{{Epoch: 1, Curvature: &lssr.Curvature{Threshold: 4}}}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("got %+v\nwant %+v", res, want)
	}
}

func TestZeroWantsAPointer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Zero took a value")
		}
	}()
	Zero(sample{})
}
