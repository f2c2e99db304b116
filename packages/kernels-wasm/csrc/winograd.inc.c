/* Part of csrc/train_kernels.c (included there; not compiled alone): Winograd convolution for
 * stride-1 correlations with r x r filters, F(2x2, r x r), r = 2 (the 2x2-tap phases of
 * Conv2DBackpropInput: ConvTranspose(4, 2, 1) is four of them) or r = 3 (3x3 convolutions).
 *
 * One 2x2 output tile from an a x a input patch d (a = r + 1) and an r x r filter g, per (input,
 * output) channel pair: Y = A^T [(G g G^T) . (B^T d B)] A, with
 *   r = 2 (points 0, 1, infinity): B^T = [1 -1 0; 0 1 0; 0 -1 1], G = [1 0; 1 1; 0 1],
 *          A^T = [1 1 0; 0 1 1]: 9 products instead of 16 (1.78x fewer);
 *   r = 3 (points 0, 1, -1, infinity; Lavin & Gray): B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
 *          G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1]: 16 instead of 36 (2.25x).
 * Every coefficient is +-1 or +-0.5, so the transforms add only a few roundings.
 *
 * F(4x4, 2x2) (points 0, 1, -1, 2, infinity; a = 5): 25 products per 4x4 output tile instead of 64
 * (2.56x fewer; 1.44x fewer than F(2x2, 2x2)), for large enough outputs (a tile past the edge
 * computes products for nothing):
 *   B^T = [2 -1 -2 1 0; 0 -2 -1 1 0; 0 2 -3 1 0; 0 -1 0 1 0; 0 2 -1 -2 1],
 *   G = [1/2 0; -1/2 -1/2; -1/6 1/6; 1/6 1/3; 0 1], A^T = [1 1 1 1 0; 0 1 -1 2 0; 0 1 1 4 0; 0 1 -1 8 1].
 * F(4x4, 3x3) (points 0, 1, -1, 2, -2, infinity; a = 6; Lavin & Gray): 36 products per 4x4 output
 * tile instead of 144 (4x fewer; 1.78x fewer than F(2x2, 3x3)):
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
 *   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
 * The channel
 * contraction becomes a * a GEMMs, V[xi] (tiles x cin) * U[xi] (cin x cout), on the conv
 * micro-kernel.
 *
 * A stride-s convolution with an (s r) x (s r) filter is the sum of s * s stride-1 r x r
 * correlations, one per input phase (py, px): phase py reads rows s m + py of x with the taps
 * ky = ky0 + s k (ky0 = (py + pt) mod s, the first tap of that phase). The sum is taken inside the
 * GEMMs: a tile's transformed patches of the s * s phases sit side by side as one row of
 * K = s * s * cin values, against the phases' transformed filters stacked the same way. This is
 * how the input gradient of ConvTranspose(4, 2, 1) (a 4x4 stride-2 Conv2D) runs: 36 products per
 * 2x2 output tile and channel pair instead of 64. */

/* Per-tile transforms and the cold filter packing are calls, not inlined copies: the module
 * stays ~14 KB smaller, at the cost of a call per tile. */
#define NOINLINE static __attribute__((noinline))

/* Row a of G (F(m x m, r x r): m = 2 with r = 2 or 3, m = 4 with r = 2 or 3) at column k. */
NOINLINE float winograd_g(int m, int r, int a, int k) {
  if (m == 4 && r == 3) {
    if (a == 0) return k == 0 ? 0.25f : 0.0f;
    if (a == 5) return k == 2 ? 1.0f : 0.0f;
    if (a == 1 || a == 2) return a == 2 && k == 1 ? 1.0f / 6.0f : -1.0f / 6.0f;
    if (k == 1) return a == 3 ? 1.0f / 12.0f : -1.0f / 12.0f;
    return k == 0 ? 1.0f / 24.0f : 1.0f / 6.0f;
  }
  if (m == 4) {
    if (a == 0) return k == 0 ? 0.5f : 0.0f;
    if (a == 1) return -0.5f;
    if (a == 2) return k == 0 ? -1.0f / 6.0f : 1.0f / 6.0f;
    if (a == 3) return k == 0 ? 1.0f / 6.0f : 1.0f / 3.0f;
    return k == 1 ? 1.0f : 0.0f;
  }
  if (r == 2) return (a == 0 && k == 0) || a == 1 || (a == 2 && k == 1) ? 1.0f : 0.0f;
  if (a == 0) return k == 0 ? 1.0f : 0.0f;
  if (a == 3) return k == 2 ? 1.0f : 0.0f;
  return a == 2 && k == 1 ? -0.5f : 0.5f;
}

/* U[xi][p][q][j] = (G g G^T)[xi / a][xi % a] for row q = phase * cin + c of K = phases * cin and
 * output channel 8p + j (zero past cout), g[k][l] = src[taps[r * k + l] + c * in_stride +
 * n * out_stride] with taps = tap_offsets + phase * r * r. */
