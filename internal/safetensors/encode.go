package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/lssr/lssr/internal/atomicfile"
)

// headerEntry is one tensor's header entry; its fields are declared in
// sorted key order so the JSON comes out sorted.
type headerEntry struct {
	DataOffsets [2]int64 `json:"data_offsets"`
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
}

// Encode writes tensors and metadata to w as a safetensors file. The data is
// laid out in the order of tensors; the header JSON has sorted keys and is
// padded with spaces to a multiple of 8 bytes, so the same input always gives
// the same bytes. Empty metadata is left out of the header. Encode checks
// everything before writing anything: a tensor whose Data disagrees with its
// DType and Shape, a duplicate name, a tensor named "__metadata__", or a name
// or metadata string that is not valid UTF-8 gives an error wrapping
// ErrInvalid.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var length [8]byte
	binary.LittleEndian.PutUint64(length[:], uint64(len(header)))
	bw.Write(length[:]) // bufio keeps the first error; Flush reports it
	bw.Write(header)
	for _, t := range tensors {
		bw.Write(t.Data)
	}
	return bw.Flush()
}

// WriteFile encodes tensors and metadata as Encode does and writes them to
// path atomically: a crash leaves the old file or the whole new one.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		return Encode(w, tensors, metadata)
	})
}

func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	entries := make(map[string]any, len(tensors)+1)
	var offset int64
	for _, t := range tensors {
		switch {
		case t.Name == metadataKey:
			return nil, invalidErrorf("a tensor cannot be named %q", metadataKey)
		case !utf8.ValidString(t.Name):
			return nil, invalidErrorf("tensor name %q is not valid UTF-8", t.Name)
		case entries[t.Name] != nil:
			return nil, invalidErrorf("duplicate tensor name %q", t.Name)
		}
		if err := t.check(); err != nil {
			return nil, err
		}
		end := offset + int64(len(t.Data))
		entries[t.Name] = headerEntry{
			DataOffsets: [2]int64{offset, end},
			DType:       t.DType,
			Shape:       append([]int{}, t.Shape...), // [] for a scalar, not null
		}
		offset = end
	}
	if len(metadata) > 0 {
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, invalidErrorf("metadata %q: %q is not valid UTF-8", k, v)
			}
		}
		entries[metadataKey] = metadata
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep names like "a<b" readable; both forms are valid JSON
	if err := enc.Encode(entries); err != nil {
		return nil, invalidErrorf("header: %v", err)
	}
	header := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	// Padding to 8 bytes, as the reference writer does, keeps the data buffer
	// 8-byte aligned in the file so readers can map it in place.
	for len(header)%8 != 0 {
		header = append(header, ' ')
	}
	if len(header) > MaxHeaderSize {
		return nil, invalidErrorf("header would be %d bytes, over the %d-byte limit", len(header), MaxHeaderSize)
	}
	if total := 8 + int64(len(header)) + offset; total > MaxFileSize {
		return nil, invalidErrorf("file would be %d bytes, over the %d-byte limit Read accepts", total, MaxFileSize)
	}
	return header, nil
}
