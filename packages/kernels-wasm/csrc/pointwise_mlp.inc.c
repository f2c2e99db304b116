/* Part of csrc/train_kernels.c (included there after elementwise.inc.c, whose erf4_rational it uses): the fused pointwise MLP. */

/* ---------------------------------------------------------------------------------------------
 * out[p] = b2 + gelu(b1 + x[p] W1) W2 for each pixel p (row of cin floats): a WaveMix feed-forward
 * unit's Conv1x1 -> GELU -> Conv1x1 at inference. Pixels go in tiles of `tile` rows; a tile's
 * hidden activations (tile x hidden, the 2x-wide intermediate) are written to `hid` and read back
 * while still in cache, instead of the whole batch's going through memory between three kernels.
 * Both products use the convolution's 4 x 8 register tile over packed panels ([n / 8][k][8],
 * zero-padded; biases [n / 8][8]), so `hid` rows are `hidden` rounded up to 8 floats.
 * ------------------------------------------------------------------------------------------- */

/* Accumulates 4 rows (a0..a3, k floats each) times the panel wp ([k][8]) into c0a..c3b. */
#define MLP_ACCUMULATE(k_n)                                             \
  for (int k = 0; k < (k_n); k++) {                                     \
    const f4 w0 = ld(wp), w1 = ld(wp + 4);                              \
    wp += 8;                                                            \
    const f4 x0 = splat(a0 + k), x1 = splat(a1 + k), x2 = splat(a2 + k), x3 = splat(a3 + k); \
    c0a = fma4(c0a, x0, w0); c0b = fma4(c0b, x0, w1);                   \
    c1a = fma4(c1a, x1, w0); c1b = fma4(c1b, x1, w1);                   \
    c2a = fma4(c2a, x2, w0); c2b = fma4(c2b, x2, w1);                   \
    c3a = fma4(c3a, x3, w0); c3b = fma4(c3b, x3, w1);                   \
  }

/* GELU, exact (erf) form: v * Phi(v), as gelu_f32 computes it (erf4_rational). */
INLINE f4 gelu4(f4 v) {
  return wasm_f32x4_mul(v, wasm_f32x4_mul(wasm_f32x4_splat(0.5f),
                                          wasm_f32x4_add(wasm_f32x4_splat(1.0f),
                                                         erf4_rational(wasm_f32x4_mul(v, wasm_f32x4_splat(0.70710678118654752f))))));
}

/* Hidden tile: rows h0..h3 (null past the tile's end) of 8 columns = gelu(bias + a W1 panel). */
INLINE void mlp_hidden_tile(const float* a0, const float* a1, const float* a2, const float* a3,
                            const float* wp, int k_n, f4 init_a, f4 init_b, float* h0, float* h1,
                            float* h2, float* h3) {
  f4 c0a = init_a, c0b = init_b, c1a = init_a, c1b = init_b;
  f4 c2a = init_a, c2b = init_b, c3a = init_a, c3b = init_b;
  MLP_ACCUMULATE(k_n)
  st(h0, gelu4(c0a)); st(h0 + 4, gelu4(c0b));
  if (h1) { st(h1, gelu4(c1a)); st(h1 + 4, gelu4(c1b)); }
  if (h2) { st(h2, gelu4(c2a)); st(h2 + 4, gelu4(c2b)); }
  if (h3) { st(h3, gelu4(c3a)); st(h3 + 4, gelu4(c3b)); }
}

/* Output tile: rows o0..o3 (null past the end) of nr <= 8 columns = bias + a W2 panel. */
INLINE void mlp_out_tile(const float* a0, const float* a1, const float* a2, const float* a3,
                         const float* wp, int k_n, f4 init_a, f4 init_b, float* o0, float* o1,
                         float* o2, float* o3, int nr) {
  f4 c0a = init_a, c0b = init_b, c1a = init_a, c1b = init_b;
  f4 c2a = init_a, c2b = init_b, c3a = init_a, c3b = init_b;
  MLP_ACCUMULATE(k_n)
  if (nr == 8) {
    st(o0, c0a); st(o0 + 4, c0b);
    if (o1) { st(o1, c1a); st(o1 + 4, c1b); }
    if (o2) { st(o2, c2a); st(o2 + 4, c2b); }
    if (o3) { st(o3, c3a); st(o3 + 4, c3b); }
    return;
  }
  /* Narrow last panel: lane by lane (no stack to spill a tile to). */
#define MLP_STORE_LANES(o, va, vb)                                      \
  if (o) {                                                              \
    o[0] = wasm_f32x4_extract_lane(va, 0);                              \
    if (nr > 1) o[1] = wasm_f32x4_extract_lane(va, 1);                  \
    if (nr > 2) o[2] = wasm_f32x4_extract_lane(va, 2);                  \
    if (nr > 3) o[3] = wasm_f32x4_extract_lane(va, 3);                  \
    if (nr > 4) o[4] = wasm_f32x4_extract_lane(vb, 0);                  \
    if (nr > 5) o[5] = wasm_f32x4_extract_lane(vb, 1);                  \
    if (nr > 6) o[6] = wasm_f32x4_extract_lane(vb, 2);                  \
  }
  MLP_STORE_LANES(o0, c0a, c0b)
  MLP_STORE_LANES(o1, c1a, c1b)
  MLP_STORE_LANES(o2, c2a, c2b)
  MLP_STORE_LANES(o3, c3a, c3b)
#undef MLP_STORE_LANES
}