EXPORT(winograd_pack_filter)
void winograd_pack_filter(const float* src, float* packed, const int* tap_offsets, int m, int r, int phases,
                          int cin, int cout, int in_stride, int out_stride) {
  const int panels = (cout + 7) / 8;
  const int alpha = m + r - 1;
  const int k_total = phases * cin;
  /* Cold (once per weight tensor): kept as loops, unrolled it was a tenth of the module. */
#pragma clang loop unroll(disable) vectorize(disable)
  for (int xi = 0; xi < alpha * alpha; xi++) {
    const int a = xi / alpha, b = xi - (xi / alpha) * alpha;
    float* dst = packed + xi * panels * k_total * 8;
#pragma clang loop unroll(disable) vectorize(disable)
    for (int p = 0; p < panels; p++) {
#pragma clang loop unroll(disable) vectorize(disable)
      for (int q = 0; q < k_total; q++) {
        const int phase = q / cin, c = q - phase * cin;
        const int* taps = tap_offsets + phase * r * r;
#pragma clang loop unroll(disable) vectorize(disable)
        for (int j = 0; j < 8; j++) {
          const int n = p * 8 + j;
          float v = 0.0f;
          if (n < cout) {
            const int at = c * in_stride + n * out_stride;
#pragma clang loop unroll(disable)
            for (int k = 0; k < r; k++) {
              const float gk = winograd_g(m, r, a, k);
              if (gk == 0.0f) continue;
#pragma clang loop unroll(disable)
              for (int l = 0; l < r; l++) {
                const float gl = winograd_g(m, r, b, l);
                if (gl != 0.0f) v += gk * gl * src[taps[r * k + l] + at];
              }
            }
          }
          *dst++ = v;
        }
      }
    }
  }
}

