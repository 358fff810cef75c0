package safetensors

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawFile builds a file from a header exactly as given (no padding) and a
// data buffer.
func rawFile(header string, buffer ...byte) []byte {
	return withHeaderLen(uint64(len(header)), header, buffer...)
}

// withHeaderLen builds a file whose length prefix is n, whatever follows.
func withHeaderLen(n uint64, header string, buffer ...byte) []byte {
	data := binary.LittleEndian.AppendUint64(nil, n)
	return append(append(data, header...), buffer...)
}

func zeros(n int) []byte { return make([]byte, n) }

// entryJSON is a header entry for a tensor named name.
func entryJSON(name, dtype, shape, offsets string) string {
	return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offsets + `}`
}

// malformedCases are inputs Decode must reject with ErrFormat, each with a
// fragment its error must contain. FuzzDecode seeds from them too.
var malformedCases = []struct {
	name string
	data []byte
	want string
}{
	{"empty input", nil, "0 bytes, too short"},
	{"7 bytes", zeros(7), "7 bytes, too short"},
	{"header length past end", withHeaderLen(100, `{}`), "header length 100 runs past the end of the 10-byte file"},
	{"huge header length", withHeaderLen(1<<62, `{}`), "exceeds the 100000000-byte limit"},
	{"empty header", rawFile(""), "does not start with '{'"},
	{"header not an object", rawFile(`[]`), "does not start with '{'"},
	{"truncated JSON", rawFile(`{"w":{"dtype":"F32"`), "not valid JSON"},
	{"second JSON value", rawFile(`{} {}`), "data after the JSON object"},
	{"trailing garbage", rawFile(`{}x`), "not valid JSON"},
	{"invalid UTF-8", rawFile("{\"\xff\":{}}"), "not valid UTF-8"},
	{"deep nesting", rawFile(`{"w":{"x":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}}`), "nests deeper than"},
	{"duplicate tensor name", rawFile(`{`+entryJSON("w", "U8", "[1]", "[0,1]")+`,`+entryJSON("w", "U8", "[1]", "[1,2]")+`}`, 0, 0),
		`duplicate tensor name "w"`},
	{"duplicate key in entry", rawFile(`{"w":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}}`, 0), `"w": duplicate key "dtype"`},
	{"duplicate metadata key", rawFile(`{"__metadata__":{"k":"a","k":"b"}}`), `"__metadata__": duplicate key "k"`},
	{"null entry", rawFile(`{"w":null}`), `tensor "w": entry is not a JSON object`},
	{"entry not an object", rawFile(`{"w":5}`), `tensor "w": entry is not a JSON object`},
	{"missing dtype", rawFile(`{"w":{"shape":[1],"data_offsets":[0,1]}}`, 0), `tensor "w": missing "dtype"`},
	{"missing shape", rawFile(`{"w":{"dtype":"U8","data_offsets":[0,1]}}`, 0), `tensor "w": missing "shape"`},
	{"missing data_offsets", rawFile(`{"w":{"dtype":"U8","shape":[1]}}`, 0), `tensor "w": missing "data_offsets"`},
	{"keys in wrong case", rawFile(`{"w":{"DTYPE":"U8","shape":[1],"data_offsets":[0,1]}}`, 0), `tensor "w": missing "dtype"`},
	{"dtype not a string", rawFile(`{"w":{"dtype":4,"shape":[1],"data_offsets":[0,1]}}`, 0), `tensor "w": "dtype" is not a string`},
	{"unknown dtype", rawFile(`{`+entryJSON("w", "F99", "[1]", "[0,1]")+`}`, 0), `tensor "w": unknown dtype "F99"`},
	{"sub-byte dtype", rawFile(`{`+entryJSON("w", "F4", "[2]", "[0,1]")+`}`, 0), `tensor "w": unknown dtype "F4"`},
	{"negative dim", rawFile(`{`+entryJSON("w", "F32", "[2,-1]", "[0,8]")+`}`, zeros(8)...), `tensor "w": negative dimension -1`},
	{"long multi-line value", rawFile(`{"w":{"dtype":"U8","shape":[1,`+strings.Repeat("\n 1,", 100)+`1.5],"data_offsets":[0,1]}}`, 0),
		`"shape" is not a list of integers: [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1…`},
	{"fractional dim", rawFile(`{`+entryJSON("w", "F32", "[1.5]", "[0,8]")+`}`, zeros(8)...), `tensor "w": "shape" is not a list of integers`},
	{"dim beyond int64", rawFile(`{`+entryJSON("w", "U8", "[99999999999999999999]", "[0,1]")+`}`, 0), `"shape" is not a list of integers`},
	{"shape overflows", rawFile(`{`+entryJSON("w", "F32", "[4611686018427387904,4]", "[0,8]")+`}`, zeros(8)...), `tensor "w": shape [4611686018427387904 4] is too large`},
	{"shape/offset mismatch", rawFile(`{`+entryJSON("w", "F32", "[3]", "[0,8]")+`}`, zeros(8)...), `tensor "w": data_offsets [0, 8] span 8 bytes, but F32 [3] needs 12`},
	{"three offsets", rawFile(`{`+entryJSON("w", "U8", "[1]", "[0,1,2]")+`}`, 0), `tensor "w": data_offsets has 3 numbers`},
	{"reversed offsets", rawFile(`{`+entryJSON("w", "U8", "[0]", "[8,0]")+`}`, zeros(8)...), `tensor "w": data_offsets [8, 0] are not 0 ≤ begin ≤ end`},
	{"negative offset", rawFile(`{`+entryJSON("w", "U8", "[8]", "[-8,0]")+`}`, zeros(8)...), `tensor "w": data_offsets [-8, 0]`},
	{"overlap", rawFile(`{`+entryJSON("a", "F32", "[2]", "[0,8]")+`,`+entryJSON("b", "F32", "[2]", "[4,12]")+`}`, zeros(12)...),
		`tensor "b": data_offsets [4, 12] overlap tensor "a", which ends at 8`},
	{"same offsets twice", rawFile(`{`+entryJSON("a", "F32", "[2]", "[0,8]")+`,`+entryJSON("b", "F32", "[2]", "[0,8]")+`}`, zeros(8)...),
		`tensor "b": data_offsets [0, 8] overlap tensor "a"`},
	{"gap", rawFile(`{`+entryJSON("a", "F32", "[2]", "[0,8]")+`,`+entryJSON("b", "F32", "[2]", "[12,20]")+`}`, zeros(20)...),
		`tensor "b": data_offsets [12, 20] leave bytes [8, 12) of the data buffer unused`},
	{"gap at start", rawFile(`{`+entryJSON("w", "F32", "[2]", "[4,12]")+`}`, zeros(12)...), `leave bytes [0, 4)`},
	{"truncated data", rawFile(`{`+entryJSON("w", "F32", "[2]", "[0,8]")+`}`, zeros(4)...), `tensor "w": data_offsets [0, 8] run past the end of the 4-byte data buffer`},
	{"trailing data", rawFile(`{`+entryJSON("w", "F32", "[2]", "[0,8]")+`}`, zeros(12)...), "data buffer is 12 bytes, but the tensors end at 8"},
	{"data but no tensors", rawFile(`{}`, 1, 2), "data buffer is 2 bytes, but the tensors end at 0"},
	{"metadata value not a string", rawFile(`{"__metadata__":{"k":1}}`), `"__metadata__" must map strings to strings`},
	{"metadata not an object", rawFile(`{"__metadata__":["k"]}`), `"__metadata__" must map strings to strings`},
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, tc := range malformedCases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Decode(tc.data)
			if err == nil {
				t.Fatalf("Decode accepted it: %+v", f)
			}
			msg := err.Error()
			if !errors.Is(err, ErrFormat) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line wrapping ErrFormat and containing %q", msg, tc.want)
			}
		})
	}
}

