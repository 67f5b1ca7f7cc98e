// Choosing the kernel table at run time from the CPU's features (and WEIGHTINIT_ISA).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "dispatch.hpp"

namespace weightinit {

// One kernel_table() per compiled ISA (per_isa/kernels.cpp), each in its own inline namespace.
namespace isa_scalar { const KernelTable& kernel_table(); }
#if defined(WEIGHTINIT_HAVE_AVX2)
namespace isa_avx2 { const KernelTable& kernel_table(); }
#endif
#if defined(WEIGHTINIT_HAVE_AVX512)
namespace isa_avx512 { const KernelTable& kernel_table(); }
#endif

namespace {

const KernelTable* table_for(const std::string& isa) {
  if (isa == "scalar") return &isa_scalar::kernel_table();
#if defined(WEIGHTINIT_HAVE_AVX2)
  if (isa == "avx2") return &isa_avx2::kernel_table();
#endif
#if defined(WEIGHTINIT_HAVE_AVX512)
  if (isa == "avx512") return &isa_avx512::kernel_table();
#endif
  return nullptr;
}

bool cpu_has(const std::string& isa) {
  if (isa == "scalar") return true;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // Both also use FMA (the float32 transforms' std::fma), which every such CPU has.
  if (isa == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  // avx512 also uses AVX512DQ (the NumPy PCG streams' 64-bit multiplies, stream_kernels.cpp),
  // which every CPU with BW and VL has; a virtual CPU may hide it.
  if (isa == "avx512") {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
  }
#endif
  return false;
}

std::atomic<const KernelTable*> g_active{nullptr};
std::string g_note;
std::once_flag g_init;

void init_active() {
  std::call_once(g_init, [] {
    const std::vector<std::string> isas = compiled_isas();
    std::string best = "scalar";
    for (const std::string& isa : isas) {
      if (cpu_has(isa)) best = isa;
    }
    const char* forced = std::getenv("WEIGHTINIT_ISA");
    std::string choice = best;
    if (forced != nullptr && *forced != '\0') {
      if (isa_supported(forced)) {
        choice = forced;
      } else {
        g_note = std::string("WEIGHTINIT_ISA=") + forced + " is not available here; using " + best;
      }
    }
    g_active.store(table_for(choice));
  });
}

}  // namespace

OutKind out_kind_from_name(const std::string& name) {
  if (name == "float32") return OutKind::kFloat32;
  if (name == "float64") return OutKind::kFloat64;
  if (name == "float16") return OutKind::kFloat16;
  if (name == "bfloat16") return OutKind::kBFloat16;
  throw std::invalid_argument("unsupported dtype: " + name);
}

DistKind dist_kind_from_name(const std::string& name) {
  if (name == "uniform") return DistKind::kUniform;
  if (name == "normal") return DistKind::kNormal;
  if (name == "truncated_normal") return DistKind::kTruncatedNormal;
  throw std::invalid_argument("unknown distribution: " + name);
}

std::vector<std::string> compiled_isas() {
  std::vector<std::string> isas = {"scalar"};
#if defined(WEIGHTINIT_HAVE_AVX2)
  isas.emplace_back("avx2");
#endif
#if defined(WEIGHTINIT_HAVE_AVX512)
  isas.emplace_back("avx512");
#endif
  return isas;
}

// cpu_has first: a table is built by code compiled for its ISA (AVX-512 stores in build_table).
bool isa_supported(const std::string& isa) { return cpu_has(isa) && table_for(isa) != nullptr; }

const KernelTable& active_kernels() {
  init_active();
  return *g_active.load();
}

void set_active_isa(const std::string& isa) {
  init_active();
  if (!isa_supported(isa)) {
    std::string have;
    for (const std::string& s : compiled_isas()) {
      if (cpu_has(s)) have += (have.empty() ? "" : ", ") + s;
    }
    throw std::invalid_argument("instruction set '" + isa + "' is not available here; available: " + have);
  }
  g_active.store(table_for(isa));
}

std::string active_isa() { return active_kernels().isa; }

namespace {
// Off by default: on the project's machine (AMD EPYC, 2 cores) non-temporal stores were not
// faster for any fill measured (2^26 float32 uniform into a used buffer, 2 threads: 2.7 G/s
// with them against 3.0 G/s without; normals equal), the sampling being the bottleneck.
std::atomic<std::int64_t> g_nontemporal_threshold{INT64_MAX};
}  // namespace

std::int64_t nontemporal_threshold() { return g_nontemporal_threshold.load(); }
void set_nontemporal_threshold(std::int64_t bytes) { g_nontemporal_threshold.store(bytes); }

void initialize_kernel_tables() {
  // Each table's static, made now (not lazily, where a fork could catch it half-made), for the
  // ISAs this CPU has only: building a table runs code compiled for its ISA.
  for (const std::string& isa : compiled_isas()) {
    if (cpu_has(isa)) table_for(isa);
  }
  init_active();
}

std::string isa_note() {
  init_active();
  return g_note;
}

}  // namespace weightinit