/* The input patch's rows: x's pixel (b, iy, ix), or the zero row outside the image. */
INLINE const float* patch_row(const float* x, const float* zero, int b, int iy, int ix, int h, int w,
                              int cin) {
  return (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x + ((b * h + iy) * w + ix) * cin : zero;
}

/* F(2x2, 2x2) input transform of one tile whose patch rows and columns are `step` pixels apart:
 * V[xi] at vi + xi * xs, xi = 3a + b. */
NOINLINE void winograd_input_r2(const float* x, const float* zero, int b, int iy, int ix, int step, int h, int w,
                              int cin, float* vi, int xs) {
  const int y1 = iy + step, y2 = iy + 2 * step, x1 = ix + step, x2 = ix + 2 * step;
  const float* p00 = patch_row(x, zero, b, iy, ix, h, w, cin);
  const float* p01 = patch_row(x, zero, b, iy, x1, h, w, cin);
  const float* p02 = patch_row(x, zero, b, iy, x2, h, w, cin);
  const float* p10 = patch_row(x, zero, b, y1, ix, h, w, cin);
  const float* p11 = patch_row(x, zero, b, y1, x1, h, w, cin);
  const float* p12 = patch_row(x, zero, b, y1, x2, h, w, cin);
  const float* p20 = patch_row(x, zero, b, y2, ix, h, w, cin);
  const float* p21 = patch_row(x, zero, b, y2, x1, h, w, cin);
  const float* p22 = patch_row(x, zero, b, y2, x2, h, w, cin);
  for (int c = 0; c < cin; c += 4) {
    const f4 d10 = ld(p10 + c), d11 = ld(p11 + c), d12 = ld(p12 + c);
    /* rows: e0 = d0 - d1, e1 = d1, e2 = d2 - d1 */
    const f4 e00 = wasm_f32x4_sub(ld(p00 + c), d10), e01 = wasm_f32x4_sub(ld(p01 + c), d11);
    const f4 e02 = wasm_f32x4_sub(ld(p02 + c), d12);
    const f4 e20 = wasm_f32x4_sub(ld(p20 + c), d10), e21 = wasm_f32x4_sub(ld(p21 + c), d11);
    const f4 e22 = wasm_f32x4_sub(ld(p22 + c), d12);
    /* columns: v?0 = e?0 - e?1, v?1 = e?1, v?2 = e?2 - e?1 */
    st(vi + c, wasm_f32x4_sub(e00, e01));
    st(vi + xs + c, e01);
    st(vi + 2 * xs + c, wasm_f32x4_sub(e02, e01));
    st(vi + 3 * xs + c, wasm_f32x4_sub(d10, d11));
    st(vi + 4 * xs + c, d11);
    st(vi + 5 * xs + c, wasm_f32x4_sub(d12, d11));
    st(vi + 6 * xs + c, wasm_f32x4_sub(e20, e21));
    st(vi + 7 * xs + c, e21);
    st(vi + 8 * xs + c, wasm_f32x4_sub(e22, e21));
  }
}

/* B^T of F(2, 3) on four values: d0 - d2, d1 + d2, d2 - d1, d1 - d3, stored `step` floats apart. */
INLINE void winograd_bt4_store(f4 d0, f4 d1, f4 d2, f4 d3, float* v, int step) {
  st(v, wasm_f32x4_sub(d0, d2));
  st(v + step, wasm_f32x4_add(d1, d2));
  st(v + 2 * step, wasm_f32x4_sub(d2, d1));
  st(v + 3 * step, wasm_f32x4_sub(d1, d3));
}

/* F(2x2, 3x3) input transform of one tile whose patch rows and columns are `step` pixels apart:
 * V[xi] at vi + xi * xs, xi = 4a + b. First each patch row k along its columns into slots
 * 4k .. 4k + 3, then each column l of slots (l, 4 + l, 8 + l, 12 + l) in place. */
NOINLINE void winograd_input_r3(const float* x, const float* zero, int b, int iy, int ix, int step, int h, int w,
                              int cin, float* vi, int xs) {
  for (int k = 0; k < 4; k++) {
    const int y = iy + k * step;
    const float* q0 = patch_row(x, zero, b, y, ix, h, w, cin);
    const float* q1 = patch_row(x, zero, b, y, ix + step, h, w, cin);
    const float* q2 = patch_row(x, zero, b, y, ix + 2 * step, h, w, cin);
    const float* q3 = patch_row(x, zero, b, y, ix + 3 * step, h, w, cin);
    for (int c = 0; c < cin; c += 4)
      winograd_bt4_store(ld(q0 + c), ld(q1 + c), ld(q2 + c), ld(q3 + c), vi + 4 * k * xs + c, xs);
  }
  for (int l = 0; l < 4; l++) {
    float* col = vi + l * xs;
    for (int c = 0; c < cin; c += 4)
      winograd_bt4_store(ld(col + c), ld(col + 4 * xs + c), ld(col + 8 * xs + c), ld(col + 12 * xs + c), col + c,
                         4 * xs);
  }
}

/* A^T of F(2, 3) on four values: (m0 + m1 + m2, m1 - m2 - m3). */
INLINE f4 winograd_at0(f4 m0, f4 m1, f4 m2) { return wasm_f32x4_add(wasm_f32x4_add(m0, m1), m2); }
INLINE f4 winograd_at1(f4 m1, f4 m2, f4 m3) { return wasm_f32x4_sub(wasm_f32x4_sub(m1, m2), m3); }
INLINE float winograd_at0s(float m0, float m1, float m2) { return m0 + m1 + m2; }
INLINE float winograd_at1s(float m1, float m2, float m3) { return m1 - m2 - m3; }

/* Output transform of one tile: Y = A^T M A (+ bias) for the products at mi (xi-th at mi + xi * xs),
 * written to y00, y01, y10, y11 (null where the pixel is outside the image). */
NOINLINE void winograd_output(const float* mi, int xs, const float* bias, int r, int cout, float* y00,
                              float* y01, float* y10, float* y11) {
  const f4 zero4 = wasm_f32x4_splat(0.0f);
  int k = 0;
  for (; k + 4 <= cout; k += 4) {
    const f4 bk = bias ? ld(bias + k) : zero4;
    f4 y0a, y0b, y1a, y1b;
    if (r == 2) {
      /* rows: n0 = m0 + m1, n1 = m1 + m2 (of the 3 x 3 products); then the same on columns */
      const f4 m0 = ld(mi + k), m1 = ld(mi + xs + k), m2 = ld(mi + 2 * xs + k);
      const f4 m3 = ld(mi + 3 * xs + k), m4 = ld(mi + 4 * xs + k), m5 = ld(mi + 5 * xs + k);
      const f4 m6 = ld(mi + 6 * xs + k), m7 = ld(mi + 7 * xs + k), m8 = ld(mi + 8 * xs + k);
      const f4 n00 = wasm_f32x4_add(m0, m3), n01 = wasm_f32x4_add(m1, m4), n02 = wasm_f32x4_add(m2, m5);
      const f4 n10 = wasm_f32x4_add(m3, m6), n11 = wasm_f32x4_add(m4, m7), n12 = wasm_f32x4_add(m5, m8);
      y0a = wasm_f32x4_add(n00, n01);
      y0b = wasm_f32x4_add(n01, n02);
      y1a = wasm_f32x4_add(n10, n11);
      y1b = wasm_f32x4_add(n11, n12);
    } else {
      /* rows of the 4 x 4 products per column l: n0l = A^T row 0, n1l = A^T row 1; then columns */
#define M4(s) ld(mi + (s) * xs + k)
      const f4 n00 = winograd_at0(M4(0), M4(4), M4(8)), n10 = winograd_at1(M4(4), M4(8), M4(12));
      const f4 n01 = winograd_at0(M4(1), M4(5), M4(9)), n11 = winograd_at1(M4(5), M4(9), M4(13));
      const f4 n02 = winograd_at0(M4(2), M4(6), M4(10)), n12 = winograd_at1(M4(6), M4(10), M4(14));
      const f4 n03 = winograd_at0(M4(3), M4(7), M4(11)), n13 = winograd_at1(M4(7), M4(11), M4(15));
#undef M4
      y0a = winograd_at0(n00, n01, n02);
      y0b = winograd_at1(n01, n02, n03);
      y1a = winograd_at0(n10, n11, n12);
      y1b = winograd_at1(n11, n12, n13);
    }
    st(y00 + k, wasm_f32x4_add(y0a, bk));
    if (y01) st(y01 + k, wasm_f32x4_add(y0b, bk));
    if (y10) st(y10 + k, wasm_f32x4_add(y1a, bk));
    if (y11) st(y11 + k, wasm_f32x4_add(y1b, bk));
  }
  for (; k < cout; k++) {
    const float bk = bias ? bias[k] : 0.0f;
    float y0a, y0b, y1a, y1b;
#define M1(s) mi[(s) * xs + k]
    if (r == 2) {
      const float n00 = M1(0) + M1(3), n01 = M1(1) + M1(4), n02 = M1(2) + M1(5);
      const float n10 = M1(3) + M1(6), n11 = M1(4) + M1(7), n12 = M1(5) + M1(8);
      y0a = n00 + n01;
      y0b = n01 + n02;
      y1a = n10 + n11;
      y1b = n11 + n12;
    } else {
      const float n00 = winograd_at0s(M1(0), M1(4), M1(8)), n10 = winograd_at1s(M1(4), M1(8), M1(12));
      const float n01 = winograd_at0s(M1(1), M1(5), M1(9)), n11 = winograd_at1s(M1(5), M1(9), M1(13));
      const float n02 = winograd_at0s(M1(2), M1(6), M1(10)), n12 = winograd_at1s(M1(6), M1(10), M1(14));
      const float n03 = winograd_at0s(M1(3), M1(7), M1(11)), n13 = winograd_at1s(M1(7), M1(11), M1(15));
      y0a = winograd_at0s(n00, n01, n02);
      y0b = winograd_at1s(n01, n02, n03);
      y1a = winograd_at0s(n10, n11, n12);
      y1b = winograd_at1s(n11, n12, n13);
    }
#undef M1
    y00[k] = y0a + bk;
    if (y01) y01[k] = y0b + bk;
    if (y10) y10[k] = y1a + bk;
    if (y11) y11[k] = y1b + bk;
  }
}

/* B^T of F(4, 2) on five values, stored `step` floats apart. */
INLINE void winograd_bt5_store(f4 d0, f4 d1, f4 d2, f4 d3, f4 d4, float* v, int step) {
  const f4 two = wasm_f32x4_splat(2.0f);
  const f4 d31 = wasm_f32x4_sub(d3, d1);
  st(v, wasm_f32x4_add(wasm_f32x4_mul(two, wasm_f32x4_sub(d0, d2)), d31)); /* 2 d0 - d1 - 2 d2 + d3 */
  st(v + step, wasm_f32x4_sub(d31, wasm_f32x4_add(d1, d2)));                /* -2 d1 - d2 + d3 */
  st(v + 2 * step, wasm_f32x4_add(wasm_f32x4_mul(two, wasm_f32x4_sub(d1, d2)), wasm_f32x4_sub(d3, d2)));
  st(v + 3 * step, d31); /* -d1 + d3 */
  st(v + 4 * step, wasm_f32x4_add(wasm_f32x4_mul(two, wasm_f32x4_sub(d1, d3)), wasm_f32x4_sub(d4, d2)));
}

/* B^T of F(4, 3) on six values, stored `step` floats apart. */
INLINE void winograd_bt6_store(f4 d0, f4 d1, f4 d2, f4 d3, f4 d4, f4 d5, float* v, int step) {
  const f4 four = wasm_f32x4_splat(4.0f), five = wasm_f32x4_splat(5.0f), two = wasm_f32x4_splat(2.0f);
  const f4 s34 = wasm_f32x4_add(d3, d4), d43 = wasm_f32x4_sub(d4, d3);
  const f4 s12 = wasm_f32x4_add(d1, d2), d12 = wasm_f32x4_sub(d1, d2);
  const f4 d42 = wasm_f32x4_sub(d4, d2), d31 = wasm_f32x4_mul(two, wasm_f32x4_sub(d3, d1));
  st(v, wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(four, d0), wasm_f32x4_mul(five, d2)), d4));
  st(v + step, wasm_f32x4_sub(s34, wasm_f32x4_mul(four, s12)));     /* -4 d1 - 4 d2 + d3 + d4 */
  st(v + 2 * step, wasm_f32x4_add(d43, wasm_f32x4_mul(four, d12))); /* 4 d1 - 4 d2 - d3 + d4 */
  st(v + 3 * step, wasm_f32x4_add(d42, d31));                       /* -2 d1 - d2 + 2 d3 + d4 */
  st(v + 4 * step, wasm_f32x4_sub(d42, d31));                       /* 2 d1 - d2 - 2 d3 + d4 */
  st(v + 5 * step, wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(four, d1), wasm_f32x4_mul(five, d3)), d5));
}

