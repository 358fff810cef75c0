package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

// Size limits on what Decode and Read accept, and Encode writes.
const (
	// MaxHeaderSize is the longest header accepted, in bytes: the limit of
	// the reference implementation, which stops a corrupt length from making
	// a reader parse gigabytes of JSON.
	MaxHeaderSize = 100_000_000

	// MaxFileSize is the largest file Read loads, in bytes (4 GiB): far above
	// any model lssr trains, low enough that a wrong path fails fast.
	MaxFileSize int64 = 4 << 30

	// maxHeaderDepth bounds JSON nesting; a valid header needs 3 levels.
	maxHeaderDepth = 16

	metadataKey = "__metadata__"
)

// File is a decoded safetensors file.
type File struct {
	// Tensors are in the order of their data in the file.
	Tensors []Tensor
	// Metadata is the header's "__metadata__", nil when there is none.
	Metadata map[string]string
}

// Get returns the tensor called name and whether there is one. It scans
// Tensors, which is fast enough for the few hundred tensors of a model.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Read loads and decodes the file at path. Errors about the content wrap
// ErrFormat; errors opening or reading the file do not.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxFileSize || int64(int(info.Size())) != info.Size() {
		return nil, fmt.Errorf("%s: %w", path, formatErrorf("file is %d bytes, over the %d-byte limit", info.Size(), MaxFileSize))
	}
	var buf bytes.Buffer
	buf.Grow(int(info.Size()) + bytes.MinRead)
	// The limit guards against a file that grows between Stat and reading.
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(buf.Len()) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", path, formatErrorf("file is over the %d-byte limit", MaxFileSize))
	}
	file, err := Decode(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return file, nil
}

// Decode parses a safetensors file held in data. The tensors' Data alias
// data (see the package Caveats). Every problem is reported as an error
// wrapping ErrFormat; Decode does not panic on any input.
func Decode(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, formatErrorf("file is %d bytes, too short for the 8-byte header length", len(data))
	}
	headerLen := binary.LittleEndian.Uint64(data)
	if headerLen > MaxHeaderSize {
		return nil, formatErrorf("header length %d exceeds the %d-byte limit", headerLen, MaxHeaderSize)
	}
	if headerLen > uint64(len(data)-8) {
		return nil, formatErrorf("header length %d runs past the end of the %d-byte file", headerLen, len(data))
	}
	header, buffer := data[8:8+headerLen], data[8+headerLen:]

	entries, metadata, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	tensors, err := placeTensors(entries, buffer)
	if err != nil {
		return nil, err
	}
	return &File{Tensors: tensors, Metadata: metadata}, nil
}

// entry is one tensor's header entry, checked on its own but not yet
// against the buffer or the other tensors.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end int64
}

func parseHeader(header []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, formatErrorf("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, formatErrorf("header does not start with '{'")
	}
	if err := checkDuplicateKeys(header); err != nil {
		return nil, nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, nil, formatErrorf("header is not valid JSON: %v", err)
	}

	var metadata map[string]string
	if m, ok := raw[metadataKey]; ok {
		if err := json.Unmarshal(m, &metadata); err != nil {
			return nil, nil, formatErrorf("%q must map strings to strings: %v", metadataKey, err)
		}
		delete(raw, metadataKey)
	}

	// Checking in name order makes the reported problem the same every run.
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	entries := make([]entry, 0, len(names))
	for _, name := range names {
		e, err := parseEntry(name, raw[name])
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	return entries, metadata, nil
}

func parseEntry(name string, raw json.RawMessage) (entry, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return entry{}, formatErrorf("tensor %q: entry is not a JSON object", name)
	}
	// Keys are matched exactly: encoding/json would also accept "DType".
	var (
		dtype   string
		shape   []int64
		offsets []int64
	)
	for _, f := range []struct {
		key, what string
		dst       any
	}{
		{"dtype", "a string", &dtype},
		{"shape", "a list of integers", &shape},
		{"data_offsets", "a list of integers", &offsets},
	} {
		v, ok := fields[f.key]
		if !ok || string(v) == "null" {
			return entry{}, formatErrorf("tensor %q: missing %q", name, f.key)
		}
		if err := json.Unmarshal(v, f.dst); err != nil {
			return entry{}, formatErrorf("tensor %q: %q is not %s: %s", name, f.key, f.what, excerpt(v))
		}
	}

	e := entry{name: name, dtype: DType(dtype)}
	size := e.dtype.Size()
	if size == 0 {
		return entry{}, formatErrorf("tensor %q: unknown dtype %q", name, dtype)
	}
	need, err := byteSize(size, shape)
	if err != nil {
		return entry{}, formatErrorf("tensor %q: %v", name, err)
	}
	e.shape = make([]int, len(shape))
	for i, d := range shape {
		e.shape[i] = int(d) // byteSize checked each fits an int
	}
	if len(offsets) != 2 {
		return entry{}, formatErrorf("tensor %q: data_offsets has %d numbers, want [begin, end]", name, len(offsets))
	}
	e.begin, e.end = offsets[0], offsets[1]
	if e.begin < 0 || e.end < e.begin {
		return entry{}, formatErrorf("tensor %q: data_offsets [%d, %d] are not 0 ≤ begin ≤ end", name, e.begin, e.end)
	}
	if e.end-e.begin != need {
		return entry{}, formatErrorf("tensor %q: data_offsets [%d, %d] span %d bytes, but %s %v needs %d",
			name, e.begin, e.end, e.end-e.begin, e.dtype, e.shape, need)
	}
	return e, nil
}

