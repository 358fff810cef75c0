package kernels

// The unrolled assembly of the convolution kernels and of packTrans8AVX512
// is written by the scripts in asmgen (TestGeneratedAssembly checks that
// the committed files are their output).
//
//go:generate python3 -B asmgen/conv_indirect_avx512.py
//go:generate python3 -B asmgen/conv_edges_avx512.py
//go:generate python3 -B asmgen/conv_indirect_avx2.py
//go:generate python3 -B asmgen/conv_wgrad_avx512.py
//go:generate python3 -B asmgen/packtrans8.py
