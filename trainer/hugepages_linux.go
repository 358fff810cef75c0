package trainer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePageMin is the smallest buffer adviseHugePages asks huge pages for:
// a 2 MiB page needs a range at least that long.
const hugePageMin = 4 << 20

// adviseHugePages asks the kernel to back b with transparent huge pages
// (madvise MADV_HUGEPAGE) when it is at least hugePageMin bytes long. Made
// fresh, the activation buffers of a CNN are otherwise handed out 4 KiB at
// a time as the first pass over them touches them: on the virtual machine
// this was measured on (transparent huge pages on madvise), touching 82 MB
// so took 0.28–0.39 s (21,000 page faults), and 0.03–0.21 s after this
// advice (600). Only a process's first CNN job makes them (see
// spareBuffers). The advice changes no value; where the kernel takes no
// advice (transparent huge pages set to never) nothing changes.
func adviseHugePages[F float](b []F) {
	size := len(b) * int(unsafe.Sizeof(b[0]))
	if size < hugePageMin {
		return
	}
	// madvise takes whole pages: the pages inside b.
	page := uintptr(unix.Getpagesize())
	p := unsafe.Pointer(&b[0])
	start := uintptr(p)
	first := (start + page - 1) &^ (page - 1)
	end := (start + uintptr(size)) &^ (page - 1)
	// Advice only: an error leaves the buffer as it was.
	_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, first-start)), end-first), unix.MADV_HUGEPAGE)
}
