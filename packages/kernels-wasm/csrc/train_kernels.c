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

/* ---------------------------------------------------------------------------------------------
 * C[M][N] += sum_k A_k[m] * B[k][n], where row k of A starts at ind[k] (an indirection list: the
 * im2col row of output pixel k for one filter tap, or a zero row for padding) and B is row-major
 * with row stride ldb. C is row-major with row stride ldc. The micro-tile is MR rows of C by 8
 * (two f4) columns, accumulated in registers over all k.
 * ------------------------------------------------------------------------------------------- */
#define TILE8(MR)                                                                                  \
  INLINE void tile8_##MR(const float* const* ind, int a_off, const float* b, int ldb, float* c,   \
                         int ldc, int kc) {                                                        \
    f4 c0a = ld(c), c0b = ld(c + 4);                                                               \
    f4 c1a = MR > 1 ? ld(c + ldc) : c0a, c1b = MR > 1 ? ld(c + ldc + 4) : c0b;                      \
    f4 c2a = MR > 2 ? ld(c + 2 * ldc) : c0a, c2b = MR > 2 ? ld(c + 2 * ldc + 4) : c0b;              \
    f4 c3a = MR > 3 ? ld(c + 3 * ldc) : c0a, c3b = MR > 3 ? ld(c + 3 * ldc + 4) : c0b;              \
    for (int k = 0; k < kc; k++) {                                                                 \
      const float* a = ind[k] + a_off;                                                             \
      const f4 b0 = ld(b), b1 = ld(b + 4);                                                         \
      b += ldb;                                                                                    \
      f4 a0 = splat(a);                                                                            \
      c0a = fma4(c0a, a0, b0);                                                                     \
      c0b = fma4(c0b, a0, b1);                                                                     \
      if (MR > 1) {                                                                                \
        f4 a1 = splat(a + 1);                                                                      \
        c1a = fma4(c1a, a1, b0);                                                                   \
        c1b = fma4(c1b, a1, b1);                                                                   \
      }                                                                                            \
      if (MR > 2) {                                                                                \
        f4 a2 = splat(a + 2);                                                                      \
        c2a = fma4(c2a, a2, b0);                                                                   \
        c2b = fma4(c2b, a2, b1);                                                                   \
      }                                                                                            \
      if (MR > 3) {                                                                                \
        f4 a3 = splat(a + 3);                                                                      \
        c3a = fma4(c3a, a3, b0);                                                                   \
        c3b = fma4(c3b, a3, b1);                                                                   \
      }                                                                                            \
    }                                                                                              \
    st(c, c0a); st(c + 4, c0b);                                                                    \
    if (MR > 1) { st(c + ldc, c1a); st(c + ldc + 4, c1b); }                                        \
    if (MR > 2) { st(c + 2 * ldc, c2a); st(c + 2 * ldc + 4, c2b); }                                \
    if (MR > 3) { st(c + 3 * ldc, c3a); st(c + 3 * ldc + 4, c3b); }                                \
  }
TILE8(1)
TILE8(2)
TILE8(3)
TILE8(4)

/* Narrow columns (N % 8): one f4 when 4 remain, then scalars. */
INLINE void tile_narrow(const float* const* ind, int a_off, int mr, const float* b, int ldb,
                        float* c, int ldc, int nr, int kc) {
  for (int i = 0; i < mr; i++) {
    int j = 0;
    if (nr - j >= 4) {
      f4 acc = ld(c + i * ldc);
      const float* bp = b;
      for (int k = 0; k < kc; k++, bp += ldb) acc = fma4(acc, splat(ind[k] + a_off + i), ld(bp));
      st(c + i * ldc, acc);
      j = 4;
    }
    for (; j < nr; j++) {
      float acc = c[i * ldc + j];
      const float* bp = b + j;
      for (int k = 0; k < kc; k++, bp += ldb) acc += ind[k][a_off + i] * *bp;
      c[i * ldc + j] = acc;
    }
  }
}