/*
 * x [pixels][cin], out [pixels][cout]; w1p/b1p W1 [cin + cin2][hidden] and b1 packed, w2p/b2p W2
 * [hidden][cout] and b2 packed (pack_filter with one tap); hid scratch of tile * ceil8(hidden)
 * floats. With cin2 > 0 the unit's input is the channel concatenation [x, x2] (x2 [pixels][cin2]):
 * each tile's rows of both parts are copied side by side into cat (scratch of tile * (cin + cin2)
 * floats, in L1/L2 with the tile) and the products read that, so the concatenation of the whole
 * map is never written and the micro-kernel keeps one contiguous K (a second accumulation loop
 * over x2 measured 6 % slower in V8). Computes pixels [p_begin, p_end), so threads can split one call.
 */
EXPORT(pointwise_mlp)
void pointwise_mlp(const float* x, const float* x2, const float* w1p, const float* b1p,
                   const float* w2p, const float* b2p, float* hid, float* cat, float* out, int tile,
                   int cin, int cin2, int hidden, int cout, int p_begin, int p_end) {
  const int hidden_panels = (hidden + 7) / 8, out_panels = (cout + 7) / 8;
  const int ldh = hidden_panels * 8;
  const int k = cin + cin2;
  for (int p0 = p_begin; p0 < p_end; p0 += tile) {
    const int rows = p_end - p0 < tile ? p_end - p0 : tile;
    const float* xt = x + p0 * cin;
    float* ot = out + p0 * cout;
    if (cin2) {
      for (int i = 0; i < rows; i++) {
        __builtin_memcpy(cat + i * k, x + (p0 + i) * cin, (unsigned)cin * 4u);
        __builtin_memcpy(cat + i * k + cin, x2 + (p0 + i) * cin2, (unsigned)cin2 * 4u);
      }
      xt = cat;
    }
    /* Hidden = gelu(x W1 + b1): panel-outer so one W1 panel (k x 8) stays in L1 over the tile. */
    for (int p = 0; p < hidden_panels; p++) {
      const float* wp = w1p + p * k * 8;
      const f4 init_a = ld(b1p + p * 8), init_b = ld(b1p + p * 8 + 4);
      for (int i = 0; i < rows; i += 4) {
        const float* a0 = xt + i * k;
        float* h0 = hid + i * ldh + p * 8;
        mlp_hidden_tile(a0, i + 1 < rows ? a0 + k : a0, i + 2 < rows ? a0 + 2 * k : a0,
                        i + 3 < rows ? a0 + 3 * k : a0, wp, k, init_a, init_b, h0,
                        i + 1 < rows ? h0 + ldh : 0, i + 2 < rows ? h0 + 2 * ldh : 0,
                        i + 3 < rows ? h0 + 3 * ldh : 0);
      }
    }
    /* Out = hidden W2 + b2, reading the tile's hidden rows back from cache. */
    for (int p = 0; p < out_panels; p++) {
      const float* wp = w2p + p * hidden * 8;
      const f4 init_a = ld(b2p + p * 8), init_b = ld(b2p + p * 8 + 4);
      const int nr = cout - p * 8 < 8 ? cout - p * 8 : 8;
      for (int i = 0; i < rows; i += 4) {
        const float* a0 = hid + i * ldh;
        float* o0 = ot + i * cout + p * 8;
        mlp_out_tile(a0, i + 1 < rows ? a0 + ldh : a0, i + 2 < rows ? a0 + 2 * ldh : a0,
                     i + 3 < rows ? a0 + 3 * ldh : a0, wp, hidden, init_a, init_b, o0,
                     i + 1 < rows ? o0 + cout : 0, i + 2 < rows ? o0 + 2 * cout : 0,
                     i + 3 < rows ? o0 + 3 * cout : 0, nr);
      }
    }
  }
}