/* F(4x4, r x r) input transform of one tile (a = r + 3 patch rows and columns, `step` pixels
 * apart): V[xi] at vi + xi * xs, xi = a * k + l; rows first into slots a k .. a k + a - 1, then each
 * column in place. The per-channel loops are B^T of F(4, 2) or F(4, 3), chosen outside them. */
NOINLINE void winograd_input_m4(const float* x, const float* zero, int b, int iy, int ix, int step, int h, int w,
                                int r, int cin, float* vi, int xs) {
  const int a = r + 3;
#pragma clang loop unroll(disable)
  for (int k = 0; k < a; k++) {
    const int y = iy + k * step;
    /* Six named pointers, not an array: the module has no stack. */
    const float* q0 = patch_row(x, zero, b, y, ix, h, w, cin);
    const float* q1 = patch_row(x, zero, b, y, ix + step, h, w, cin);
    const float* q2 = patch_row(x, zero, b, y, ix + 2 * step, h, w, cin);
    const float* q3 = patch_row(x, zero, b, y, ix + 3 * step, h, w, cin);
    const float* q4 = patch_row(x, zero, b, y, ix + 4 * step, h, w, cin);
    float* row = vi + a * k * xs;
    if (r == 2) {
      for (int c = 0; c < cin; c += 4)
        winograd_bt5_store(ld(q0 + c), ld(q1 + c), ld(q2 + c), ld(q3 + c), ld(q4 + c), row + c, xs);
    } else {
      const float* q5 = patch_row(x, zero, b, y, ix + 5 * step, h, w, cin);
      for (int c = 0; c < cin; c += 4)
        winograd_bt6_store(ld(q0 + c), ld(q1 + c), ld(q2 + c), ld(q3 + c), ld(q4 + c), ld(q5 + c), row + c, xs);
    }
  }
#pragma clang loop unroll(disable)
  for (int l = 0; l < a; l++) {
    float* col = vi + l * xs;
    const int s = a * xs;
    if (r == 2) {
      for (int c = 0; c < cin; c += 4)
        winograd_bt5_store(ld(col + c), ld(col + s + c), ld(col + 2 * s + c), ld(col + 3 * s + c), ld(col + 4 * s + c),
                           col + c, s);
    } else {
      for (int c = 0; c < cin; c += 4)
        winograd_bt6_store(ld(col + c), ld(col + s + c), ld(col + 2 * s + c), ld(col + 3 * s + c), ld(col + 4 * s + c),
                           ld(col + 5 * s + c), col + c, s);
    }
  }
}

