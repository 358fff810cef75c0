"""Writes packtrans8_amd64.s: PackBTrans's AVX-512 8×8-transpose routine (packTrans8AVX512).

The assembly is unrolled, so it is generated: edit this script, run
`go generate ./trainer/kernels` (python3 -B asmgen/packtrans8.py DIR writes into DIR,
the package folder by default), and TestGeneratedAssembly checks that the
committed file is this script's output.
"""
from _asmfile import write


out=[]; w=out.append
w('''//go:build !purego

#include "textflag.h"

// func packTrans8AVX512(dst, b *float32, ldb, kb, groups int)
//
// PackBTrans of one panel whose columns come in groups (1…3) of 8, for kb
// blocks of 8 rows: block i, group g takes rows 8i…8i+7 of the b rows
// 8g…8g+7 (stride ldb floats), transposes them in registers (unpack pairs,
// shuffle quads, swap 128-bit halves) and stores them as columns 8g…8g+7
// of panel rows 8i…8i+7 (96 bytes each). Columns of the groups past groups
// are stored as zeros. A copy: every value is moved unchanged.
TEXT ·packTrans8AVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ kb+24(FP), CX
	MOVQ groups+32(FP), R10
	MOVQ R8, R11
	SHLQ $3, R11
	VPXORD Y16, Y16, Y16
	TESTQ CX, CX
	JLE  done

block:
	MOVQ SI, AX
	MOVQ DI, DX
	MOVQ R10, BX

group:
	LEAQ (AX)(R8*4), R12
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R8*1), Y1
	VMOVUPS (AX)(R8*2), Y2
	VMOVUPS (AX)(R9*1), Y3
	VMOVUPS (R12), Y4
	VMOVUPS (R12)(R8*1), Y5
	VMOVUPS (R12)(R8*2), Y6
	VMOVUPS (R12)(R9*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y7, Y3, Y15
''')
for i in range(8):
    w(f'\tVMOVUPS Y{8+i}, {96*i}(DX)\n')
w('''	ADDQ R11, AX
	ADDQ $32, DX
	DECQ BX
	JNZ  group

	MOVQ R10, BX
zero:
	CMPQ BX, $3
	JGE  next
''')
for i in range(8):
    w(f'\tVMOVUPS Y16, {96*i}(DX)\n')
w('''	ADDQ $32, DX
	INCQ BX
	JMP  zero

next:
	ADDQ $32, SI
	ADDQ $768, DI
	DECQ CX
	JNZ  block

done:
	VZEROUPPER
	RET
''')
write('packtrans8_amd64.s', out)
