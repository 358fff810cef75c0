"""Writes conv_edges_avx512_amd64.s: ConvIndirectEdgesW's AVX-512 micro-kernel (convTilesEdgeAVX512).

Generated as conv_indirect_avx512.py is (see there), from _convtiles_avx512.py.
"""
from _asmfile import write
from _convtiles_avx512 import tiles

write('conv_edges_avx512_amd64.s', tiles(True))
