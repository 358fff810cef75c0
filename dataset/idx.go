package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
)

// IDX magic numbers: two zero bytes, the element type (0x08: unsigned byte)
// and the number of dimensions.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// maxGzipRatio bounds how far a gzip file can expand: deflate writes at
// least one bit per 258-byte match, so data can be at most 1032 times as
// large as their compressed form (zlib's technical details, "Maximum
// compression factor").
const maxGzipRatio = 1032

// idxFile is an open IDX file, gzip-compressed or raw, positioned after its
// header.
type idxFile struct {
	path string
	file *os.File
	gz   *gzip.Reader // nil for a raw file
	r    io.Reader
	dims []int
}

// openIDX opens path, detects gzip by its magic bytes, and reads and checks
// the header against the wanted magic number. It fails when the data the
// header promises cannot be in the file: more bytes than a raw file holds
// after its header, or than a gzip file of its size can expand to. Readers
// may then size buffers by the header without a hostile file making them
// allocate more than it could hold.
func openIDX(path string, magic uint32) (*idxFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	x := &idxFile{path: path, file: f}
	br := bufio.NewReaderSize(f, 1<<16)
	x.r = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		if x.gz, err = gzip.NewReader(br); err != nil {
			f.Close()
			return nil, x.errorf("bad gzip stream: %v", err)
		}
		x.r = bufio.NewReaderSize(x.gz, 1<<16)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(x.r, hdr[:]); err != nil {
		x.Close()
		return nil, x.errorf("truncated: no IDX header")
	}
	if got := binary.BigEndian.Uint32(hdr[:]); got != magic {
		x.Close()
		return nil, x.errorf("magic number 0x%08x, want 0x%08x (not an IDX %s file)", got, magic, idxKind(magic))
	}
	x.dims = make([]int, magic&0xff)
	for i := range x.dims {
		if _, err := io.ReadFull(x.r, hdr[:]); err != nil {
			x.Close()
			return nil, x.errorf("truncated: IDX header ends inside the dimensions")
		}
		d := binary.BigEndian.Uint32(hdr[:])
		if d == 0 || d > 1<<28 {
			x.Close()
			return nil, x.errorf("dimension %d is %d", i, d)
		}
		x.dims[i] = int(d)
	}
	if err := x.checkSize(); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

func idxKind(magic uint32) string {
	if magic == idxImagesMagic {
		return "image"
	}
	return "label"
}

// headerSize is the size of the IDX header: magic plus one uint32 per dimension.
func (x *idxFile) headerSize() int64 { return 4 + 4*int64(len(x.dims)) }

// payloadSize is the number of data bytes the header promises; ok is false
// when the product of the dimensions overflows int64 (three of 2^28 do).
func (x *idxFile) payloadSize() (size int64, ok bool) {
	size = 1
	for _, d := range x.dims {
		if size > math.MaxInt64/int64(d) {
			return 0, false
		}
		size *= int64(d)
	}
	return size, true
}

// checkSize reports a header that promises more data than the file can
// hold, without reading the data: a raw file must hold them all, a gzip
// file of its size could not expand further than maxGzipRatio. A gzip file
// cut short passes here and is found when read (verify, or the readers).
func (x *idxFile) checkSize() error {
	st, err := x.file.Stat()
	if err != nil {
		return x.errorf("%v", err)
	}
	payload, ok := x.payloadSize()
	if !ok {
		return x.errorf("corrupt header: dimensions %s overflow", dimsText(x.dims))
	}
	if x.gz == nil {
		if want := x.headerSize() + payload; st.Size() < want {
			return x.errorf("truncated: %d bytes, the header promises %d", st.Size(), want)
		}
		return nil
	}
	if limit := st.Size() * maxGzipRatio; payload > limit {
		return x.errorf("corrupt header: dimensions %s promise %d bytes, more than a %d-byte gzip file can hold",
			dimsText(x.dims), payload, st.Size())
	}
	return nil
}

func dimsText(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, " × ")
}

// readErr words an error met while reading the data: the end of the data
// is a truncated file, anything else a corrupt gzip stream (bad deflate
// data) or a failing disk.
func (x *idxFile) readErr(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return x.errorf("truncated: %s", what)
	}
	if x.gz != nil {
		return x.errorf("corrupt gzip stream after %s: %v", what, err)
	}
	return x.errorf("cannot read after %s: %v", what, err)
}

// verify reads the data the header promises and what follows them, so that
// a gzip file cut short or corrupt (the stream ends early, bad deflate
// data, a wrong checksum) is found without keeping any of it. A raw file
// checkSize has passed has nothing more to find.
func (x *idxFile) verify() error {
	if x.gz == nil {
		return nil
	}
	payload, _ := x.payloadSize() // checkSize has ruled out an overflow
	if n, err := io.CopyN(io.Discard, x.r, payload); err != nil {
		return x.readErr(err, "%d of %d data bytes", n, payload)
	}
	return x.finish()
}

// finish reads to the end so gzip verifies its checksum.
func (x *idxFile) finish() error {
	if _, err := io.Copy(io.Discard, x.r); err != nil {
		return x.errorf("corrupt after the data: %v", err)
	}
	return nil
}

func (x *idxFile) Close() error {
	if x.gz != nil {
		x.gz.Close()
	}
	return x.file.Close()
}

func (x *idxFile) errorf(format string, args ...any) error {
	return lssr.BadField("dataset.dir", "%s: %s", x.path, fmt.Sprintf(format, args...))
}

// readLabels reads a whole idx1 label file and checks every label names
// one of classes.
func readLabels(path string, classes int) ([]uint8, error) {
	x, err := openIDX(path, idxLabelsMagic)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	labels := make([]uint8, x.dims[0])
	if n, err := io.ReadFull(x.r, labels); err != nil {
		return nil, x.readErr(err, "%d of %d labels", n, len(labels))
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	for i, y := range labels {
		if int(y) >= classes {
			return nil, x.errorf("label %d of example %d is not below %d", y, i, classes)
		}
	}
	return labels, nil
}

// readImages reads an idx3 image file and returns the images at the indices
// in keep (ascending, all below the image count) as rows of pixels scaled to
// [0, 1], together with the total image count and the pixels per image.
func readImages(path string, keep []int) (x []float32, count, dim int, err error) {
	f, err := openIDX(path, idxImagesMagic)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	count, dim = f.dims[0], f.dims[1]*f.dims[2]
	x = make([]float32, len(keep)*dim)
	row := make([]byte, dim)
	next := 0
	for i := 0; i < count; i++ {
		if _, err := io.ReadFull(f.r, row); err != nil {
			return nil, 0, 0, f.readErr(err, "%d of %d images", i, count)
		}
		if next < len(keep) && keep[next] == i {
			out := x[next*dim : (next+1)*dim]
			for j, v := range row {
				out[j] = float32(v) / 255
			}
			next++
		}
	}
	if next != len(keep) {
		return nil, 0, 0, f.errorf("asked for image %d of %d", keep[next], count)
	}
	if err := f.finish(); err != nil {
		return nil, 0, 0, err
	}
	return x, count, dim, nil
}