/* A^T of F(4, 3) on six values at p, p + step, ..., written to q, q + qstep, ... (four). */
INLINE void winograd_at6(const float* p, int step, float* q, int qstep) {
  const f4 m0 = ld(p), m1 = ld(p + step), m2 = ld(p + 2 * step), m3 = ld(p + 3 * step), m4 = ld(p + 4 * step);
  const f4 m5 = ld(p + 5 * step);
  const f4 s12 = wasm_f32x4_add(m1, m2), d12 = wasm_f32x4_sub(m1, m2);
  const f4 s34 = wasm_f32x4_add(m3, m4), d34 = wasm_f32x4_sub(m3, m4);
  const f4 two34 = wasm_f32x4_add(d34, d34), four34 = wasm_f32x4_add(s34, s34);
  st(q, wasm_f32x4_add(wasm_f32x4_add(m0, s12), s34));
  st(q + qstep, wasm_f32x4_add(d12, two34));
  st(q + 2 * qstep, wasm_f32x4_add(s12, wasm_f32x4_add(four34, four34)));
  st(q + 3 * qstep, wasm_f32x4_add(wasm_f32x4_add(d12, wasm_f32x4_mul(wasm_f32x4_splat(4.0f), two34)), m5));
}

/* A^T of F(4, 2) on five values at p, p + step, ..., written to q, q + qstep, ... (four). */
INLINE void winograd_at5(const float* p, int step, float* q, int qstep) {
  const f4 m0 = ld(p), m1 = ld(p + step), m2 = ld(p + 2 * step), m3 = ld(p + 3 * step), m4 = ld(p + 4 * step);
  const f4 s12 = wasm_f32x4_add(m1, m2), d12 = wasm_f32x4_sub(m1, m2);
  const f4 two3 = wasm_f32x4_add(m3, m3), four3 = wasm_f32x4_add(two3, two3);
  st(q, wasm_f32x4_add(wasm_f32x4_add(m0, s12), m3));
  st(q + qstep, wasm_f32x4_add(d12, two3));
  st(q + 2 * qstep, wasm_f32x4_add(s12, four3));
  st(q + 3 * qstep, wasm_f32x4_add(wasm_f32x4_add(d12, wasm_f32x4_add(four3, four3)), m4));
}

