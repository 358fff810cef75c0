//go:build !purego

#include "textflag.h"

// func prefetchLines(x *float32, lines int)
TEXT ·prefetchLines(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), SI
	MOVQ lines+8(FP), CX
	TESTQ CX, CX
	JLE  done

loop:
	PREFETCHT0 (SI)
	ADDQ $64, SI
	DECQ CX
	JNZ  loop

done:
	RET
