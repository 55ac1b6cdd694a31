#pragma once
// The browser build only: Eigen includes <mmintrin.h> (MMX) before the SSE headers; emscripten
// emulates SSE/SSE2 on WebAssembly SIMD (its own xmmintrin.h and emmintrin.h) but ships no
// mmintrin.h, and clang's x86 one refuses a wasm target. Eigen uses no MMX: this is empty.