/* F(4x4, r x r) output transform of one tile (a = r + 3 products a side): Y = A^T M A (+ bias) for
 * the products at mi (xi-th at mi + xi * xs; channels read in fours, past cout up to the panel's
 * zeros), rows of the 4 x 4 outputs at y + i * row_step + j * col_step, rows < rows_in and columns
 * < cols_in written. The column pass overwrites M's first four rows of products (each is read once). */
NOINLINE void winograd_output_m4(float* mi, int xs, const float* bias, int r, int cout, float* y, int row_step,
                                 int col_step, int rows_in, int cols_in) {
  const int a = r + 3;
  for (int k = 0; k < cout; k += 4) {
#pragma clang loop unroll(disable)
    for (int b = 0; b < a; b++) {
      if (r == 2) winograd_at5(mi + b * xs + k, 5 * xs, mi + b * xs + k, 5 * xs);
      else winograd_at6(mi + b * xs + k, 6 * xs, mi + b * xs + k, 6 * xs);
    }
    const f4 bk = bias ? ld(bias + k) : wasm_f32x4_splat(0.0f);
#pragma clang loop unroll(disable)
    for (int i = 0; i < rows_in; i++) {
      float* row = mi + a * i * xs + k;
      /* A^T along the row, written back over its first four products, then stored with the bias. */
      if (r == 2) winograd_at5(row, xs, row, xs);
      else winograd_at6(row, xs, row, xs);
      for (int j = 0; j < cols_in; j++) {
        const f4 v = wasm_f32x4_add(ld(row + j * xs), bk);
        float* o = y + i * row_step + j * col_step + k;
        if (k + 4 <= cout) {
          st(o, v);
        } else {
          o[0] = wasm_f32x4_extract_lane(v, 0);
          if (k + 1 < cout) o[1] = wasm_f32x4_extract_lane(v, 1);
          if (k + 2 < cout) o[2] = wasm_f32x4_extract_lane(v, 2);
        }
      }
    }
  }
}

/*
 * out = bias + the stride-s (s r) x (s r) convolution of x [batch][h][w][cin] (padding pt / pl,
 * zero outside; s = 1: a plain r x r correlation) with the filter winograd_pack_filter packed for
 * s * s phases and m x m output tiles (m = 2 or 4), for output tiles
 * [t_begin, t_end) of batch * ceil(oh / m) * ceil(ow / m); output
 * pixel (b, oy, ox) goes to out + ((b * out_h + oy * osy + oqy) * out_w + ox * osx + oqx) * ldo,
 * as in conv2d_forward. cin must be a multiple of 4; bias (optional, 0) is packed like
 * conv2d_forward's. scratch: a * a * (tb * (s * s * cin + 8 * panels) + 2 * WINOGRAD_SLOT_PAD)
 * floats (the transformed inputs V and the products M of a block of tb tiles); ind: a * a * tb
 * pointers; zero: cin zero floats.
 */
