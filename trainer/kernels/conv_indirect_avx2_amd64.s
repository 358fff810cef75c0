//go:build !purego

#include "textflag.h"

// convTilesAVX2 is ConvIndirect's micro-kernel on the avx2 path: tiles of
// 4 rows of C by three slots of 8 columns (slot s: three int32s at
// slots + 12·s, In, Out, Mask, Mask's set bits the low popcount ones). B's
// rows are read 8 lanes wide, unmasked: the caller leaves room for them;
// C is read (beta 1) and written through lane masks (VMASKMOVPS), only the
// slot's columns. a is a packed 4-row micro-panel, a[p·4 + r].
//
// The sums are gemmTilesAVX2's: from +0, acc = fma(a_p, b_p, acc) for p in
// order, then acc + C when beta is 1 (beta 0 does not read C).
//
// Register use: Y0…Y11 the tile (row r, slot s in Y(3r+s)); Y12…Y14 the
// slots' B vectors (then their lane masks); Y15 A broadcasts, then C.
// SI, DI, BX the slots' B addresses (then their C offsets in bytes),
// R8 ldc in bytes, R9 the slot triple, R10 tiles left, R11 A, R12 koff,
// CX steps left (then rows left), DX beta, R13 C's row, R14 the lane masks.

#define MASK(off, y) \
	MOVL off(R9), AX; POPCNTL AX, AX; SHLQ $5, AX; VMOVDQU (R14)(AX*1), y

#define ADD_C(ya, yb, yc) \
	VMASKMOVPS (R13)(SI*1), Y12, Y15; VADDPS Y15, ya, ya; \
	VMASKMOVPS (R13)(DI*1), Y13, Y15; VADDPS Y15, yb, yb; \
	VMASKMOVPS (R13)(BX*1), Y14, Y15; VADDPS Y15, yc, yc

#define STORE(ya, yb, yc) \
	VMASKMOVPS ya, Y12, (R13)(SI*1); \
	VMASKMOVPS yb, Y13, (R13)(DI*1); \
	VMASKMOVPS yc, Y14, (R13)(BX*1)

// func convTilesAVX2(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, masks *int32)
TEXT ·convTilesAVX2(SB), NOSPLIT, $0-88
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ slots+40(FP), R9
	MOVQ tiles+0(FP), R10
	MOVQ masks+80(FP), R14
	TESTQ R10, R10
	JLE  done

tile:
	MOVQ b+32(FP), DX
	MOVLQSX 0(R9), AX
	LEAQ (DX)(AX*4), SI
	MOVLQSX 12(R9), AX
	LEAQ (DX)(AX*4), DI
	MOVLQSX 24(R9), AX
	LEAQ (DX)(AX*4), BX
	MOVQ a+16(FP), R11
	MOVQ koff+24(FP), R12
	MOVQ kc+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JZ   store

	PCALIGN $32
loop:
	MOVLQSX (R12), AX
	VMOVUPS (SI)(AX*4), Y12
	VMOVUPS (DI)(AX*4), Y13
	VMOVUPS (BX)(AX*4), Y14
	VBROADCASTSS 0(R11), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VBROADCASTSS 4(R11), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VBROADCASTSS 8(R11), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VBROADCASTSS 12(R11), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ $4, R12
	ADDQ $16, R11
	DECQ CX
	JNZ  loop

store:
	MASK(8, Y12)
	MASK(20, Y13)
	MASK(32, Y14)
	MOVQ c+48(FP), R13
	MOVLQSX 4(R9), SI
	SHLQ $2, SI
	MOVLQSX 16(R9), DI
	SHLQ $2, DI
	MOVLQSX 28(R9), BX
	SHLQ $2, BX
	MOVQ rows+64(FP), CX
	MOVQ beta+72(FP), DX
	TESTQ DX, DX
	JZ   store0
	ADD_C(Y0, Y1, Y2)
	STORE(Y0, Y1, Y2)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Y3, Y4, Y5)
	STORE(Y3, Y4, Y5)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Y6, Y7, Y8)
	STORE(Y6, Y7, Y8)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Y9, Y10, Y11)
	STORE(Y9, Y10, Y11)
	JMP  next

store0:
	STORE(Y0, Y1, Y2)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Y3, Y4, Y5)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Y6, Y7, Y8)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Y9, Y10, Y11)

next:
	ADDQ $36, R9
	DECQ R10
	JNZ  tile

done:
	VZEROUPPER
	RET

