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
INLINE f4 fma4(f4 acc, f4 a, f4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }

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
 * Conv2DBackpropInput by sub-pixel (phase) decomposition. For stride (sh, sw), the input-gradient
 * pixels with iy % sh == qy and ix % sw == qx form a stride-1 correlation of dy with a subset of
 * the filter taps, flipped and with in/out swapped. The caller runs that correlation with the
 * backend's XNNPACK Conv2D and scatters each phase into place.
 * ------------------------------------------------------------------------------------------- */

/* out[j][i][o][c] = w[ry + sh*(jy-1-j)][rx + sw*(jx-1-i)][c][o]; w is [kh][kw][ci][co]. */
EXPORT(gather_phase_filter)
void gather_phase_filter(const float* w, float* out, int kw_n, int ci, int co, int sh, int sw,
                         int ry, int rx, int jy, int jx) {
  for (int j = 0; j < jy; j++) {
    for (int i = 0; i < jx; i++) {
      const float* src = w + ((ry + sh * (jy - 1 - j)) * kw_n + (rx + sw * (jx - 1 - i))) * ci * co;
      float* dst = out + (j * jx + i) * co * ci;
      for (int c = 0; c < ci; c++) {
        const float* s = src + c * co;
        for (int o = 0; o < co; o++) dst[o * ci + c] = s[o];
      }
    }
  }
}

/* dst[b][sh*m + qy][sw*n + qx][:] = src[b][m][n][:] for m < mq, n < nq. */
EXPORT(scatter_phase)
void scatter_phase(const float* src, float* dst, int batch, int mq, int nq, int c, int h, int w,
                   int sh, int sw, int qy, int qx) {
  for (int b = 0; b < batch; b++) {
    for (int m = 0; m < mq; m++) {
      float* row = dst + ((b * h + sh * m + qy) * w + qx) * c;
      for (int n = 0; n < nq; n++) {
        float* d = row + n * sw * c;
        int k = 0;
        for (; k + 4 <= c; k += 4) st(d + k, ld(src + k));
        for (; k < c; k++) d[k] = src[k];
        src += c;
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

/* exp on four lanes: n = round(x log2 e), r = x - n ln 2 (two-part ln 2), Cephes polynomial, then
 * times 2^(n>>1) * 2^(n - (n>>1)) so neither factor overflows before the true result does. NaN
 * propagates through min/max; large |x| gives inf or 0. */
INLINE f4 exp4(f4 x) {
  x = wasm_f32x4_max(wasm_f32x4_min(x, wasm_f32x4_splat(88.8f)), wasm_f32x4_splat(-104.0f));
  const f4 n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  f4 r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  f4 p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  const v128_t ni = wasm_i32x4_trunc_sat_f32x4(n);
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
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), wasm_f32x4_splat(-1.453152027f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), wasm_f32x4_splat(1.421413741f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), wasm_f32x4_splat(-0.284496736f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), wasm_f32x4_splat(0.254829592f));
  const f4 e = exp4(wasm_f32x4_neg(wasm_f32x4_mul(a, a)));
  const f4 large = wasm_f32x4_sub(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(wasm_f32x4_mul(p, t), e));
  /* 2/sqrt(pi) * sum_n (-1)^n a^(2n+1) / (n! (2n+1)), n = 0..6, Horner in a^2. */
  const f4 z = wasm_f32x4_mul(a, a);
  f4 q = wasm_f32x4_splat(-1.0f / 9360.0f);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, z), wasm_f32x4_splat(1.0f / 1320.0f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, z), wasm_f32x4_splat(-1.0f / 216.0f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, z), wasm_f32x4_splat(1.0f / 42.0f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, z), wasm_f32x4_splat(-1.0f / 10.0f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, z), wasm_f32x4_splat(1.0f / 3.0f));
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
