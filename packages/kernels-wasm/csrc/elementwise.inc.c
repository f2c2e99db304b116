/* Part of csrc/train_kernels.c (included there; not compiled alone): exp/erf/GELU, reductions, broadcasts and the BatchNorm gradient. */

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

/* erf for GELU and its gradient: the odd-over-even rational minimax form XLA and Eigen use for float32,
 * on x clamped to [-4, 4] (beyond, erf is +-1 in float32); |error| <= 5e-7 (erf4: 1.5e-7), with
 * no exponential and one division, about half of erf4's work. NaN passes the clamp. The Erf kernel
 * keeps erf4 (tfjs's own formula, which its tests compare at 2.5e-7). */
INLINE f4 erf4_rational(f4 x) {
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, wasm_f32x4_splat(4.0f)), wasm_f32x4_splat(-4.0f));
  const f4 x2 = wasm_f32x4_mul(x, x);
  f4 p = madd4(x2, wasm_f32x4_splat(-2.72614225801306e-10f), wasm_f32x4_splat(2.77068142495902e-08f));
  p = madd4(x2, p, wasm_f32x4_splat(-2.10102402082508e-06f));
  p = madd4(x2, p, wasm_f32x4_splat(-5.69250639462346e-05f));
  p = madd4(x2, p, wasm_f32x4_splat(-7.34990630326855e-04f));
  p = madd4(x2, p, wasm_f32x4_splat(-2.95459980854025e-03f));
  p = madd4(x2, p, wasm_f32x4_splat(-1.60960333262415e-02f));
  f4 q = madd4(x2, wasm_f32x4_splat(-1.45660718464996e-05f), wasm_f32x4_splat(-2.13374055278905e-04f));
  q = madd4(x2, q, wasm_f32x4_splat(-1.68282697438203e-03f));
  q = madd4(x2, q, wasm_f32x4_splat(-7.37332916720468e-03f));
  q = madd4(x2, q, wasm_f32x4_splat(-1.42647390514189e-02f));
  return wasm_f32x4_div(wasm_f32x4_mul(x, p), q);
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

/* out[r][c] = x[r][c] * scale[c] + shift[c] (+ residual[r][c] when residual is given): a
 * convolution's bias, the inference BatchNorm after it and the block's residual add in one pass
 * (@wavemix/core's ChannelAffine). */
EXPORT(channel_affine)
void channel_affine(const float* x, const float* scale, const float* shift, const float* residual,
                    float* out, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    const float* rr = residual ? residual + r * cols : 0;
    float* orow = out + r * cols;
    int c = 0;
    if (rr) {
      for (; c + 4 <= cols; c += 4) {
        st(orow + c, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(ld(xr + c), ld(scale + c)), ld(shift + c)), ld(rr + c)));
      }
      for (; c < cols; c++) orow[c] = (xr[c] * scale[c] + shift[c]) + rr[c];
    } else {
      for (; c + 4 <= cols; c += 4) {
        st(orow + c, wasm_f32x4_add(wasm_f32x4_mul(ld(xr + c), ld(scale + c)), ld(shift + c)));
      }
      for (; c < cols; c++) orow[c] = xr[c] * scale[c] + shift[c];
    }
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

/* ---------------------------------------------------------------------------------------------
 * Training batch normalisation with the batch's own per-channel statistics (@wavemix/core's
 * BatchNormTraining): forward and gradient, each in two passes over the rows.
 * Column sums run in float over blocks of BN_BLOCK rows (SIMD adds into an L1-resident row) and
 * in double across blocks, so a 2^20-row batch sums as accurately as tfjs' float reductions.
 * ------------------------------------------------------------------------------------------- */
#define BN_BLOCK 16

/* sums[c] += sum over rows of v[r][c], v = x - center, squared if `squared`. With w given, v is
 * (x - center) * w and w_sums[c] += sum of w (the gradient's sums of dy (x - mean) and dy).
 * One copy, kept small (minsize, as the two kernels below: no unswitched or unrolled variants,
 * 8.8 KB more per module build otherwise): the passes are memory-bound, and the flags' branches
 * are the same for every row. */
