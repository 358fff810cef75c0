"""Writes conv_indirect_avx512_amd64.s: ConvIndirect's AVX-512 micro-kernel (convTilesAVX512).

The assembly is unrolled, so it is generated: edit _convtiles_avx512.py, run
`go generate ./trainer/kernels` (python3 -B asmgen/conv_indirect_avx512.py DIR writes into DIR,
the package folder by default), and TestGeneratedAssembly checks that the
committed file is this script's output.
"""
from _asmfile import write
from _convtiles_avx512 import tiles

write('conv_indirect_avx512_amd64.s', tiles(False))