// TestDecodeAcceptsEdgeCases covers valid files a strict reader might refuse.
func TestDecodeAcceptsEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty header object", rawFile(`{}`)},
		{"padded header", rawFile(`{}      `)},
		{"null metadata", rawFile(`{"__metadata__":null}`)},
		{"unknown entry field", rawFile(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":[{}]}}`, 7)},
		{"empty tensors sharing an offset", rawFile(`{` + entryJSON("a", "F32", "[0]", "[0,0]") + `,` + entryJSON("b", "I64", "[0,5]", "[0,0]") + `}`)},
		{"huge dim times zero", rawFile(`{` + entryJSON("w", "F64", "[9223372036854775807,9223372036854775807,0]", "[0,0]") + `}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.data); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestDecodeDataDoesNotOverrunNeighbour(t *testing.T) {
	f, err := Decode(encode(t, []Tensor{FromUint8("a", []int{1}, []uint8{1}), FromUint8("b", []int{1}, []uint8{2})}, nil))
	if err != nil {
		t.Fatal(err)
	}
	_ = append(f.Tensors[0].Data, 99)
	if b, _ := f.Get("b"); b.Data[0] != 2 {
		t.Error("appending to one tensor's Data overwrote the next")
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.safetensors")); err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("Read(missing) = %v, want a plain not-found error", err)
	}

	bad := filepath.Join(dir, "bad.safetensors")
	if err := os.WriteFile(bad, rawFile(`{"w":5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bad); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), bad) {
		t.Errorf("Read(bad) = %v, want ErrFormat naming the path", err)
	}

	// A sparse file takes no disk space; Read must refuse it before reading.
	huge := filepath.Join(dir, "huge.safetensors")
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, MaxFileSize+1); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	if _, err := Read(huge); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "over the") {
		t.Errorf("Read(4 GiB + 1) = %v, want ErrFormat about the size limit", err)
	}
}