INLINE void gemm_ind_tn(const float* const* ind, int m, const float* b, int ldb, int n, float* c,
                        int ldc, int kc) {
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    int j = 0;
    for (; j + 8 <= n; j += 8) tile8_4(ind, i, b + j, ldb, c + i * ldc + j, ldc, kc);
    if (j < n) tile_narrow(ind, i, 4, b + j, ldb, c + i * ldc + j, ldc, n - j, kc);
  }
  if (i < m) {
    const int mr = m - i;
    int j = 0;
    for (; j + 8 <= n; j += 8) {
      float* cp = c + i * ldc + j;
      if (mr == 1) tile8_1(ind, i, b + j, ldb, cp, ldc, kc);
      else if (mr == 2) tile8_2(ind, i, b + j, ldb, cp, ldc, kc);
      else tile8_3(ind, i, b + j, ldb, cp, ldc, kc);
    }
    if (j < n) tile_narrow(ind, i, mr, b + j, ldb, c + i * ldc + j, ldc, n - j, kc);
  }
}

/* Fills ind[k] for output pixels p0 .. p0+kc-1 and tap (kh, kw): the input row, or `fallback`. */
INLINE void fill_indirection(const float** ind, const float* x, const float* fallback, int p0,
                             int kc, int h, int w, int c, int oh, int ow, int kh, int kw, int sh,
                             int sw, int dh, int dwl, int pt, int pl) {
  int ox = p0 % ow, rest = p0 / ow;
  int oy = rest % oh, b = rest / oh;
  for (int k = 0; k < kc; k++) {
    const int iy = oy * sh + kh * dh - pt, ix = ox * sw + kw * dwl - pl;
    ind[k] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x + ((b * h + iy) * w + ix) * c : fallback;
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) { oy = 0; b++; }
    }
  }
}

/*
 * Conv2DBackpropFilter: dw[kh][kw][ci][co] = sum_{b,oy,ox} x[b][iy][ix][ci] * dy[b][oy][ox][co]
 * with iy = oy*sh + kh*dh - pt, ix = ox*sw + kw*dw - pl (zero outside the image).
 * `ind` is scratch for kc pointers; `zero` is a zeroed scratch row of ci floats.
 * Output pixels are processed in chunks of kc so the chunk of dy stays in cache across all taps.
 */
EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const float* x, const float* dy, float* dw, const float** ind,
                            const float* zero, int kc_max, int batch, int h, int w, int ci, int oh,
                            int ow, int co, int kh_n, int kw_n, int sh, int sw, int dh, int dwl,
                            int pt, int pl) {
  const int taps = kh_n * kw_n;
  __builtin_memset(dw, 0, (unsigned long)taps * ci * co * 4u);
  const int pixels = batch * oh * ow;
  for (int p0 = 0; p0 < pixels; p0 += kc_max) {
    const int kc = pixels - p0 < kc_max ? pixels - p0 : kc_max;
    for (int t = 0; t < taps; t++) {
      fill_indirection(ind, x, zero, p0, kc, h, w, ci, oh, ow, t / kw_n, t % kw_n, sh, sw, dh, dwl,
                       pt, pl);
      gemm_ind_tn(ind, ci, dy + p0 * co, co, co, dw + t * ci * co, co, kc);
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Convolution forward, and Conv2DBackpropInput by sub-pixel (phase) decomposition: for stride
 * (sh, sw), the input-gradient pixels with iy % sh == qy and ix % sw == qx are a stride-1
 * correlation of dy with a subset of the filter taps, flipped, in/out swapped. Both are an implicit GEMM
 * out[pixel][co] = bias[co] + sum_{tap, ci} x[ind(pixel, tap)][ci] * w[tap][ci][co], with the
 * filter packed into panels of 8 output channels ([co / 8][tap][ci][8], zero-padded) and output
 * pixels written through a strided map, so a phase lands directly in its sub-pixel grid.
 * ------------------------------------------------------------------------------------------- */

/* packed[p][k][j] = src[tap_offsets[k / cin] + (k % cin) * in_stride + (8p + j) * out_stride],
 * zero where 8p + j >= cout. tap_offsets: int32[taps] (floats). */
EXPORT(pack_filter)
void pack_filter(const float* src, float* packed, const int* tap_offsets, int taps, int cin, int cout,
                 int in_stride, int out_stride) {
  const int panels = (cout + 7) / 8;
  const int k_n = taps * cin;
  for (int p = 0; p < panels; p++) {
    float* dst = packed + p * k_n * 8;
    for (int t = 0; t < taps; t++) {
      const float* base = src + tap_offsets[t];
      for (int c = 0; c < cin; c++) {
        const float* row = base + c * in_stride;
        for (int j = 0; j < 8; j++) {
          const int n = p * 8 + j;
          *dst++ = n < cout ? row[n * out_stride] : 0.0f;
        }
      }
    }
  }
}

/* The 4 x 8 micro-kernel over all taps: rows r0..r3 are indirection lists (taps pointers each). */
INLINE void conv_tile(const float* const* r0, const float* const* r1, const float* const* r2,
                      const float* const* r3, const float* wp, int taps, int cin, f4 init_a, f4 init_b,
                      float* o0, float* o1, float* o2, float* o3, int nr) {
  f4 c0a = init_a, c0b = init_b, c1a = init_a, c1b = init_b;
  f4 c2a = init_a, c2b = init_b, c3a = init_a, c3b = init_b;
  for (int t = 0; t < taps; t++) {
    const float* a0 = r0[t];
    const float* a1 = r1[t];
    const float* a2 = r2[t];
    const float* a3 = r3[t];
    for (int c = 0; c < cin; c++) {
      const f4 b0 = ld(wp), b1 = ld(wp + 4);
      wp += 8;
      const f4 x0 = splat(a0 + c), x1 = splat(a1 + c), x2 = splat(a2 + c), x3 = splat(a3 + c);
      c0a = fma4(c0a, x0, b0); c0b = fma4(c0b, x0, b1);
      c1a = fma4(c1a, x1, b0); c1b = fma4(c1b, x1, b1);
      c2a = fma4(c2a, x2, b0); c2b = fma4(c2b, x2, b1);
      c3a = fma4(c3a, x3, b0); c3b = fma4(c3b, x3, b1);
    }
  }
  if (nr == 8) {
    st(o0, c0a); st(o0 + 4, c0b);
    if (o1) { st(o1, c1a); st(o1 + 4, c1b); }
    if (o2) { st(o2, c2a); st(o2 + 4, c2b); }
    if (o3) { st(o3, c3a); st(o3 + 4, c3b); }
  } else {
    /* Narrow last panel: the lanes one by one (no stack to spill a tile to). */
#define STORE_LANES(o, va, vb)                                                  \
    if (o) {                                                                    \
      o[0] = wasm_f32x4_extract_lane(va, 0);                                    \
      if (nr > 1) o[1] = wasm_f32x4_extract_lane(va, 1);                        \
      if (nr > 2) o[2] = wasm_f32x4_extract_lane(va, 2);                        \
      if (nr > 3) o[3] = wasm_f32x4_extract_lane(va, 3);                        \
      if (nr > 4) o[4] = wasm_f32x4_extract_lane(vb, 0);                        \
      if (nr > 5) o[5] = wasm_f32x4_extract_lane(vb, 1);                        \
      if (nr > 6) o[6] = wasm_f32x4_extract_lane(vb, 2);                        \
    }
    STORE_LANES(o0, c0a, c0b)
    STORE_LANES(o1, c1a, c1b)
    STORE_LANES(o2, c2a, c2b)
    STORE_LANES(o3, c3a, c3b)
#undef STORE_LANES
  }
}

/*
 * out pixel (b, oy, ox) is out + ((b*out_h + oy*osy + oqy) * out_w + ox*osx + oqx) * ldo.
 * ind is scratch for block * taps pointers; zero a zeroed row of cin floats; bias (optional, 0)
 * is packed like the filter: [co / 8][8]. Computes output pixels [m_begin, m_end) of the
 * batch * oh * ow, so threads sharing the memory can split one convolution.
 */
EXPORT(conv2d_forward)
void conv2d_forward(const float* x, const float* wpacked, const float* bias, float* out,
                    const float** ind, const float* zero, int block, int batch, int h, int w,
                    int cin, int oh, int ow, int cout, int kh_n, int kw_n, int sh, int sw, int dh,
                    int dwl, int pt, int pl, int out_h, int out_w, int osy, int osx, int oqy,
                    int oqx, int ldo, int m_begin, int m_end) {
  const int taps = kh_n * kw_n;
  const int panels = (cout + 7) / 8;
  const int k_n = taps * cin;
  (void)batch;
  for (int m0 = m_begin; m0 < m_end; m0 += block) {
    const int mb = m_end - m0 < block ? m_end - m0 : block;
    /* Indirection for this block: ind[i * taps + t]. */
    int ox = m0 % ow, rest = m0 / ow;
    int oy = rest % oh, b = rest / oh;
    const int ox0 = ox, oy0 = oy, b0 = b; /* the block's first output pixel, for the panels below */
    for (int i = 0; i < mb; i++) {
      for (int t = 0; t < taps; t++) {
        const int kh = t / kw_n, kw = t - (t / kw_n) * kw_n;
        const int iy = oy * sh + kh * dh - pt, ix = ox * sw + kw * dwl - pl;
        ind[i * taps + t] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x + ((b * h + iy) * w + ix) * cin : zero;
      }
      if (++ox == ow) {
        ox = 0;
        if (++oy == oh) { oy = 0; b++; }
      }
    }
    for (int p = 0; p < panels; p++) {
      const float* wp = wpacked + p * k_n * 8;
      const f4 init_a = bias ? ld(bias + p * 8) : wasm_f32x4_splat(0.0f);
      const f4 init_b = bias ? ld(bias + p * 8 + 4) : wasm_f32x4_splat(0.0f);
      const int nr = cout - p * 8 < 8 ? cout - p * 8 : 8;
      /* (qb, qy, qx) walks the block's output pixels: counters, not a division per row (with
       * K = 64 a tile's four divisions and remainders cost a fifth of its multiply-adds). */
      int qx = ox0, qy = oy0, qb = b0;
      for (int i = 0; i < mb; i += 4) {
        /* Output rows of the tile (null past the end, whose indirection repeats row i). */
        float *o0 = 0, *o1 = 0, *o2 = 0, *o3 = 0;
        for (int r = 0; r < 4 && i + r < mb; r++) {
          float* dst = out + ((qb * out_h + qy * osy + oqy) * out_w + qx * osx + oqx) * ldo + p * 8;
          if (r == 0) o0 = dst; else if (r == 1) o1 = dst; else if (r == 2) o2 = dst; else o3 = dst;
          if (++qx == ow) {
            qx = 0;
            if (++qy == oh) { qy = 0; qb++; }
          }
        }
        const float* const* r0 = ind + i * taps;
        const float* const* r1 = i + 1 < mb ? r0 + taps : r0;
        const float* const* r2 = i + 2 < mb ? r0 + 2 * taps : r0;
        const float* const* r3 = i + 3 < mb ? r0 + 3 * taps : r0;
        conv_tile(r0, r1, r2, r3, wp, taps, cin, init_a, init_b, o0, o1, o2, o3, nr);
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Depthwise gradients. x [b][h][w][c], dy [b][oh][ow][c*mult], w [kh][kw][c][mult].
 * ------------------------------------------------------------------------------------------- */

EXPORT(depthwise_backprop_filter)
void depthwise_backprop_filter(const float* x, const float* dy, float* dw, const float** ind,
                               const float* zero, int kc_max, int batch, int h, int w, int c,
                               int oh, int ow, int mult, int kh_n, int kw_n, int sh, int sw, int dh,
                               int dwl, int pt, int pl) {
  const int taps = kh_n * kw_n, cm = c * mult;
  __builtin_memset(dw, 0, (unsigned long)taps * cm * 4u);
  const int pixels = batch * oh * ow;
  for (int p0 = 0; p0 < pixels; p0 += kc_max) {
    const int kc = pixels - p0 < kc_max ? pixels - p0 : kc_max;
    const float* dyc = dy + p0 * cm;
    for (int t = 0; t < taps; t++) {
      fill_indirection(ind, x, zero, p0, kc, h, w, c, oh, ow, t / kw_n, t % kw_n, sh, sw, dh, dwl,
                       pt, pl);
      float* dwt = dw + t * cm;
      if (mult == 1) {
        int j = 0;
        for (; j + 8 <= c; j += 8) {
          f4 a0 = ld(dwt + j), a1 = ld(dwt + j + 4);
          const float* g = dyc + j;
          for (int k = 0; k < kc; k++, g += cm) {
            const float* xr = ind[k] + j;
            a0 = fma4(a0, ld(xr), ld(g));
            a1 = fma4(a1, ld(xr + 4), ld(g + 4));
          }
          st(dwt + j, a0);
          st(dwt + j + 4, a1);
        }
        for (; j < c; j++) {
          float a = dwt[j];
          for (int k = 0; k < kc; k++) a += ind[k][j] * dyc[k * cm + j];
          dwt[j] = a;
        }
      } else {
        for (int k = 0; k < kc; k++) {
          const float* xr = ind[k];
          const float* g = dyc + k * cm;
          for (int j = 0; j < c; j++)
            for (int q = 0; q < mult; q++) dwt[j * mult + q] += xr[j] * g[j * mult + q];
        }
      }
    }
  }
}

/* dx is zeroed here; `trash` is scratch of c floats that absorbs the taps falling on padding. */
EXPORT(depthwise_backprop_input)
void depthwise_backprop_input(const float* dy, const float* wt, float* dx, float** ind,
                              float* trash, int kc_max, int batch, int h, int w, int c, int oh,
                              int ow, int mult, int kh_n, int kw_n, int sh, int sw, int dh, int dwl,
                              int pt, int pl) {
  const int taps = kh_n * kw_n, cm = c * mult;
  __builtin_memset(dx, 0, (unsigned long)batch * h * w * c * 4u);
  const int pixels = batch * oh * ow;
  for (int p0 = 0; p0 < pixels; p0 += kc_max) {
    const int kc = pixels - p0 < kc_max ? pixels - p0 : kc_max;
    const float* dyc = dy + p0 * cm;
    for (int t = 0; t < taps; t++) {
      fill_indirection((const float**)ind, dx, trash, p0, kc, h, w, c, oh, ow, t / kw_n, t % kw_n,
                       sh, sw, dh, dwl, pt, pl);
      const float* wtt = wt + t * cm;
      for (int k = 0; k < kc; k++) {
        float* xr = ind[k];
        const float* g = dyc + k * cm;
        if (mult == 1) {
          int j = 0;
          for (; j + 4 <= c; j += 4) st(xr + j, fma4(ld(xr + j), ld(g + j), ld(wtt + j)));
          for (; j < c; j++) xr[j] += g[j] * wtt[j];
        } else {
          for (int j = 0; j < c; j++) {
            float a = xr[j];
            for (int q = 0; q < mult; q++) a += g[j * mult + q] * wtt[j * mult + q];
            xr[j] = a;
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Element-wise and reduction kernels that the training profile showed to be slow on the backend.
 * ------------------------------------------------------------------------------------------- */

/* exp on four lanes: n = round(x log2 e) (by the 1.5 * 2^23 trick, which also leaves n in the
 * low mantissa bits), r = x - n ln 2 (two-part ln 2), Cephes polynomial, then times
 * 2^(n>>1) * 2^(n - (n>>1)) so neither factor overflows before the true result does. The clamp
 * uses pmin/pmax with x first, so NaN passes through; large |x| gives inf or 0. */
INLINE f4 exp4(f4 x) {
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, wasm_f32x4_splat(88.8f)), wasm_f32x4_splat(-104.0f));
  const f4 magic = wasm_f32x4_splat(12582912.0f);
  const f4 j = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), magic);
  const f4 n = wasm_f32x4_sub(j, magic);
  f4 r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  f4 p = wasm_f32x4_splat(1.9875691500e-4f);
  p = madd4(p, r, wasm_f32x4_splat(1.3981999507e-3f));
  p = madd4(p, r, wasm_f32x4_splat(8.3334519073e-3f));
  p = madd4(p, r, wasm_f32x4_splat(4.1665795894e-2f));
  p = madd4(p, r, wasm_f32x4_splat(1.6666665459e-1f));
  p = madd4(p, r, wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  const v128_t ni = wasm_i32x4_sub(j, magic); /* the integer n, from the bits */
  const v128_t h1 = wasm_i32x4_shr(ni, 1);
  const v128_t h2 = wasm_i32x4_sub(ni, h1);
  const v128_t bias = wasm_i32x4_splat(127);
  const f4 s1 = wasm_i32x4_shl(wasm_i32x4_add(h1, bias), 23);
  const f4 s2 = wasm_i32x4_shl(wasm_i32x4_add(h2, bias), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2);
}

/* erf: the Abramowitz-Stegun 7.1.26 form tfjs uses on cpu and webgl (|error| <= 1.5e-7) for
 * |x| >= 0.5; below, where evaluating 1 - p(t) t exp(-x^2) in float32 cancels, the Maclaurin
 * series to x^13 (truncation error < 3e-9). */
INLINE f4 erf4(f4 x) {
  const v128_t sign = wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000u));
  const f4 a = wasm_f32x4_abs(x);
  const f4 t = wasm_f32x4_div(wasm_f32x4_splat(1.0f),
                              wasm_f32x4_add(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(wasm_f32x4_splat(0.3275911f), a)));
  f4 p = wasm_f32x4_splat(1.061405429f);
  p = madd4(p, t, wasm_f32x4_splat(-1.453152027f));
  p = madd4(p, t, wasm_f32x4_splat(1.421413741f));
  p = madd4(p, t, wasm_f32x4_splat(-0.284496736f));
  p = madd4(p, t, wasm_f32x4_splat(0.254829592f));
  const f4 e = exp4(wasm_f32x4_neg(wasm_f32x4_mul(a, a)));
  const f4 large = wasm_f32x4_sub(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(wasm_f32x4_mul(p, t), e));
  /* 2/sqrt(pi) * sum_n (-1)^n a^(2n+1) / (n! (2n+1)), n = 0..6, Horner in a^2. */
  const f4 z = wasm_f32x4_mul(a, a);
  f4 q = wasm_f32x4_splat(-1.0f / 9360.0f);
  q = madd4(q, z, wasm_f32x4_splat(1.0f / 1320.0f));
  q = madd4(q, z, wasm_f32x4_splat(-1.0f / 216.0f));
  q = madd4(q, z, wasm_f32x4_splat(1.0f / 42.0f));
  q = madd4(q, z, wasm_f32x4_splat(-1.0f / 10.0f));
  q = madd4(q, z, wasm_f32x4_splat(1.0f / 3.0f));
  q = wasm_f32x4_sub(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(q, z));
  const f4 small = wasm_f32x4_mul(wasm_f32x4_mul(q, a), wasm_f32x4_splat(1.1283791670955126f));
  const f4 y = wasm_v128_bitselect(small, large, wasm_f32x4_lt(a, wasm_f32x4_splat(0.5f)));
  return wasm_v128_or(y, sign);
}

/* Tails go through a zero-padded f4 built lane by lane (no stack: the lanes are locals). */
INLINE f4 load_partial(const float* p, int n) {
  f4 v = wasm_f32x4_splat(0.0f);
  v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (n > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (n > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}
INLINE void store_partial(float* p, f4 v, int n) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

EXPORT(exp_f32) void exp_f32(const float* x, float* y, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(y + i, exp4(ld(x + i)));
  if (i < n) store_partial(y + i, exp4(load_partial(x + i, n - i)), n - i);
}

EXPORT(erf_f32) void erf_f32(const float* x, float* y, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(y + i, erf4(ld(x + i)));
  if (i < n) store_partial(y + i, erf4(load_partial(x + i, n - i)), n - i);
}

/* out[c] = scale * sum_r x[r][c], accumulated in double (sums of four rows in float first).
 * acc is scratch of `cols` doubles. */
EXPORT(sum_rows)
void sum_rows(const float* x, float* out, double* acc, int rows, int cols, double scale) {
  __builtin_memset(acc, 0, (unsigned long)cols * 8u);
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float* x0 = x + r * cols;
    const float* x1 = x0 + cols;
    const float* x2 = x1 + cols;
    const float* x3 = x2 + cols;
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      const f4 s = wasm_f32x4_add(wasm_f32x4_add(ld(x0 + c), ld(x1 + c)), wasm_f32x4_add(ld(x2 + c), ld(x3 + c)));
      const v128_t lo = wasm_f64x2_promote_low_f32x4(s);
      const v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(s, s, 2, 3, 0, 1));
      wasm_v128_store(acc + c, wasm_f64x2_add(wasm_v128_load(acc + c), lo));
      wasm_v128_store(acc + c + 2, wasm_f64x2_add(wasm_v128_load(acc + c + 2), hi));
    }
    for (; c < cols; c++) acc[c] += (double)((x0[c] + x1[c]) + (x2[c] + x3[c]));
  }
  for (; r < rows; r++) {
    const float* xr = x + r * cols;
    for (int c = 0; c < cols; c++) acc[c] += (double)xr[c];
  }
  for (int c = 0; c < cols; c++) out[c] = (float)(acc[c] * scale);
}

/* out[r][c] = a[r][c] op b[c] (b_first: b[c] op a[r][c]); op 0 add, 1 sub, 2 mul, 3 div. */
#define BCAST_LOOP(EXPR, SCALAR)                                                                 \
  for (int r = 0; r < rows; r++) {                                                               \
    const float* ar = a + r * cols;                                                              \
    float* orow = out + r * cols;                                                                \
    int c = 0;                                                                                   \
    for (; c + 4 <= cols; c += 4) {                                                              \
      const f4 u = ld(ar + c), v = ld(b + c);                                                    \
      st(orow + c, EXPR);                                                                        \
    }                                                                                            \
    for (; c < cols; c++) {                                                                      \
      const float u = ar[c], v = b[c];                                                           \
      orow[c] = SCALAR;                                                                          \
    }                                                                                            \
  }

EXPORT(broadcast_rows)
void broadcast_rows(const float* a, const float* b, float* out, int rows, int cols, int op, int b_first) {
  if (op == 0) {
    BCAST_LOOP(wasm_f32x4_add(u, v), u + v)
  } else if (op == 2) {
    BCAST_LOOP(wasm_f32x4_mul(u, v), u * v)
  } else if (op == 1 && !b_first) {
    BCAST_LOOP(wasm_f32x4_sub(u, v), u - v)
  } else if (op == 1) {
    BCAST_LOOP(wasm_f32x4_sub(v, u), v - u)
  } else if (!b_first) {
    BCAST_LOOP(wasm_f32x4_div(u, v), u / v)
  } else {
    BCAST_LOOP(wasm_f32x4_div(v, u), v / u)
  }
}

/* out[r][c] = (x[r][c] - sub[c]) * mul[c] + add[c]: batch normalisation with per-channel
 * statistics (the mean is subtracted first, as tfjs does, so a large mean costs no precision). */
EXPORT(affine_rows)
void affine_rows(const float* x, const float* sub, const float* mul, const float* add, float* out,
                 int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    float* orow = out + r * cols;
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      st(orow + c, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(ld(xr + c), ld(sub + c)), ld(mul + c)), ld(add + c)));
    }
    for (; c < cols; c++) orow[c] = (xr[c] - sub[c]) * mul[c] + add[c];
  }
}

/* out[i] = a[i] op s (s_first: s op a[i]); op as in broadcast_rows. */
#define SCALAR_LOOP(EXPR, SCALAR)                                                                \
  {                                                                                              \
    const f4 v = wasm_f32x4_splat(s);                                                            \
    int i = 0;                                                                                   \
    for (; i + 4 <= n; i += 4) {                                                                 \
      const f4 u = ld(a + i);                                                                    \
      st(out + i, EXPR);                                                                         \
    }                                                                                            \
    for (; i < n; i++) {                                                                         \
      const float u = a[i];                                                                      \
      out[i] = SCALAR;                                                                           \
    }                                                                                            \
  }

EXPORT(scalar_op) void scalar_op(const float* a, float s, float* out, int n, int op, int s_first) {
  if (op == 0) SCALAR_LOOP(wasm_f32x4_add(u, v), u + s)
  else if (op == 2) SCALAR_LOOP(wasm_f32x4_mul(u, v), u * s)
  else if (op == 1 && !s_first) SCALAR_LOOP(wasm_f32x4_sub(u, v), u - s)
  else if (op == 1) SCALAR_LOOP(wasm_f32x4_sub(v, u), s - u)
  else if (!s_first) SCALAR_LOOP(wasm_f32x4_div(u, v), u / s)
  else SCALAR_LOOP(wasm_f32x4_div(v, u), s / u)
}

/*
 * The gradient of batch normalisation with per-channel statistics (tfjs FusedBatchNorm: the
 * partial derivatives in x, mean, variance, scale and offset, the chain through the batch
 * moments being left to their own gradients), in one pass over x and dy:
 *   k = scale / sqrt(variance + eps);  dx = dy * k
 *   dmean = -k * sum(dy);  dvariance = -k / (2 (variance + eps)) * sum(dy (x - mean))
 *   dscale = sum(dy (x - mean)) / sqrt(variance + eps);  doffset = sum(dy)
 * Sums in double. scale may be 0 (ones). grads receives 4 * cols floats: dmean, dvariance,
 * dscale, doffset. scratch: cols floats then 2 * cols doubles (8-byte aligned).
 */
EXPORT(batchnorm_grad)
void batchnorm_grad(const float* x, const float* dy, const float* mean, const float* variance,
                    const float* scale, float* dx, float* grads, float* scratch, int rows, int cols,
                    float eps) {
  float* k = scratch;
  double* s_dy = (double*)(scratch + ((cols + 1) & ~1));
  double* s_dyxm = s_dy + cols;
  for (int c = 0; c < cols; c++) {
    k[c] = (scale ? scale[c] : 1.0f) / __builtin_sqrtf(variance[c] + eps);
    s_dy[c] = 0.0;
    s_dyxm[c] = 0.0;
  }
  for (int r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    const float* gr = dy + r * cols;
    float* dr = dx + r * cols;
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      const f4 g = ld(gr + c);
      const f4 xm = wasm_f32x4_sub(ld(xr + c), ld(mean + c));
      const f4 gx = wasm_f32x4_mul(g, xm);
      st(dr + c, wasm_f32x4_mul(g, ld(k + c)));
      wasm_v128_store(s_dy + c, wasm_f64x2_add(wasm_v128_load(s_dy + c), wasm_f64x2_promote_low_f32x4(g)));
      wasm_v128_store(s_dy + c + 2, wasm_f64x2_add(wasm_v128_load(s_dy + c + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(g, g, 2, 3, 0, 1))));
      wasm_v128_store(s_dyxm + c, wasm_f64x2_add(wasm_v128_load(s_dyxm + c), wasm_f64x2_promote_low_f32x4(gx)));
      wasm_v128_store(s_dyxm + c + 2, wasm_f64x2_add(wasm_v128_load(s_dyxm + c + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(gx, gx, 2, 3, 0, 1))));
    }
    for (; c < cols; c++) {
      const float g = gr[c], xm = xr[c] - mean[c];
      dr[c] = g * k[c];
      s_dy[c] += (double)g;
      s_dyxm[c] += (double)(g * xm);
    }
  }
  for (int c = 0; c < cols; c++) {
    const double inv_var = 1.0 / ((double)variance[c] + (double)eps);
    grads[c] = (float)(-(double)k[c] * s_dy[c]);
    grads[cols + c] = (float)(-0.5 * (double)k[c] * inv_var * s_dyxm[c]);
    grads[2 * cols + c] = (float)(s_dyxm[c] / __builtin_sqrt((double)variance[c] + (double)eps));
    grads[3 * cols + c] = (float)s_dy[c];
  }
}

/* GELU, exact (erf) form: y = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2. */
EXPORT(gelu_f32) void gelu_f32(const float* x, float* y, int n) {
  const f4 half = wasm_f32x4_splat(0.5f), one = wasm_f32x4_splat(1.0f), rsqrt2 = wasm_f32x4_splat(0.70710678118654752f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const f4 v = ld(x + i);
    st(y + i, wasm_f32x4_mul(v, wasm_f32x4_mul(half, wasm_f32x4_add(one, erf4(wasm_f32x4_mul(v, rsqrt2))))));
  }
  if (i < n) {
    const f4 v = load_partial(x + i, n - i);
    store_partial(y + i, wasm_f32x4_mul(v, wasm_f32x4_mul(half, wasm_f32x4_add(one, erf4(wasm_f32x4_mul(v, rsqrt2))))), n - i);
  }
}

/* dx = dy * (Phi(x) + x * phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
INLINE f4 gelu_grad4(f4 v, f4 g) {
  const f4 phi_cdf = wasm_f32x4_mul(wasm_f32x4_splat(0.5f),
                                    wasm_f32x4_add(wasm_f32x4_splat(1.0f), erf4(wasm_f32x4_mul(v, wasm_f32x4_splat(0.70710678118654752f)))));
  const f4 pdf = wasm_f32x4_mul(wasm_f32x4_splat(0.39894228040143268f),
                                exp4(wasm_f32x4_mul(wasm_f32x4_splat(-0.5f), wasm_f32x4_mul(v, v))));
  return wasm_f32x4_mul(g, wasm_f32x4_add(phi_cdf, wasm_f32x4_mul(v, pdf)));
}

EXPORT(gelu_grad_f32) void gelu_grad_f32(const float* x, const float* dy, float* dx, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(dx + i, gelu_grad4(ld(x + i), ld(dy + i)));
  if (i < n) store_partial(dx + i, gelu_grad4(load_partial(x + i, n - i), load_partial(dy + i, n - i)), n - i);
}
