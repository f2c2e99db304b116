/*
 * Training kernels for @tensorflow/tfjs-backend-wasm, compiled to WebAssembly SIMD. The module
 * imports the backend's own linear memory, so every pointer below is a byte offset of a tfjs tensor
 * (or of a scratch tensor the caller allocated) on the backend heap.
 *
 * Rules that keep this safe inside somebody else's heap:
 *  - no C stack: only scalar and v128 locals (no arrays, no address-taken locals, no recursion),
 *    so the compiler never touches __stack_pointer (the build script checks the disassembly);
 *  - no static data and no globals (no data segments; the build script checks);
 *  - no libc: memory.fill / memory.copy come from -mbulk-memory.
 *
 * Layouts are the tfjs ones: activations NHWC, conv filters [kh][kw][in][out], depthwise filters
 * [kh][kw][channels][multiplier].
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t f4;

INLINE f4 ld(const float* p) { return wasm_v128_load(p); }
INLINE void st(float* p, f4 v) { wasm_v128_store(p, v); }
INLINE f4 splat(const float* p) { return wasm_v128_load32_splat(p); }
#ifdef WAVEMIX_RELAXED_SIMD
/* acc + a * b as one f32x4.relaxed_madd (an FMA on x86 with FMA3 and on arm64). clang 14 knows
 * relaxed SIMD only in its prototype encoding, f32x4.fma(x, y, z) = x + y * z (opcode 0xaf);
 * build-wasm.mjs rewrites every one to the final f32x4.relaxed_madd(x, y, z) = x * y + z (0x105),
 * so the operands are given in the final order. */
INLINE f4 fma4(f4 acc, f4 a, f4 b) { return __builtin_wasm_fma_f32x4(a, b, acc); }
/* a * b + c: the polynomial (Horner) steps of exp and erf. */
INLINE f4 madd4(f4 a, f4 b, f4 c) { return __builtin_wasm_fma_f32x4(a, b, c); }
#else
INLINE f4 fma4(f4 acc, f4 a, f4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
INLINE f4 madd4(f4 a, f4 b, f4 c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
#endif

EXPORT(fill_zero) void fill_zero(float* dst, int n) { __builtin_memset(dst, 0, (unsigned long)n * 4u); }

#include "conv.inc.c"
#include "conv1x1.inc.c"
#include "depthwise.inc.c"
#include "elementwise.inc.c"
#include "pointwise_mlp.inc.c"
#include "upsample.inc.c"
#include "winograd.inc.c"
#include "haar.inc.c"
