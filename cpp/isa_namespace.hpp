// The inline namespace every header's code lives in, named after the instruction set of the
// translation unit: isa_scalar, isa_avx2, isa_avx512 in the copies of per_isa/kernels.cpp, and
// `generic` (the baseline flags) everywhere else. Different names give different symbols, so
// the linker can never merge an AVX-512 copy of an inline function into code that must run on
// a CPU without AVX-512.
#pragma once

#ifndef WEIGHTINIT_ISA_NS
#define WEIGHTINIT_ISA_NS generic
#endif
