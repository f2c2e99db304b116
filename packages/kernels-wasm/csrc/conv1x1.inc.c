/* Part of csrc/train_kernels.c (included there; not compiled alone): 1x1 stride-1 convolutions for
 * narrow channel counts, as GEMMs over pixels with direct row pointers. conv.inc.c's 4 x 8 tiles
 * waste most of their lanes there (2 output channels use a quarter of each tile; its filter
 * gradient runs scalar below 8 output channels), and its per-pixel indirection costs more than the
 * multiply-adds of 2 input channels.
 *
 * The filter comes as w[ci * w_in + co * w_out] (the tfjs [1][1][in][out] filter, or its transpose
 * for Conv2DBackpropInput) and is repacked into `scratch` in the layout each kernel reads, with the
 * bias (zeros without one). */

/* ---------------------------------------------------------------------------------------------
 * Rows: out[p][0 .. 4 NV) = bias + sum_c x[p][c] * w[c][..], cout = 4 NV <= 16. R pixels at a time,
 * R x NV accumulators (at most 8), each input value splatted once per pixel.
 * ------------------------------------------------------------------------------------------- */
#define ROW_FMA(r, s)                                                                              \
  {                                                                                                \
    const f4 s = splat(xr + (r) * cin + c);                                                        \
    a##r##0 = fma4(a##r##0, s, w0);                                                                \
    if (nv > 1) a##r##1 = fma4(a##r##1, s, w1);                                                    \
    if (nv > 2) a##r##2 = fma4(a##r##2, s, w2);                                                    \
    if (nv > 3) a##r##3 = fma4(a##r##3, s, w3);                                                    \
  }