// placeTensors checks that the entries, in offset order, tile buffer exactly
// and slices each tensor's data out of it.
func placeTensors(entries []entry, buffer []byte) ([]Tensor, error) {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.begin != b.begin {
			return a.begin < b.begin
		}
		if a.end != b.end {
			return a.end < b.end // an empty tensor before one starting at its offset
		}
		return a.name < b.name
	})
	size := int64(len(buffer))
	tensors := make([]Tensor, len(entries))
	var pos int64
	prev := ""
	for i, e := range entries {
		switch {
		case e.end > size:
			return nil, formatErrorf("tensor %q: data_offsets [%d, %d] run past the end of the %d-byte data buffer (truncated file?)",
				e.name, e.begin, e.end, size)
		case e.begin < pos:
			return nil, formatErrorf("tensor %q: data_offsets [%d, %d] overlap tensor %q, which ends at %d",
				e.name, e.begin, e.end, prev, pos)
		case e.begin > pos:
			return nil, formatErrorf("tensor %q: data_offsets [%d, %d] leave bytes [%d, %d) of the data buffer unused",
				e.name, e.begin, e.end, pos, e.begin)
		}
		tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: buffer[e.begin:e.end:e.end]}
		pos, prev = e.end, e.name
	}
	if pos != size {
		return nil, formatErrorf("data buffer is %d bytes, but the tensors end at %d", size, pos)
	}
	return tensors, nil
}

// checkDuplicateKeys walks the header's JSON tokens and reports a key that
// appears twice in one object, which json.Unmarshal would silently resolve
// to the last value. It also bounds the nesting depth and rejects anything
// after the top-level object.
func checkDuplicateKeys(header []byte) error {
	type container struct {
		name    string          // the key this container is the value of
		keys    map[string]bool // nil for an array
		wantKey bool            // in an object, the next string is a key
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber() // so a huge number is not a float64 overflow error
	var stack []*container
	lastKey, done := "", false
	for {
		tok, err := dec.Token()
		if err == io.EOF && done {
			return nil
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return formatErrorf("header is not valid JSON: %v", err)
		}
		if done {
			return formatErrorf("header has data after the JSON object")
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if key, isString := tok.(string); top.wantKey && isString {
				if top.keys[key] {
					if len(stack) == 1 {
						return formatErrorf("duplicate tensor name %q", key)
					}
					return formatErrorf("%q: duplicate key %q", top.name, key)
				}
				top.keys[key] = true
				top.wantKey, lastKey = false, key
				continue
			}
			if top.keys != nil && tok != json.Delim('}') {
				top.wantKey = true // tok starts the value of lastKey; a key comes next
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == maxHeaderDepth {
				return formatErrorf("header nests deeper than %d levels", maxHeaderDepth)
			}
			c := &container{name: lastKey}
			if tok == json.Delim('{') {
				c.keys, c.wantKey = map[string]bool{}, true
			}
			stack = append(stack, c)
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done = len(stack) == 0
		}
	}
}

// excerpt returns a JSON value on one line, cut short to keep an error
// message readable.
func excerpt(value json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, value) != nil {
		return "?"
	}
	const max = 40
	if s := buf.String(); len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(buf.String()[:max], "") + "…"
}