__attribute__((noinline, minsize)) static void bn_column_sums(const float* x, const float* center, const float* w,
                                                              int squared, double* sums, double* w_sums,
                                                              float* block, float* w_block, int rows, int cols) {
  for (int r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const int r1 = r0 + BN_BLOCK < rows ? r0 + BN_BLOCK : rows;
    for (int c = 0; c < cols; c++) block[c] = 0.0f;
    if (w) {
      for (int c = 0; c < cols; c++) w_block[c] = 0.0f;
    }
    for (int r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      const float* wr = w ? w + r * cols : 0;
      int c = 0;
      for (; c + 4 <= cols; c += 4) {
        f4 v = wasm_f32x4_sub(ld(xr + c), ld(center + c));
        if (squared) v = wasm_f32x4_mul(v, v);
        if (w) {
          const f4 g = ld(wr + c);
          v = wasm_f32x4_mul(v, g);
          st(w_block + c, wasm_f32x4_add(ld(w_block + c), g));
        }
        st(block + c, wasm_f32x4_add(ld(block + c), v));
      }
      for (; c < cols; c++) {
        float v = xr[c] - center[c];
        if (squared) v *= v;
        if (w) {
          v *= wr[c];
          w_block[c] += wr[c];
        }
        block[c] += v;
      }
    }
    for (int c = 0; c < cols; c++) sums[c] += (double)block[c];
    if (w) {
      for (int c = 0; c < cols; c++) w_sums[c] += (double)w_block[c];
    }
  }
}

/*
 * Forward: mean = sum(x) / n, variance = sum((x - mean)^2) / n (biased, two passes, as tf.moments),
 * y = (x - mean) * scale / sqrt(variance + eps) + offset. Three reads of x, one write of y.
 * scratch: 3 * cols_even floats then cols doubles (cols_even = cols rounded up to even).
 */
EXPORT(batchnorm_train) __attribute__((minsize))
void batchnorm_train(const float* x, const float* scale, const float* offset, float* y, float* mean,
                     float* variance, float* scratch, int rows, int cols, float eps) {
  const int cols_even = (cols + 1) & ~1;
  float* center = scratch;
  float* block = scratch + cols_even;
  float* k = block + cols_even;
  double* sums = (double*)(k + cols_even);
  for (int c = 0; c < cols; c++) {
    center[c] = 0.0f;
    sums[c] = 0.0;
  }
  bn_column_sums(x, center, 0, 0, sums, 0, block, 0, rows, cols);
  for (int c = 0; c < cols; c++) {
    mean[c] = (float)(sums[c] / (double)rows);
    sums[c] = 0.0;
  }
  bn_column_sums(x, mean, 0, 1, sums, 0, block, 0, rows, cols);
  for (int c = 0; c < cols; c++) {
    variance[c] = (float)(sums[c] / (double)rows);
    k[c] = scale[c] / __builtin_sqrtf(variance[c] + eps);
  }
  affine_rows(x, mean, k, offset, y, rows, cols);
}

/*
 * Gradient of the forward above in x (through the batch statistics too), scale and offset, given
 * dy and the upstream gradients of the mean and variance outputs (zeros when only y is used).
 * With s = sum(dy), t = sum(dy (x - mean)), r = 1 / sqrt(variance + eps), k = scale r:
 *   dx = k dy + (x - mean) (2 dvariance - k r^2 t) / n + (dmean - k s) / n
 *   dscale = t r;  doffset = s
 * One pass for s and t, one for dx. grads receives 2 * cols floats: dscale, doffset.
 * scratch: 5 * cols_even floats then 2 * cols doubles.
 */
EXPORT(batchnorm_train_grad) __attribute__((minsize))
void batchnorm_train_grad(const float* x, const float* dy, const float* mean, const float* variance,
                          const float* scale, const float* dmean, const float* dvariance, float* dx,
                          float* grads, float* scratch, int rows, int cols, float eps) {
  const int cols_even = (cols + 1) & ~1;
  float* block = scratch;
  float* dy_block = block + cols_even;
  float* b = dy_block + cols_even;
  float* a = b + cols_even;
  float* c0 = a + cols_even;
  double* s_dyxm = (double*)(c0 + cols_even);
  double* s_dy = s_dyxm + cols;
  for (int c = 0; c < cols; c++) {
    s_dyxm[c] = 0.0;
    s_dy[c] = 0.0;
  }
  bn_column_sums(x, mean, dy, 0, s_dyxm, s_dy, block, dy_block, rows, cols);
  const double n = (double)rows;
  for (int c = 0; c < cols; c++) {
    const double r = 1.0 / __builtin_sqrt((double)variance[c] + (double)eps);
    const double k = (double)scale[c] * r;
    b[c] = (float)k;
    a[c] = (float)((2.0 * (double)dvariance[c] - k * r * r * s_dyxm[c]) / n);
    c0[c] = (float)(((double)dmean[c] - k * s_dy[c]) / n);
    grads[c] = (float)(s_dyxm[c] * r);
    grads[cols + c] = (float)s_dy[c];
  }
  for (int row = 0; row < rows; row++) {
    const float* xr = x + row * cols;
    const float* gr = dy + row * cols;
    float* dr = dx + row * cols;
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      const f4 xm = wasm_f32x4_sub(ld(xr + c), ld(mean + c));
      st(dr + c, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(ld(gr + c), ld(b + c)), wasm_f32x4_mul(xm, ld(a + c))),
                                ld(c0 + c)));
    }
    for (; c < cols; c++) dr[c] = gr[c] * b[c] + (xr[c] - mean[c]) * a[c] + c0[c];
  }
}

