// numpy_fill() for NumPy's PCG64 bit generator (see numpy_fill_impl.hpp).
#include "numpy_fill_impl.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {
template void numpy_fill<Pcg64Engine>(BitGenState<Pcg64Engine>&, const FillRequest&, KeepGoing);
}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
