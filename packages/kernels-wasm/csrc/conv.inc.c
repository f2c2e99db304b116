/* Part of csrc/train_kernels.c (included there; not compiled alone): the GEMM micro-kernels, filter packing and the convolution forward and backward-filter kernels. */

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
