// fill_cases: the core's fill from the command line, without Python. Reads one case per line on
// stdin and writes each output's bytes (C order) to stdout, so the golden cases can be checked
// where there is no Python build: an aarch64 cross build run under qemu (tests/cross_check.py).
//
// A line: distribution dtype k0 k1 pos_offset ndim shape[ndim] pos_strides[ndim] nparams params[nparams]
// with distribution one of uniform, normal, truncated_normal, constant; dtype float32, float64,
// float16 or bfloat16; params as C hexadecimal floats (exact).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../dispatch.hpp"
#include "../fill.hpp"

namespace {

using namespace weightinit;

std::size_t item_size(OutKind o) {
  std::size_t size = 0;
  visit_output(o, [&](auto t) { size = sizeof(typename decltype(t)::Out); });
  return size;
}

void run_case(const std::string& line) {
  std::istringstream in(line);
  std::string distribution, dtype;
  std::uint32_t k0 = 0, k1 = 0;
  std::int64_t pos_offset = 0;
  int ndim = 0;
  if (!(in >> distribution >> dtype >> k0 >> k1 >> pos_offset >> ndim) || ndim < 0) {
    throw std::invalid_argument("malformed case: " + line);
  }
  std::vector<std::int64_t> shape(ndim), pos_strides(ndim);
  for (auto& d : shape) in >> d;
  for (auto& s : pos_strides) in >> s;
  int nparams = 0;
  in >> nparams;
  DistParams params{};
  for (int k = 0; k < nparams && k < 4; ++k) {
    std::string text;
    in >> text;
    params.p[k] = std::strtod(text.c_str(), nullptr);
  }
  if (!in) throw std::invalid_argument("malformed case: " + line);

  const OutKind o = out_kind_from_name(dtype);
  const std::size_t itemsize = item_size(o);
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  std::vector<char> out(static_cast<std::size_t>(n) * itemsize);
  if (n > 0) {
    StridedLayout layout;
    layout.data = out.data();
    layout.pos_offset = pos_offset;
    std::int64_t stride = static_cast<std::int64_t>(itemsize);
    layout.dims.resize(static_cast<std::size_t>(ndim));
    for (int k = ndim - 1; k >= 0; --k) {
      layout.dims[k] = {shape[k], stride, pos_strides[k]};
      stride *= shape[k];
    }
    const auto always = [] { return true; };
    if (distribution == "constant") {
      fill_constant_value(o, params.p[0], layout, always);
    } else {
      fill_distribution(dist_kind_from_name(distribution), o, params, Key2x32{k0, k1}, layout, always);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

int main() {
  weightinit::initialize_kernel_tables();
  std::string line;
  try {
    while (std::getline(std::cin, line)) {
      if (!line.empty()) run_case(line);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fill_cases: %s\n", e.what());
    return 1;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
