//go:build !purego

#include "textflag.h"
#include "gradsums.h"

// The avx2 path's versions of affineF64AVX512, affine2F64AVX512 and
// gradSumsAVX512: the same arithmetic in the same order per element, 4
// float64 lanes to a ymm register, so that the results are the same bits
// (and those of the Go loops of affine.go).

// func affineF64AVX2(y, x *float32, n int, scale, shift float64, relu int)
// n a multiple of 4: widen to float64, multiply, add (two roundings),
// narrow; with relu, max(·, 0) then the NaN lanes put back.
TEXT ·affineF64AVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD scale+24(FP), Y4
	VBROADCASTSD shift+32(FP), Y5
	MOVQ relu+40(FP), DX
	VXORPS X6, X6, X6
	SHRQ $2, CX
	TESTQ CX, CX
	JZ   done
	TESTQ DX, DX
	JNZ  relu_loop

plain_loop:
	VCVTPS2PD (SI), Y0
	VMULPD Y4, Y0, Y0
	VADDPD Y5, Y0, Y0
	VCVTPD2PSY Y0, X1
	VMOVUPS X1, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  plain_loop
	JMP  done

relu_loop:
	VCVTPS2PD (SI), Y0
	VMULPD Y4, Y0, Y0
	VADDPD Y5, Y0, Y0
	VCVTPD2PSY Y0, X1
	VMAXPS X6, X1, X2          // x1 > 0 ? x1 : 0
	VCMPPS $3, X1, X1, X3      // unordered: NaN lanes
	VBLENDVPS X3, X1, X2, X2   // put the NaNs back
	VMOVUPS X2, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  relu_loop

done:
	VZEROUPPER
	RET

// func affine2F64AVX2(y, d, x *float32, n int, a, b, c float64)
// n a multiple of 4: y = float32(fma(b, x, fma(a, d, c))).
TEXT ·affine2F64AVX2(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD a+32(FP), Y4
	VBROADCASTSD b+40(FP), Y5
	VBROADCASTSD c+48(FP), Y6
	SHRQ $2, CX
	TESTQ CX, CX
	JZ   done2

loop2:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD (R8), Y1
	VMOVAPD Y6, Y2
	VFMADD231PD Y4, Y0, Y2     // c + a·d
	VFMADD231PD Y5, Y1, Y2     // + b·x
	VCVTPD2PSY Y2, X3
	VMOVUPS X3, (DI)
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $16, DI
	DECQ CX
	JNZ  loop2

done2:
	VZEROUPPER
	RET

// func gradSumsAVX2(d, x *float32, n int, mu float64) (sumD, sumDX float64)
// n a multiple of 16: element j into partial sum j mod 16 (four ymm of
// four lanes per sum), products fused, folded as gradSumsAVX512 folds.
TEXT ·gradSumsAVX2(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), SI
	MOVQ x+8(FP), R8
	MOVQ n+16(FP), CX
	VBROADCASTSD mu+24(FP), Y15
	GS2_ZERO
	SHRQ $4, CX
	TESTQ CX, CX
	JZ   fold

loop3:
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	GS2_ADD
	ADDQ $64, SI
	DECQ CX
	JNZ  loop3

fold:
	// lanes 0…7 += lanes 8…15, then 0…3 += 4…7, then 0,1 += 2,3, then 0 += 1
	GS2_FOLD
	MOVSD X0, sumD+32(FP)
	MOVSD X8, sumDX+40(FP)
	VZEROUPPER
	RET
