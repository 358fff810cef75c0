//go:build !purego

package kernels

// convTilesAVX512 runs tiles tiles of ConvIndirect for one block of 8 rows
// and kc steps: tile t takes slots[3t…3t+2]; a is the block's packed A
// micro-panel from the K block's first step, koff that step's offset;
// rows ≤ 8 rows of C are stored; beta is 0 or 1.
//
//go:noescape
func convTilesAVX512(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int)