/* GELU, exact (erf) form: y = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2. */
EXPORT(gelu_f32) void gelu_f32(const float* x, float* y, int n) {
  const f4 half = wasm_f32x4_splat(0.5f), one = wasm_f32x4_splat(1.0f), rsqrt2 = wasm_f32x4_splat(0.70710678118654752f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const f4 v = ld(x + i);
    st(y + i, wasm_f32x4_mul(v, wasm_f32x4_mul(half, wasm_f32x4_add(one, erf4_rational(wasm_f32x4_mul(v, rsqrt2))))));
  }
  if (i < n) {
    const f4 v = load_partial(x + i, n - i);
    store_partial(y + i, wasm_f32x4_mul(v, wasm_f32x4_mul(half, wasm_f32x4_add(one, erf4_rational(wasm_f32x4_mul(v, rsqrt2))))), n - i);
  }
}

/* dx = dy * (Phi(x) + x * phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
INLINE f4 gelu_grad4(f4 v, f4 g) {
  const f4 phi_cdf = wasm_f32x4_mul(wasm_f32x4_splat(0.5f),
                                    wasm_f32x4_add(wasm_f32x4_splat(1.0f), erf4_rational(wasm_f32x4_mul(v, wasm_f32x4_splat(0.70710678118654752f)))));
  const f4 pdf = wasm_f32x4_mul(wasm_f32x4_splat(0.39894228040143268f),
                                exp4(wasm_f32x4_mul(wasm_f32x4_splat(-0.5f), wasm_f32x4_mul(v, v))));
  return wasm_f32x4_mul(g, wasm_f32x4_add(phi_cdf, wasm_f32x4_mul(v, pdf)));
}

EXPORT(gelu_grad_f32) void gelu_grad_f32(const float* x, const float* dy, float* dx, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(dx + i, gelu_grad4(ld(x + i), ld(dy + i)));
  if (i < n) store_partial(dx + i, gelu_grad4(load_partial(x + i, n - i), load_partial(dy + i, n - i)), n - i);
}

/* ---------------------------------------------------------------------------------------------
 * SeededDropout, the arithmetic of @wavemix/core's impl/seeded_dropout.ts: element i is kept
 * (times scale) when fmix32(i * 0x9e3779b9 ^ key) >= threshold, else multiplied by 0 (NaN stays
 * NaN); key = fmix32(seed). Four hashes per step in i32x4 lanes.
 * ------------------------------------------------------------------------------------------- */
INLINE unsigned fmix32(unsigned h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

EXPORT(seeded_dropout)
void seeded_dropout(const float* x, float* out, int n, unsigned key, unsigned threshold, float scale) {
  const v128_t golden = wasm_i32x4_splat((int)0x9e3779b9u);
  const v128_t key4 = wasm_i32x4_splat((int)key);
  const v128_t c1 = wasm_i32x4_splat((int)0x85ebca6bu), c2 = wasm_i32x4_splat((int)0xc2b2ae35u);
  const v128_t threshold4 = wasm_i32x4_splat((int)threshold);
  const f4 scale4 = wasm_f32x4_splat(scale);
  v128_t index = wasm_i32x4_make(0, 1, 2, 3);
  const v128_t four = wasm_i32x4_splat(4);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t h = wasm_v128_xor(wasm_i32x4_mul(index, golden), key4);
    h = wasm_i32x4_mul(wasm_v128_xor(h, wasm_u32x4_shr(h, 16)), c1);
    h = wasm_i32x4_mul(wasm_v128_xor(h, wasm_u32x4_shr(h, 13)), c2);
    h = wasm_v128_xor(h, wasm_u32x4_shr(h, 16));
    /* kept lanes are all ones: and-ing the scale's bits gives scale or +0 */
    const f4 factor = wasm_v128_and(wasm_u32x4_ge(h, threshold4), scale4);
    st(out + i, wasm_f32x4_mul(ld(x + i), factor));
    index = wasm_i32x4_add(index, four);
  }
  for (; i < n; i++) out[i] = x[i] * (fmix32((unsigned)i * 0x9e3779b9u ^ key) >= threshold ? scale : 0.0f);
}
