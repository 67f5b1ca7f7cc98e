// The dispatch interface between the code compiled once and the per-ISA bulk kernels
// (per_isa/kernels.cpp). Plain data only, so that each kernel builds its own distribution
// object from DistParams in its own ISA namespace.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weightinit {

enum class DistKind : int { kUniform = 0, kNormal = 1, kTruncatedNormal = 2 };
enum class OutKind : int { kFloat32 = 0, kFloat64 = 1, kFloat16 = 2, kBFloat16 = 3 };
inline constexpr int kDistKinds = 3;
inline constexpr int kOutKinds = 4;

// The kinds by the names the Python layer uses; std::invalid_argument for any other name.
OutKind out_kind_from_name(const std::string& name);
DistKind dist_kind_from_name(const std::string& name);

// Parameters as given by the user: uniform (low, high), normal (mean, std),
// truncated normal (mean, std, low, high).
struct DistParams {
  double p[4];
};

// Writes the samples of groups [g0, g0 + ng) of the stream under key, in stream order, to out
// (contiguous, ng * samples-per-group elements of the output type). With `nontemporal`, 64-byte
// aligned stretches are written with non-temporal stores (no read-for-ownership, no cache
// pollution: faster for large outputs that will not be read back soon).
using GroupKernel = void (*)(const DistParams& params, std::uint32_t key0, std::uint32_t key1,
                             std::uint64_t g0, std::uint64_t ng, void* out, bool nontemporal);

// Outputs at least this large (bytes) are written with non-temporal stores; settable for
// benchmarking. The default is chosen by measurement (dispatch.cpp).
std::int64_t nontemporal_threshold();
void set_nontemporal_threshold(std::int64_t bytes);

// Writes the Philox4x32-10 words of groups [g0, g0 + ng) under key to out (64 words a group, in
// the order a 32-bit output takes them: word r of a group is word r / 16 of block 16 g + r % 16):
// the bits alone, no transform. Every sample needs these words, so this is the kernels' compute
// ceiling (the benchmark's "Philox limit").
using WordKernel = void (*)(std::uint32_t key0, std::uint32_t key1, std::uint64_t g0, std::uint64_t ng,
                            std::uint32_t* out);

struct KernelTable {
  const char* isa;
  GroupKernel fill[kDistKinds][kOutKinds];
  WordKernel words;
};

// The instruction sets this build has kernels for, best last ("scalar" is always there), and
// which of them this CPU can run.
std::vector<std::string> compiled_isas();
bool isa_supported(const std::string& isa);

// The table in use: WEIGHTINIT_ISA if set and supported, else the best the CPU supports.
const KernelTable& active_kernels();
// Switch the table in use (tests compare paths); throws std::invalid_argument if unsupported.
void set_active_isa(const std::string& isa);
std::string active_isa();
// Builds every compiled table and chooses the active one; the module calls it once at import,
// so no fill ever runs a lazy initialization (see bindings/module.cpp).
void initialize_kernel_tables();
// Why the active ISA differs from WEIGHTINIT_ISA, if it does (empty otherwise).
std::string isa_note();

}  // namespace weightinit
