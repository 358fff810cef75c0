package kernels

// Kernel paths Path returns. A record that names the path (a job's
// provenance, `lssr version`) can compare against these.
const (
	// PathAVX2 is the Go assembly path: AVX2 and FMA on amd64.
	PathAVX2 = "avx2"
	// PathPureGo is the portable Go path: a build with -tags purego, a GOARCH
	// other than amd64, or a CPU without AVX2 and FMA.
	PathPureGo = "purego"
)
