// Every header's code lives in weightinit::WEIGHTINIT_ISA_NS, an inline namespace named after the
// instruction set the translation unit is compiled for (kernels.cpp is compiled once per ISA).
// Different names give different symbols, so the linker can never mix an AVX-512 copy of an
// inline function into code that must run on a CPU without AVX-512.
#pragma once

#ifndef WEIGHTINIT_ISA_NS
#define WEIGHTINIT_ISA_NS generic
#endif
