//go:build !purego

#include "textflag.h"

// dirtyUpperZmm and cleanUpperZmm exist only for BenchmarkScalarAfterKernel:
// both write all 512 bits of Z0..Z3; dirtyUpperZmm returns without
// VZEROUPPER, as a kernel that forgot it would, leaving the upper state
// dirty for the scalar (SSE) float code Go runs next; cleanUpperZmm is the
// same with VZEROUPPER. No kernel calls them.

// func dirtyUpperZmm()
TEXT ·dirtyUpperZmm(SB), NOSPLIT, $0-0
	VPTERNLOGD $0xff, Z0, Z0, Z0
	VPTERNLOGD $0xff, Z1, Z1, Z1
	VPTERNLOGD $0xff, Z2, Z2, Z2
	VPTERNLOGD $0xff, Z3, Z3, Z3
	RET

// func cleanUpperZmm()
TEXT ·cleanUpperZmm(SB), NOSPLIT, $0-0
	VPTERNLOGD $0xff, Z0, Z0, Z0
	VPTERNLOGD $0xff, Z1, Z1, Z1
	VPTERNLOGD $0xff, Z2, Z2, Z2
	VPTERNLOGD $0xff, Z3, Z3, Z3
	VZEROUPPER
	RET
