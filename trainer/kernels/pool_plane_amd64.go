//go:build !purego

package kernels

// maxPool2PlaneAVX512 is MaxPool2Plane for outH ≥ 1 rows of outW ≥ 1
// outputs (see pool_plane_amd64.s): 16 outputs at a time, NaNs included.
//
//go:noescape
func maxPool2PlaneAVX512(y *float32, am *int32, x *float32, outH, outW, inW, base int)

// maxPool2SpreadAVX512 is MaxPool2Spread for the 2·outH ≥ 2 rows of dst
// that hold windows, of inW ≥ 2 columns (see pool_plane_amd64.s): 32 input
// columns at a time.
//
//go:noescape
func maxPool2SpreadAVX512(dst, grad *float32, am *int32, outH, inW, base int)
