// The sums of GradSums, shared by its kernels with and without the ReLU
// mask (affine_amd64.s, affine_avx2_amd64.s, gradsums_relu_amd64.s).
// Registers: R8 x, Z7/Y15 μ broadcast; AVX-512: Z0, Z1 the sums of d and
// Z2, Z3 those of d·(x − μ), each over alternate 8-element halves; AVX2:
// Y0…Y3 and Y8…Y11, over quarters.

// GS512_ZERO and GS2_ZERO clear the sums.
#define GS512_ZERO \
	VXORPD Z0, Z0, Z0; \
	VXORPD Z1, Z1, Z1; \
	VXORPD Z2, Z2, Z2; \
	VXORPD Z3, Z3, Z3

#define GS2_ZERO \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	VXORPD Y2, Y2, Y2; \
	VXORPD Y3, Y3, Y3; \
	VXORPD Y8, Y8, Y8; \
	VXORPD Y9, Y9, Y9; \
	VXORPD Y10, Y10, Y10; \
	VXORPD Y11, Y11, Y11

// GS512_ADD adds 16 elements of d, widened in Z4 and Z5, and their
// products with x − μ (fused) to the sums, and moves x on.
#define GS512_ADD \
	VADDPD Z4, Z0, Z0; \
	VADDPD Z5, Z1, Z1; \
	VCVTPS2PD (R8), Z8; \
	VCVTPS2PD 32(R8), Z9; \
	VSUBPD Z7, Z8, Z8; \
	VSUBPD Z7, Z9, Z9; \
	VFMADD231PD Z8, Z4, Z2; \
	VFMADD231PD Z9, Z5, Z3; \
	ADDQ $64, R8

// GS512_FOLD folds the sums into X0 (Σ d) and X2 (Σ d·(x − μ)): halves,
// then quarters, then pairs, then the last two lanes.
#define GS512_FOLD \
	VADDPD Z1, Z0, Z0; \
	VADDPD Z3, Z2, Z2; \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPD Y1, Y0, Y0; \
	VEXTRACTF64X4 $1, Z2, Y3; \
	VADDPD Y3, Y2, Y2; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPD X1, X0, X0; \
	VEXTRACTF128 $1, Y2, X3; \
	VADDPD X3, X2, X2; \
	VHADDPD X0, X0, X0; \
	VHADDPD X2, X2, X2

// GS2_ADD is GS512_ADD on ymm: 16 elements of d widened in Y4…Y7.
#define GS2_ADD \
	VADDPD Y4, Y0, Y0; \
	VADDPD Y5, Y1, Y1; \
	VADDPD Y6, Y2, Y2; \
	VADDPD Y7, Y3, Y3; \
	VCVTPS2PD (R8), Y12; \
	VSUBPD Y15, Y12, Y12; \
	VFMADD231PD Y12, Y4, Y8; \
	VCVTPS2PD 16(R8), Y13; \
	VSUBPD Y15, Y13, Y13; \
	VFMADD231PD Y13, Y5, Y9; \
	VCVTPS2PD 32(R8), Y12; \
	VSUBPD Y15, Y12, Y12; \
	VFMADD231PD Y12, Y6, Y10; \
	VCVTPS2PD 48(R8), Y13; \
	VSUBPD Y15, Y13, Y13; \
	VFMADD231PD Y13, Y7, Y11; \
	ADDQ $64, R8

// GS2_FOLD folds the sums into X0 and X8, as GS512_FOLD.
#define GS2_FOLD \
	VADDPD Y2, Y0, Y0; \
	VADDPD Y3, Y1, Y1; \
	VADDPD Y1, Y0, Y0; \
	VADDPD Y10, Y8, Y8; \
	VADDPD Y11, Y9, Y9; \
	VADDPD Y9, Y8, Y8; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPD X1, X0, X0; \
	VEXTRACTF128 $1, Y8, X9; \
	VADDPD X9, X8, X8; \
	VHADDPD X0, X0, X0; \
	VHADDPD X8, X8, X8
