package trainer

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/lssr/lssr"
)

// IDX magic numbers: two zero bytes, the element type (0x08: unsigned byte)
// and the number of dimensions.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

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
// the header against the wanted magic number.
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

// payloadSize is the number of data bytes the header promises.
func (x *idxFile) payloadSize() int64 {
	size := int64(1)
	for _, d := range x.dims {
		size *= int64(d)
	}
	return size
}

// checkRawSize reports a raw file shorter than its header promises, without
// reading it; a gzip file is only found truncated when read.
func (x *idxFile) checkRawSize() error {
	if x.gz != nil {
		return nil
	}
	st, err := x.file.Stat()
	if err != nil {
		return err
	}
	if want := x.headerSize() + x.payloadSize(); st.Size() < want {
		return x.errorf("truncated: %d bytes, the header promises %d", st.Size(), want)
	}
	return nil
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
	return lssr.BadInput("dataset.dir: %s: %s", x.path, fmt.Sprintf(format, args...))
}

// readLabels reads a whole idx1 label file.
func readLabels(path string) ([]uint8, error) {
	x, err := openIDX(path, idxLabelsMagic)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	labels := make([]uint8, x.dims[0])
	if n, err := io.ReadFull(x.r, labels); err != nil {
		return nil, x.errorf("truncated: %d of %d labels", n, len(labels))
	}
	if err := x.finish(); err != nil {
		return nil, err
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
			return nil, 0, 0, f.errorf("truncated: %d of %d images", i, count)
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
