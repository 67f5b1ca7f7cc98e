// CPU features, detected at run time, for `python -m weightinit info`.
#pragma once

#include "isa_namespace.hpp"

#include <string>
#include <vector>

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

inline std::string cpu_architecture() {
#if defined(__x86_64__) || defined(_M_X64)
  return "x86_64";
#elif defined(__aarch64__) || defined(_M_ARM64)
  return "aarch64";
#elif defined(__powerpc64__)
  return "ppc64";
#else
  return "unknown";
#endif
}

inline std::vector<std::string> cpu_features() {
  std::vector<std::string> found;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
#define WEIGHTINIT_FEATURE(name) \
  if (__builtin_cpu_supports(name)) found.emplace_back(name);
  WEIGHTINIT_FEATURE("sse2")
  WEIGHTINIT_FEATURE("sse4.2")
  WEIGHTINIT_FEATURE("avx")
  WEIGHTINIT_FEATURE("avx2")
  WEIGHTINIT_FEATURE("fma")
  WEIGHTINIT_FEATURE("f16c")
  WEIGHTINIT_FEATURE("bmi2")
  WEIGHTINIT_FEATURE("avx512f")
  WEIGHTINIT_FEATURE("avx512dq")
  WEIGHTINIT_FEATURE("avx512bw")
  WEIGHTINIT_FEATURE("avx512vl")
  WEIGHTINIT_FEATURE("avx512vbmi")
#undef WEIGHTINIT_FEATURE
#endif
  return found;
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
