package kernels

// Kernel paths Path returns. A record that names the path (a job's
// provenance, `lssr version`) can compare against these.
const (
	// PathAVX512 is the Go assembly path with AVX-512 (zmm) GEMM and
	// element-wise kernels on amd64 CPUs whose zmm FMAs run clearly faster
	// than ymm ones; its results are bit-identical to PathAVX2's.
	PathAVX512 = "avx512"
	// PathAVX2 is the Go assembly path: AVX2 and FMA on amd64.
	PathAVX2 = "avx2"
	// PathPureGo is the portable Go path: a build with -tags purego, a GOARCH
	// other than amd64, or a CPU without AVX2 and FMA.
	PathPureGo = "purego"
)

// zmmMinRatio is how much faster zmm FMAs must run than ymm ones for the
// AVX-512 path to be chosen: about 2 on cores with full-width 512-bit pipes
// (Zen 5, Intel server cores with two FMA units), about 1 where each zmm
// operation is split in two (Zen 4), where the AVX2 kernels are as fast and
// their narrower edges waste less.
const zmmMinRatio = 1.5

// Rounding names the rounding behaviour of kernel path p: paths with the same
// Rounding give bit-identical results for the same inputs. PathAVX512 and
// PathAVX2 perform the same fused multiply-adds in the same order, so both
// are "assembly"; PathPureGo, which does not fuse them, is "purego"; any
// other name (a path of a later or foreign build) is its own.
func Rounding(p string) string {
	switch p {
	case PathAVX512, PathAVX2:
		return "assembly"
	}
	return p
}