#define WINOGRAD_SLOT_PAD 8
EXPORT(winograd_conv)
void winograd_conv(const float* x, const float* upacked, const float* bias, float* out, float* scratch,
                   const float** ind, const float* zero, int m, int r, int s, int tb, int h, int w, int cin, int oh,
                   int ow, int cout, int pt, int pl, int out_h, int out_w, int osy, int osx, int oqy, int oqx,
                   int ldo, int t_begin, int t_end) {
  const int panels = (cout + 7) / 8;
  const int ldm = panels * 8;
  const int alpha = m + r - 1, nxi = alpha * alpha;
  const int phases = s * s, k_total = phases * cin;
  const int tiles_y = (oh + m - 1) / m, tiles_x = (ow + m - 1) / m;
  float* v = scratch;
  /* Slot strides padded by WINOGRAD_SLOT_PAD floats: power-of-two strides put a tile's a * a
   * slots in one L1 set (4 KB apart), which the transforms' loads and stores then thrash. */
  const int vs = tb * k_total + WINOGRAD_SLOT_PAD, ms = tb * ldm + WINOGRAD_SLOT_PAD;
  float* prods = scratch + nxi * vs;
  for (int xi = 0; xi < nxi; xi++)
    for (int i = 0; i < tb; i++) ind[xi * tb + i] = v + xi * vs + i * k_total;
  const f4 zero4 = wasm_f32x4_splat(0.0f);
  for (int t0 = t_begin; t0 < t_end; t0 += tb) {
    const int mb = t_end - t0 < tb ? t_end - t0 : tb;
    /* Input transform: V[xi][i][phase * cin + c] = (B^T d B)[xi / a][xi % a], d the phase's patch:
     * rows s (2 ty + k) + ky0 - pt, ky0 = (py + pt) mod s (the same for columns). */
    for (int i = 0; i < mb; i++) {
      const int t = t0 + i;
      const int tx = t % tiles_x, rest = t / tiles_x;
      const int ty = rest % tiles_y, b = rest / tiles_y;
      for (int py = 0; py < s; py++) {
        const int iy = s * m * ty + (py + pt) % s - pt;
        for (int px = 0; px < s; px++) {
          const int ix = s * m * tx + (px + pl) % s - pl;
          float* vi = v + i * k_total + (py * s + px) * cin;
          if (m == 4) winograd_input_m4(x, zero, b, iy, ix, s, h, w, r, cin, vi, vs);
          else if (r == 2) winograd_input_r2(x, zero, b, iy, ix, s, h, w, cin, vi, vs);
          else winograd_input_r3(x, zero, b, iy, ix, s, h, w, cin, vi, vs);
        }
      }
    }
    /* The GEMMs M[xi] = V[xi] U[xi], 4 x 8 tiles (panel outer: its cin x 8 floats stay in L1). */
    for (int xi = 0; xi < nxi; xi++) {
      const float* const* rows = ind + xi * tb;
      float* mx = prods + xi * ms;
      for (int p = 0; p < panels; p++) {
        const float* wp = upacked + (xi * panels + p) * k_total * 8;
        for (int i = 0; i < mb; i += 4) {
          const float* const* r0 = rows + i;
          float* o0 = mx + i * ldm + p * 8;
          conv_tile(r0, i + 1 < mb ? r0 + 1 : r0, i + 2 < mb ? r0 + 2 : r0, i + 3 < mb ? r0 + 3 : r0, wp, 1,
                    k_total, zero4, zero4, o0, i + 1 < mb ? o0 + ldm : 0, i + 2 < mb ? o0 + 2 * ldm : 0,
                    i + 3 < mb ? o0 + 3 * ldm : 0, 8);
        }
      }
    }
    /* Output transform: Y = A^T M A (+ bias), written through the output map (odd sizes: the last
     * row or column of tiles is half outside). */
    for (int i = 0; i < mb; i++) {
      const int t = t0 + i;
      const int tx = t % tiles_x, rest = t / tiles_x;
      const int ty = rest % tiles_y, b = rest / tiles_y;
      const int oy = m * ty, ox = m * tx;
      float* y00 = out + ((b * out_h + oy * osy + oqy) * out_w + ox * osx + oqx) * ldo;
      if (m == 4) {
        winograd_output_m4(prods + i * ldm, ms, bias, r, cout, y00, osy * out_w * ldo, osx * ldo,
                           oh - oy < 4 ? oh - oy : 4, ow - ox < 4 ? ow - ox : 4);
        continue;
      }
      const int has_y1 = oy + 1 < oh, has_x1 = ox + 1 < ow;
      float* y10 = out + ((b * out_h + (oy + 1) * osy + oqy) * out_w + ox * osx + oqx) * ldo;
      winograd_output(prods + i * ldm, ms, bias, r, cout, y00, has_x1 ? y00 + osx * ldo : 0,
                      has_y1 ? y10 : 0, has_y1 && has_x1 ? y10 + osx * ldo : 0);
    }
  }
}

/* (G g G^T) of F(2x2, 2x2) for a 2x2 tile of dy rows g00 .. g11 (cout floats each, a multiple of
 * 4): U[xi] at ui + xi * us, xi = 3a + b. */
NOINLINE void winograd_dy_tile_r2(const float* g00, const float* g01, const float* g10, const float* g11, float* ui,
                                  int us, int cout) {
  for (int n = 0; n < cout; n += 4) {
    const f4 a00 = ld(g00 + n), a01 = ld(g01 + n), a10 = ld(g10 + n), a11 = ld(g11 + n);
    /* rows: (g0, g0 + g1, g1); then the same along the columns */
    const f4 s0 = wasm_f32x4_add(a00, a10), s1 = wasm_f32x4_add(a01, a11);
    st(ui + n, a00);
    st(ui + us + n, wasm_f32x4_add(a00, a01));
    st(ui + 2 * us + n, a01);
    st(ui + 3 * us + n, s0);
    st(ui + 4 * us + n, wasm_f32x4_add(s0, s1));
    st(ui + 5 * us + n, s1);
    st(ui + 6 * us + n, a10);
    st(ui + 7 * us + n, wasm_f32x4_add(a10, a11));
    st(ui + 8 * us + n, a11);
  }
}