#define ROW_STORE(r)                                                                               \
  {                                                                                                \
    float* o = out + (p + (r)) * (4 * nv);                                                         \
    st(o, a##r##0);                                                                                \
    if (nv > 1) st(o + 4, a##r##1);                                                                \
    if (nv > 2) st(o + 8, a##r##2);                                                                \
    if (nv > 3) st(o + 12, a##r##3);                                                               \
  }
#define ROWS_KERNEL(R, NV)                                                                         \
  INLINE void rows_##R##_##NV(const float* x, const float* w, const float* bias, float* out,       \
                              int pixels, int cin) {                                               \
    const int nv = NV;                                                                             \
    const f4 z = wasm_f32x4_splat(0.0f);                                                           \
    const f4 b0 = ld(bias), b1 = NV > 1 ? ld(bias + 4) : z;                                        \
    const f4 b2 = NV > 2 ? ld(bias + 8) : z, b3 = NV > 3 ? ld(bias + 12) : z;                      \
    int p = 0;                                                                                     \
    for (; p + R <= pixels; p += R) {                                                              \
      const float* xr = x + p * cin;                                                               \
      f4 a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;           \
      f4 a20 = b0, a21 = b1, a30 = b0, a31 = b1;                                                   \
      const float* wr = w;                                                                         \
      for (int c = 0; c < cin; c++, wr += 4 * NV) {                                                \
        const f4 w0 = ld(wr), w1 = NV > 1 ? ld(wr + 4) : z;                                        \
        const f4 w2 = NV > 2 ? ld(wr + 8) : z, w3 = NV > 3 ? ld(wr + 12) : z;                      \
        ROW_FMA(0, s0)                                                                             \
        if (R > 1) ROW_FMA(1, s1)                                                                  \
        if (R > 2) { const f4 s2 = splat(xr + 2 * cin + c);                                        \
                     a20 = fma4(a20, s2, w0); if (NV > 1) a21 = fma4(a21, s2, w1); }               \
        if (R > 3) { const f4 s3 = splat(xr + 3 * cin + c);                                        \
                     a30 = fma4(a30, s3, w0); if (NV > 1) a31 = fma4(a31, s3, w1); }               \
      }                                                                                            \
      ROW_STORE(0)                                                                                 \
      if (R > 1) ROW_STORE(1)                                                                      \
      if (R > 2) { st(out + (p + 2) * (4 * NV), a20); if (NV > 1) st(out + (p + 2) * (4 * NV) + 4, a21); } \
      if (R > 3) { st(out + (p + 3) * (4 * NV), a30); if (NV > 1) st(out + (p + 3) * (4 * NV) + 4, a31); } \
    }                                                                                              \
    for (; p < pixels; p++) {                                                                      \
      const float* xr = x + p * cin;                                                               \
      f4 a00 = b0, a01 = b1, a02 = b2, a03 = b3;                                                   \
      const float* wr = w;                                                                         \
      for (int c = 0; c < cin; c++, wr += 4 * NV) {                                                \
        const f4 w0 = ld(wr), w1 = NV > 1 ? ld(wr + 4) : z;                                        \
        const f4 w2 = NV > 2 ? ld(wr + 8) : z, w3 = NV > 3 ? ld(wr + 12) : z;                      \
        ROW_FMA(0, s0)                                                                             \
      }                                                                                            \
      ROW_STORE(0)                                                                                 \
    }                                                                                              \
  }
/* R x NV accumulators: 4 x 1, 4 x 2, 2 x 3, 2 x 4 (the R > 2 rows only exist for NV <= 2). */
ROWS_KERNEL(4, 1)
ROWS_KERNEL(4, 2)
ROWS_KERNEL(2, 3)
ROWS_KERNEL(2, 4)

EXPORT(conv1x1_rows)
void conv1x1_rows(const float* x, const float* w, int w_in, int w_out, const float* bias,
                  float* scratch, float* out, int pixels, int cin, int cout) {
  float* wp = scratch;
  float* bp = scratch + cin * cout;
  for (int c = 0; c < cin; c++)
    for (int j = 0; j < cout; j++) wp[c * cout + j] = w[c * w_in + j * w_out];
  for (int j = 0; j < cout; j++) bp[j] = bias ? bias[j] : 0.0f;
  switch (cout) {
    case 4: rows_4_1(x, wp, bp, out, pixels, cin); break;
    case 8: rows_4_2(x, wp, bp, out, pixels, cin); break;
    case 12: rows_2_3(x, wp, bp, out, pixels, cin); break;
    case 16: rows_2_4(x, wp, bp, out, pixels, cin); break;
    default: break;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Dots: cout in 1 .. 7 (not 4), cin % 4 == 0. Each output value is a dot product of an input row
 * with a filter column (wt = [cout][cin]), reduced across lanes four at a time, so the output
 * [pixels][cout], flattened, is written as whole vectors.
 * ------------------------------------------------------------------------------------------- */

/* (sum of v0's lanes, of v1's, of v2's, of v3's). */
INLINE f4 hsum4(f4 v0, f4 v1, f4 v2, f4 v3) {
  const f4 t0 = wasm_f32x4_add(wasm_i32x4_shuffle(v0, v1, 0, 4, 1, 5), wasm_i32x4_shuffle(v0, v1, 2, 6, 3, 7));
  const f4 t1 = wasm_f32x4_add(wasm_i32x4_shuffle(v2, v3, 0, 4, 1, 5), wasm_i32x4_shuffle(v2, v3, 2, 6, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
}

/* Lane products of a row and a column, summed over the cin / 4 vectors (cb of them when cb > 0). */
INLINE f4 dot_lanes(const float* a, const float* b, int cb, int cin) {
  f4 acc = wasm_f32x4_mul(ld(a), ld(b));
  if (cb == 1) return acc;
  if (cb == 2) return fma4(acc, ld(a + 4), ld(b + 4));
  for (int c = 4; c < cin; c += 4) acc = fma4(acc, ld(a + c), ld(b + c));
  return acc;
}

/* The next output float: channel j of the pixel whose row is xr, filter column wr. */
#define DOTS_NEXT(v)                                                                               \
  const f4 v = dot_lanes(xr, wr, cb, cin);                                                         \
  wr += cin;                                                                                       \
  if (++j == cout) { j = 0; wr = wt; xr += cin; }
#define DOTS_KERNEL(CB)                                                                            \
  INLINE void dots_##CB(const float* x, const float* wt, const float* bq, float* out, int pixels,  \
                        int cin, int cout) {                                                       \
    const int cb = CB, total = pixels * cout;                                                      \
    const float* xr = x;                                                                           \
    const float* wr = wt;                                                                          \
    int j = 0, q = 0;                                                                              \
    for (; q + 4 <= total; q += 4) {                                                               \
      const f4 bias = ld(bq + j); /* bq[k] = bias[k % cout] */                                     \
      DOTS_NEXT(v0) DOTS_NEXT(v1) DOTS_NEXT(v2) DOTS_NEXT(v3)                                      \
      st(out + q, wasm_f32x4_add(bias, hsum4(v0, v1, v2, v3)));                                    \
    }                                                                                              \
    for (; q < total; q++) {                                                                       \
      const f4 v = dot_lanes(xr, wr, cb, cin);                                                     \
      out[q] = bq[j] + wasm_f32x4_extract_lane(hsum4(v, v, v, v), 0);                              \
      wr += cin;                                                                                   \
      if (++j == cout) { j = 0; wr = wt; xr += cin; }                                              \
    }                                                                                              \
  }
DOTS_KERNEL(1)
DOTS_KERNEL(2)
DOTS_KERNEL(0)

/* cout 2, cin 8 (WaveMix-Lite's reduction convolution): two pixels a vector, no counters. */
INLINE void dots_cout2_cin8(const float* x, const float* wt, const float* bq, float* out, int pixels) {
  const f4 w0a = ld(wt), w0b = ld(wt + 4), w1a = ld(wt + 8), w1b = ld(wt + 12), bias = ld(bq);
  int p = 0;
  for (; p + 2 <= pixels; p += 2) {
    const float* xr = x + p * 8;
    const f4 xa = ld(xr), xb = ld(xr + 4), ya = ld(xr + 8), yb = ld(xr + 12);
    st(out + 2 * p,
       wasm_f32x4_add(bias, hsum4(fma4(wasm_f32x4_mul(xa, w0a), xb, w0b), fma4(wasm_f32x4_mul(xa, w1a), xb, w1b),
                                  fma4(wasm_f32x4_mul(ya, w0a), yb, w0b), fma4(wasm_f32x4_mul(ya, w1a), yb, w1b))));
  }
  if (p < pixels) dots_2(x + p * 8, wt, bq, out + 2 * p, pixels - p, 8, 2);
}

EXPORT(conv1x1_dots)
void conv1x1_dots(const float* x, const float* w, int w_in, int w_out, const float* bias,
                  float* scratch, float* out, int pixels, int cin, int cout) {
  float* wt = scratch;
  float* bq = scratch + cin * cout;
  for (int j = 0; j < cout; j++)
    for (int c = 0; c < cin; c++) wt[j * cin + c] = w[c * w_in + j * w_out];
  for (int k = 0; k < cout + 3; k++) bq[k] = bias ? bias[k % cout] : 0.0f;
  if (cout == 2 && cin == 8) dots_cout2_cin8(x, wt, bq, out, pixels);
  else if (cin == 4) dots_1(x, wt, bq, out, pixels, cin, cout);
  else if (cin == 8) dots_2(x, wt, bq, out, pixels, cin, cout);
  else dots_0(x, wt, bq, out, pixels, cin, cout);
}

/* ---------------------------------------------------------------------------------------------
 * Filter gradient: out[i * osa + j * osb] = sum_p a[p][i] * b[p][j], i < na (a multiple of 4:
 * vectors along a's columns), j < nb, with 4 CB x NJ accumulators (CB <= 2, NJ <= 4) per pass over
 * the pixels. Sums over TN_BLOCK pixels in registers, then added to out, so the rounding error
 * grows with the number of blocks, not of pixels.
 * ------------------------------------------------------------------------------------------- */
#define TN_BLOCK 256
#define TN_ADD(s, blk, j)                                                                          \
  {                                                                                                \
    float* d = out + 4 * (blk) * osa + (j) * osb;                                                  \
    if (osa == 1) st(d, wasm_f32x4_add(ld(d), s));                                                 \
    else {                                                                                         \
      d[0] += wasm_f32x4_extract_lane(s, 0);                                                       \
      d[osa] += wasm_f32x4_extract_lane(s, 1);                                                     \
      d[2 * osa] += wasm_f32x4_extract_lane(s, 2);                                                 \
      d[3 * osa] += wasm_f32x4_extract_lane(s, 3);                                                 \
    }                                                                                              \
  }
#define TN_COLUMN(j)                                                                               \
  if (nj > (j)) {                                                                                  \
    const f4 bj = splat(bp + (j));                                                                 \
    s0##j = fma4(s0##j, a0, bj);                                                                   \
    if (cb > 1) s1##j = fma4(s1##j, a1, bj);                                                       \
  }
#define TN_KERNEL(CB, NJ)                                                                          \
  INLINE void tn_##CB##_##NJ(const float* a, int lda, const float* b, int ldb, int pixels,        \
                             float* out, int osa, int osb) {                                       \
    const int cb = CB, nj = NJ;                                                                    \
    const f4 z = wasm_f32x4_splat(0.0f);                                                           \
    for (int p0 = 0; p0 < pixels; p0 += TN_BLOCK) {                                                \
      const int p1 = pixels - p0 < TN_BLOCK ? pixels : p0 + TN_BLOCK;                              \
      f4 s00 = z, s01 = z, s02 = z, s03 = z, s10 = z, s11 = z, s12 = z, s13 = z;                   \
      const float* ap = a + p0 * lda;                                                              \
      const float* bp = b + p0 * ldb;                                                              \
      for (int p = p0; p < p1; p++, ap += lda, bp += ldb) {                                        \
        const f4 a0 = ld(ap), a1 = CB > 1 ? ld(ap + 4) : z;                                        \
        TN_COLUMN(0) TN_COLUMN(1) TN_COLUMN(2) TN_COLUMN(3)                                        \
      }                                                                                            \
      TN_ADD(s00, 0, 0)                                                                            \
      if (NJ > 1) TN_ADD(s01, 0, 1)                                                                \
      if (NJ > 2) TN_ADD(s02, 0, 2)                                                                \
      if (NJ > 3) TN_ADD(s03, 0, 3)                                                                \
      if (CB > 1) {                                                                                \
        TN_ADD(s10, 1, 0)                                                                          \
        if (NJ > 1) TN_ADD(s11, 1, 1)                                                              \
        if (NJ > 2) TN_ADD(s12, 1, 2)                                                              \
        if (NJ > 3) TN_ADD(s13, 1, 3)                                                              \
      }                                                                                            \
    }                                                                                              \
  }
TN_KERNEL(1, 1) TN_KERNEL(1, 2) TN_KERNEL(1, 3) TN_KERNEL(1, 4)
TN_KERNEL(2, 1) TN_KERNEL(2, 2) TN_KERNEL(2, 3) TN_KERNEL(2, 4)

EXPORT(conv1x1_filter_grad)
void conv1x1_filter_grad(const float* a, int lda, int na, const float* b, int ldb, int nb,
                         int pixels, float* out, int osa, int osb) {
  for (int i = 0; i < na; i++)
    for (int j = 0; j < nb; j++) out[i * osa + j * osb] = 0.0f;
  for (int i0 = 0; i0 < na; i0 += 8) {
    const int cb = na - i0 >= 8 ? 2 : 1;
    for (int j0 = 0; j0 < nb; j0 += 4) {
      const int nj = nb - j0 < 4 ? nb - j0 : 4;
      const float* ai = a + i0;
      const float* bj = b + j0;
      float* o = out + i0 * osa + j0 * osb;
      switch (cb * 4 + nj) {
        case 5: tn_1_1(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        case 6: tn_1_2(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        case 7: tn_1_3(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        case 8: tn_1_4(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        case 9: tn_2_1(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        case 10: tn_2_2(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        case 11: tn_2_3(ai, lda, bj, ldb, pixels, o, osa, osb); break;
        default: tn_2_4(ai, lda, bj, ldb, pixels, o, osa, osb); break;
      }
    }
  }
}
