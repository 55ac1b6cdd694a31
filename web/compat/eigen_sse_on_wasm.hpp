#pragma once
// The browser build only (tools/build_web.sh passes -include). The native build's Eigen sums
// float arrays (e.g. the mean fear recorded each step) with SSE, four lanes at a time; a scalar
// wasm build adds in another order and the recorded means differ in their last bits. So the
// browser build gives Eigen the same SSE code path, on emscripten's SSE emulation over
// WebAssembly SIMD (-msimd128 -msse2): the same additions in the same order, bit-identical
// series. Eigen guards a few GCC-version workarounds with x86 inline assembly, which a wasm
// target cannot take: with its macros read first and the GCC-compatibility switches turned off,
// none of them is used.
#include <Eigen/src/Core/util/Macros.h>
#undef EIGEN_COMP_GNUC
#define EIGEN_COMP_GNUC 0
#undef EIGEN_GNUC_AT_LEAST
#define EIGEN_GNUC_AT_LEAST(x, y) 0