/*
 * Conv2DBackpropFilter of a stride-s (2s) x (2s) convolution (s = 2: ConvTranspose(4, 2, 1)'s
 * filter gradient; s = 1: a 2x2 filter) by Winograd F(2x2, 2x2) with the roles turned: per input
 * phase, the 2x2 taps of dW are the correlation of the phase's x with dy, so a 2x2 tile of dy is
 * the "filter" and the 3x3 patch of x under it the input:
 *   dW_phase[k][l][ci][co] = (A^T [sum over tiles of (B^T d B)[ci] (G g G^T)[co]] A)[k][l],
 * the sum a GEMM over tiles per transform point (9 of them), with the phases side by side in its
 * M dimension (rows phase * cin + ci). 9 products per tile and channel pair instead of 16.
 * dw: [kh][kw][cin][cout]; cin and cout multiples of 4. scratch: 9 * (tb * s * s * cin + tb * cout
 * + 2 * WINOGRAD_SLOT_PAD) + 9 * s * s * cin * cout floats; ind: tb pointers; zero: max(cin, cout)
 * zero floats.
 */
EXPORT(winograd_filter_grad)
void winograd_filter_grad(const float* x, const float* dy, float* dw, float* scratch, const float** ind,
                          const float* zero, int s, int tb, int batch, int h, int w, int cin, int oh, int ow,
                          int cout, int kw_n, int pt, int pl) {
  const int phases = s * s, k_total = phases * cin;
  const int vs = tb * k_total + WINOGRAD_SLOT_PAD, us = tb * cout + WINOGRAD_SLOT_PAD;
  float* v = scratch;
  float* u = v + 9 * vs;
  float* acc = u + 9 * us;
  __builtin_memset(acc, 0, (unsigned long)9 * k_total * cout * 4u);
  const int tiles_y = (oh + 1) / 2, tiles_x = (ow + 1) / 2;
  const int tiles = batch * tiles_y * tiles_x;
  for (int t0 = 0; t0 < tiles; t0 += tb) {
    const int mb = tiles - t0 < tb ? tiles - t0 : tb;
    for (int i = 0; i < mb; i++) {
      const int t = t0 + i;
      const int tx = t % tiles_x, rest = t / tiles_x;
      const int ty = rest % tiles_y, b = rest / tiles_y;
      for (int py = 0; py < s; py++) {
        const int iy = s * 2 * ty + (py + pt) % s - pt;
        for (int px = 0; px < s; px++) {
          const int ix = s * 2 * tx + (px + pl) % s - pl;
          winograd_input_r2(x, zero, b, iy, ix, s, h, w, cin, v + i * k_total + (py * s + px) * cin, vs);
        }
      }
      const int oy = 2 * ty, ox = 2 * tx;
      winograd_dy_tile_r2(patch_row(dy, zero, b, oy, ox, oh, ow, cout), patch_row(dy, zero, b, oy, ox + 1, oh, ow, cout),
                          patch_row(dy, zero, b, oy + 1, ox, oh, ow, cout),
                          patch_row(dy, zero, b, oy + 1, ox + 1, oh, ow, cout), u + i * cout, us, cout);
    }
    for (int xi = 0; xi < 9; xi++) {
      for (int i = 0; i < mb; i++) ind[i] = v + xi * vs + i * k_total;
      gemm_ind_tn(ind, k_total, u + xi * us, cout, cout, acc + xi * k_total * cout, cout, mb);
    }
  }
  /* Output transform A^T M A (A^T = [1 1 0; 0 1 1]) into the phase's taps of dW. */
  const int plane = k_total * cout;
  for (int q = 0; q < k_total; q++) {
    const int phase = q / cin, c = q - phase * cin;
    const int ky0 = (phase / s + pt) % s, kx0 = (phase % s + pl) % s;
    float* d00 = dw + ((ky0 * kw_n + kx0) * cin + c) * cout;
    const int down = s * kw_n * cin * cout, right = s * cin * cout;
    const float* mq = acc + q * cout;
    for (int n = 0; n < cout; n += 4) {
#define MW(i) ld(mq + (i) * plane + n)
      const f4 n00 = wasm_f32x4_add(MW(0), MW(3)), n01 = wasm_f32x4_add(MW(1), MW(4));
      const f4 n02 = wasm_f32x4_add(MW(2), MW(5)), n10 = wasm_f32x4_add(MW(3), MW(6));
      const f4 n11 = wasm_f32x4_add(MW(4), MW(7)), n12 = wasm_f32x4_add(MW(5), MW(8));
#undef MW
      st(d00 + n, wasm_f32x4_add(n00, n01));
      st(d00 + right + n, wasm_f32x4_add(n01, n02));
      st(d00 + down + n, wasm_f32x4_add(n10, n11));
      st(d00 + down + right + n, wasm_f32x4_add(n11, n12));
    }
  }
}