// func convGradTAVX21(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)
//
// ConvGradT's micro-kernel on the avx2 path: 4 rows of C by 1 vector(s) of
// 8 columns, one panel of Bp (b at the K block's first row); the last
// vector's columns are the low popcount(mask) ones. As convGradTAVX512N
// otherwise: the same sums, bit for bit.
TEXT ·convGradTAVX21(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), R10
	MOVQ offs+8(FP), R11
	MOVLQSX 0(R11), R12
	LEAQ (R10)(R12*4), AX
	MOVLQSX 4(R11), R12
	LEAQ (R10)(R12*4), BX
	MOVLQSX 8(R11), R12
	LEAQ (R10)(R12*4), CX
	MOVLQSX 12(R11), R12
	LEAQ (R10)(R12*4), DX
	MOVQ runs+16(FP), R12
	MOVQ nruns+24(FP), R14
	MOVQ b+32(FP), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	TESTQ R14, R14
	JLE  store1

run1:
	MOVLQSX 0(R12), R10
	MOVLQSX 4(R12), R11
	TESTQ R11, R11
	JLE  nextrun1

	PCALIGN $32
step1:
	VMOVUPS 0(R13), Y12
	VBROADCASTSS (AX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y0
	VBROADCASTSS (BX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y1
	VBROADCASTSS (CX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y2
	VBROADCASTSS (DX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y3
	INCQ R10
	ADDQ $96, R13
	DECQ R11
	JNZ  step1

nextrun1:
	ADDQ $8, R12
	DECQ R14
	JNZ  run1

store1:
	MOVQ mask+64(FP), AX
	POPCNTL AX, AX
	SHLQ $5, AX
	MOVQ masks+80(FP), BX
	VMOVDQU (BX)(AX*1), Y14
	MOVQ c+40(FP), SI
	MOVQ ldc+48(FP), DI
	SHLQ $2, DI
	MOVQ rows+56(FP), CX
	MOVQ beta+72(FP), DX
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 0(SI), Y14, Y15
	VADDPS Y15, Y0, Y0
	VMASKMOVPS Y0, Y14, 0(SI)
	DECQ CX
	JZ   done1
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 0(SI), Y14, Y15
	VADDPS Y15, Y1, Y1
	VMASKMOVPS Y1, Y14, 0(SI)
	DECQ CX
	JZ   done1
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 0(SI), Y14, Y15
	VADDPS Y15, Y2, Y2
	VMASKMOVPS Y2, Y14, 0(SI)
	DECQ CX
	JZ   done1
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 0(SI), Y14, Y15
	VADDPS Y15, Y3, Y3
	VMASKMOVPS Y3, Y14, 0(SI)

done1:
	VZEROUPPER
	RET

// func convGradTAVX22(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)
//
// ConvGradT's micro-kernel on the avx2 path: 4 rows of C by 2 vector(s) of
// 8 columns, one panel of Bp (b at the K block's first row); the last
// vector's columns are the low popcount(mask) ones. As convGradTAVX512N
// otherwise: the same sums, bit for bit.
TEXT ·convGradTAVX22(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), R10
	MOVQ offs+8(FP), R11
	MOVLQSX 0(R11), R12
	LEAQ (R10)(R12*4), AX
	MOVLQSX 4(R11), R12
	LEAQ (R10)(R12*4), BX
	MOVLQSX 8(R11), R12
	LEAQ (R10)(R12*4), CX
	MOVLQSX 12(R11), R12
	LEAQ (R10)(R12*4), DX
	MOVQ runs+16(FP), R12
	MOVQ nruns+24(FP), R14
	MOVQ b+32(FP), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ R14, R14
	JLE  store2

run2:
	MOVLQSX 0(R12), R10
	MOVLQSX 4(R12), R11
	TESTQ R11, R11
	JLE  nextrun2

	PCALIGN $32
step2:
	VMOVUPS 0(R13), Y12
	VMOVUPS 32(R13), Y13
	VBROADCASTSS (AX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VBROADCASTSS (BX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS (CX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y4
	VFMADD231PS Y13, Y15, Y5
	VBROADCASTSS (DX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	INCQ R10
	ADDQ $96, R13
	DECQ R11
	JNZ  step2

nextrun2:
	ADDQ $8, R12
	DECQ R14
	JNZ  run2

store2:
	MOVQ mask+64(FP), AX
	POPCNTL AX, AX
	SHLQ $5, AX
	MOVQ masks+80(FP), BX
	VMOVDQU (BX)(AX*1), Y14
	MOVQ c+40(FP), SI
	MOVQ ldc+48(FP), DI
	SHLQ $2, DI
	MOVQ rows+56(FP), CX
	MOVQ beta+72(FP), DX
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y0, Y0
	VMOVUPS Y0, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 32(SI), Y14, Y15
	VADDPS Y15, Y1, Y1
	VMASKMOVPS Y1, Y14, 32(SI)
	DECQ CX
	JZ   done2
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y2, Y2
	VMOVUPS Y2, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 32(SI), Y14, Y15
	VADDPS Y15, Y3, Y3
	VMASKMOVPS Y3, Y14, 32(SI)
	DECQ CX
	JZ   done2
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y4, Y4
	VMOVUPS Y4, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 32(SI), Y14, Y15
	VADDPS Y15, Y5, Y5
	VMASKMOVPS Y5, Y14, 32(SI)
	DECQ CX
	JZ   done2
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y6, Y6
	VMOVUPS Y6, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 32(SI), Y14, Y15
	VADDPS Y15, Y7, Y7
	VMASKMOVPS Y7, Y14, 32(SI)

done2:
	VZEROUPPER
	RET

// func convGradTAVX23(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)
//
// ConvGradT's micro-kernel on the avx2 path: 4 rows of C by 3 vector(s) of
// 8 columns, one panel of Bp (b at the K block's first row); the last
// vector's columns are the low popcount(mask) ones. As convGradTAVX512N
// otherwise: the same sums, bit for bit.
TEXT ·convGradTAVX23(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), R10
	MOVQ offs+8(FP), R11
	MOVLQSX 0(R11), R12
	LEAQ (R10)(R12*4), AX
	MOVLQSX 4(R11), R12
	LEAQ (R10)(R12*4), BX
	MOVLQSX 8(R11), R12
	LEAQ (R10)(R12*4), CX
	MOVLQSX 12(R11), R12
	LEAQ (R10)(R12*4), DX
	MOVQ runs+16(FP), R12
	MOVQ nruns+24(FP), R14
	MOVQ b+32(FP), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ R14, R14
	JLE  store3

run3:
	MOVLQSX 0(R12), R10
	MOVLQSX 4(R12), R11
	TESTQ R11, R11
	JLE  nextrun3

	PCALIGN $32
step3:
	VMOVUPS 0(R13), Y12
	VMOVUPS 32(R13), Y13
	VMOVUPS 64(R13), Y14
	VBROADCASTSS (AX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VBROADCASTSS (BX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VBROADCASTSS (CX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VBROADCASTSS (DX)(R10*4), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	INCQ R10
	ADDQ $96, R13
	DECQ R11
	JNZ  step3

nextrun3:
	ADDQ $8, R12
	DECQ R14
	JNZ  run3

store3:
	MOVQ mask+64(FP), AX
	POPCNTL AX, AX
	SHLQ $5, AX
	MOVQ masks+80(FP), BX
	VMOVDQU (BX)(AX*1), Y14
	MOVQ c+40(FP), SI
	MOVQ ldc+48(FP), DI
	SHLQ $2, DI
	MOVQ rows+56(FP), CX
	MOVQ beta+72(FP), DX
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y0, Y0
	VMOVUPS Y0, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 32(SI), Y15
	VADDPS Y15, Y1, Y1
	VMOVUPS Y1, 32(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 64(SI), Y14, Y15
	VADDPS Y15, Y2, Y2
	VMASKMOVPS Y2, Y14, 64(SI)
	DECQ CX
	JZ   done3
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y3, Y3
	VMOVUPS Y3, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 32(SI), Y15
	VADDPS Y15, Y4, Y4
	VMOVUPS Y4, 32(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 64(SI), Y14, Y15
	VADDPS Y15, Y5, Y5
	VMASKMOVPS Y5, Y14, 64(SI)
	DECQ CX
	JZ   done3
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y6, Y6
	VMOVUPS Y6, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 32(SI), Y15
	VADDPS Y15, Y7, Y7
	VMOVUPS Y7, 32(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 64(SI), Y14, Y15
	VADDPS Y15, Y8, Y8
	VMASKMOVPS Y8, Y14, 64(SI)
	DECQ CX
	JZ   done3
	ADDQ DI, SI
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 0(SI), Y15
	VADDPS Y15, Y9, Y9
	VMOVUPS Y9, 0(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMOVUPS 32(SI), Y15
	VADDPS Y15, Y10, Y10
	VMOVUPS Y10, 32(SI)
	TESTQ DX, DX
	JZ   3(PC)
	VMASKMOVPS 64(SI), Y14, Y15
	VADDPS Y15, Y11, Y11
	VMASKMOVPS Y11, Y14, 64(SI)

done3:
	VZEROUPPER
	RET
