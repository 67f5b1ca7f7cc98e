// Checks ValueBounds::convert<Out> (cpp/per_isa/low_precision.hpp: the truncated normal's
// rounding to float32/float16/bfloat16 inside its bounds, a clamp to the floats inside the
// bounds and for 16-bit outputs one step back inside) against the plain definition below, bit
// for bit, on the values single() and group() hand it (computed in double, or in float by the
// 32-bit fast path), for ~4e7 (bounds, value) pairs per output type: zeros of both signs, subnormals, float and float16 limits, infinities, and values just
// around each bound and its float. Pairs with no finite Out value between the bounds are skipped
// (the Python layer refuses them). Prints one line per type; exits 1 on any difference.
// Built and run by tests/test_truncated_convert.py; first written for the review of commit c4c72dd.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "per_isa/low_precision.hpp"

using namespace weightinit;

namespace {

template <class Out> double value_of(Out o);
template <> double value_of<float>(float o) { return o; }
template <> double value_of<float16_bits>(float16_bits o) { return float16_to_float(o.bits); }
template <> double value_of<bfloat16_bits>(bfloat16_bits o) { return bfloat16_to_float(o.bits); }
template <class Out> std::uint32_t bits_of(Out o);
template <> std::uint32_t bits_of<float>(float o) {
  std::uint32_t b;
  std::memcpy(&b, &o, 4);
  return b;
}
template <> std::uint32_t bits_of<float16_bits>(float16_bits o) { return o.bits; }
template <> std::uint32_t bits_of<bfloat16_bits>(bfloat16_bits o) { return o.bits; }

// The plain definition (the core's own code before c4c72dd): keep x inside in double, round to
// float, step back inside where that crossed a bound; for 16-bit outputs round that float once
// more and step the bit pattern back inside the same way.
template <class Out>
Out reference_convert(double x, double lo, double hi) {
  x = x < lo ? lo : (x > hi ? hi : x);
  float f = static_cast<float>(x);
  if (static_cast<double>(f) > hi) f = std::nextafter(f, -INFINITY);
  if (static_cast<double>(f) < lo) f = std::nextafter(f, INFINITY);
  if constexpr (std::is_same_v<Out, float>) {
    return f;
  } else {
    Out o = OutputConvert<Out>::from(f);
    const double back = OutputConvert<Out>::to_float(o);
    if (back > hi) o.bits = static_cast<std::uint16_t>((o.bits & 0x8000u) ? o.bits + 1u : o.bits - 1u);
    else if (back < lo) o.bits = static_cast<std::uint16_t>((o.bits & 0x8000u) ? o.bits - 1u : o.bits + 1u);
    return o;
  }
}

// Is there a finite Out value in [lo, hi]?
template <class Out> bool representable(double lo, double hi) {
  if constexpr (std::is_same_v<Out, float>) {
    const double first = std::fmax(lo, -static_cast<double>(FLT_MAX));
    if (first > FLT_MAX) return false;
    float c = static_cast<float>(first);
    if (static_cast<double>(c) < first) c = std::nextafter(c, INFINITY);
    return std::isfinite(c) && static_cast<double>(c) <= hi;
  } else {
    static const std::vector<double> values = [] {
      std::vector<double> v;
      for (std::uint32_t b = 0; b < 65536; ++b) {
        const double x = value_of<Out>(Out{static_cast<std::uint16_t>(b)});
        if (std::isfinite(x)) v.push_back(x);
      }
      std::sort(v.begin(), v.end());
      return v;
    }();
    const auto it = std::lower_bound(values.begin(), values.end(), lo);
    return it != values.end() && *it <= hi;
  }
}

std::vector<double> special_values() {
  const double s[] = {0.0, 1e-300, 1e-50, 0x1p-150, 0x1p-149, 0x1.8p-149, 1e-45, 0.7e-45, 1.4e-45, 0x1p-126,
                      0x1p-127, 0x1p-24, 0x1p-25, 3e-8, 5.960464477539063e-08, 1e-8, 0x1p-14, 0x1p-133, 0x1p-134,
                      1e-40, 0.1, 0.5, 1.0, 1.0 + 0x1p-30, 1.0 + 0x1p-24, 2.0, 3.0, 4.75, 65504.0, 65519.99,
                      65520.0, 65536.0, 1e10, static_cast<double>(FLT_MAX),
                      std::nextafter(static_cast<double>(FLT_MAX), INFINITY), static_cast<double>(FLT_MAX) * (1 + 0x1p-25),
                      0x1.fffffefffffffp127, 0x1.ffffffp127, 0x1.fep127, 3.3895313892515355e38, 3.39e38, 1e300,
                      DBL_MAX, INFINITY};
  std::vector<double> out;
  for (double x : s) {
    out.push_back(x);
    out.push_back(-x);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 60; ++i) {
    const std::uint64_t b = rng();
    double d;
    std::memcpy(&d, &b, 8);
    if (std::isfinite(d) && std::fabs(d) < 1e40 && std::fabs(d) > 1e-50) out.push_back(d);
  }
  for (int i = 0; i < 60; ++i) {
    const std::uint32_t b = static_cast<std::uint32_t>(rng());
    float f;
    std::memcpy(&f, &b, 4);
    if (std::isfinite(f)) {
      out.push_back(f);
      out.push_back(std::nextafter(static_cast<double>(f), INFINITY));
      out.push_back(std::nextafter(static_cast<double>(f), -INFINITY));
    }
  }
  std::normal_distribution<double> normal;
  for (int i = 0; i < 40; ++i) out.push_back(normal(rng) * 3);
  return out;
}

template <class Out> unsigned long long check(const char* name) {
  const std::vector<double> specials = special_values();
  std::mt19937_64 rng(11);
  unsigned long long pairs = 0, tests = 0, bad = 0;
  for (double lo : specials) {
    for (double hi : specials) {
      if (!(lo < hi) || (std::isinf(lo) && lo > 0) || (std::isinf(hi) && hi < 0)) continue;
      if (!representable<Out>(lo, hi)) continue;
      const ValueBounds bounds(lo, hi);
      ++pairs;
      std::vector<double> vs(specials);
      for (double b : {lo, hi}) {
        if (!std::isfinite(b)) continue;
        double d = b;
        for (int k = 0; k < 4; ++k) vs.push_back(d = std::nextafter(d, INFINITY));
        d = b;
        for (int k = 0; k < 4; ++k) vs.push_back(d = std::nextafter(d, -INFINITY));
        const float f = static_cast<float>(b);
        for (int k = -3; k <= 3; ++k) {
          float g = f;
          for (int j = 0; j < std::abs(k); ++j) g = std::nextafter(g, k > 0 ? INFINITY : -INFINITY);
          vs.push_back(g);
          vs.push_back((static_cast<double>(g) + static_cast<double>(std::nextafter(g, INFINITY))) / 2);
        }
        for (int k = 0; k < 20; ++k) vs.push_back(b * (1 + std::ldexp(static_cast<double>(rng() % 2001) - 1000, -30)));
      }
      if (std::isfinite(lo) && std::isfinite(hi)) {
        for (int k = 0; k < 30; ++k) vs.push_back(lo + (hi - lo) * std::ldexp(static_cast<double>(rng() >> 11), -53));
      }
      for (double v : vs) {
        tests += 2;
        // What single() and group() hand to convert: a value computed in double, kept inside in
        // double first where a bound's float is zero ...
        const Out a = bounds.template convert<Out>(bounds.zero ? bounds.keep_inside(v) : v);
        const Out b = reference_convert<Out>(v, lo, hi);
        if (bits_of(a) != bits_of(b) && bad++ < 10) {
          std::printf("  %s lo=%a hi=%a v=%a: convert %08x, reference %08x\n", name, lo, hi, v, bits_of(a),
                      bits_of(b));
        }
        // ... or one computed in float (the 32-bit fast path), as it is.
        const float vf = static_cast<float>(v);
        const Out af = bounds.template convert<Out>(vf);
        const Out bf = reference_convert<Out>(static_cast<double>(vf), lo, hi);
        if (bits_of(af) != bits_of(bf) && bad++ < 10) {
          std::printf("  %s lo=%a hi=%a float v=%a: convert %08x, reference %08x\n", name, lo, hi,
                      static_cast<double>(vf), bits_of(af), bits_of(bf));
        }
      }
    }
  }
  std::printf("%s: %llu bound pairs, %llu values, %llu differences\n", name, pairs, tests, bad);
  return bad;
}

}  // namespace

int main() {
  const unsigned long long bad = check<float>("float32") + check<float16_bits>("float16") + check<bfloat16_bits>("bfloat16");
  return bad == 0 ? 0 : 1;
}
