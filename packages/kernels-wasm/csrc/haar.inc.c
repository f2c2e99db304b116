/* Part of csrc/train_kernels.c (included there; not compiled alone): one level of the Haar DWT and
 * its inverse in the WaveMix channel layout (@wavemix/core's impl/haar.ts), four channels per
 * SIMD step; channels must be a multiple of 4. An output pixel holds the c LL values, then per
 * channel k the triple (LH, HL, HH)_k; the triples of four channels are three vectors
 * interleaved by shuffles. Odd sizes: the missing samples of an edge block are zeros (forward)
 * or dropped (inverse: the crop). Computed in float32, as PyTorch does (the JavaScript reference
 * rounds once per output from float64, so the two may differ in the last bit). */

/* Stores (h0, h1, h2) of four channels as their interleaved triples at dst[0 .. 11]. */
INLINE void haar_store_triples(float* dst, f4 h0, f4 h1, f4 h2) {
  const f4 a = wasm_i32x4_shuffle(h0, h1, 0, 4, 1, 5); /* h0.0 h1.0 h0.1 h1.1 */
  const f4 b = wasm_i32x4_shuffle(h0, h1, 2, 6, 3, 7); /* h0.2 h1.2 h0.3 h1.3 */
  st(dst, wasm_i32x4_shuffle(a, h2, 0, 1, 4, 2));
  st(dst + 4, wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, h2, 3, 5, 3, 5), b, 0, 1, 4, 5));
  st(dst + 8, wasm_i32x4_shuffle(b, h2, 6, 2, 3, 7));
}

/*
 * dst [b][ceil(h/2)][ceil(w/2)][4c] = one Haar level of src [b][h][w][c], src pixels
 * `src_stride` floats apart (4c when src is the previous level of a pyramid, whose first c
 * channels are its LL).
 */
EXPORT(haar_forward)
void haar_forward(const float* src, float* dst, int b, int h, int w, int c, int src_stride) {
  const int h2 = (h + 1) / 2, w2 = (w + 1) / 2, even_w = w / 2;
  const int row = w * src_stride;
  const f4 half = wasm_f32x4_splat(0.5f), zero = wasm_f32x4_splat(0.0f);
  float* o = dst;
  for (int n = 0; n < b; n++) {
    for (int i = 0; i < h2; i++) {
      const float* top = src + (n * h + 2 * i) * row;
      const int has_bottom = 2 * i + 1 < h;
      for (int j = 0; j < w2; j++, o += 4 * c) {
        const float* p = top + 2 * j * src_stride;
        const int has_right = j < even_w;
        for (int k = 0; k < c; k += 4) {
          const f4 a = ld(p + k);
          const f4 bb = has_right ? ld(p + src_stride + k) : zero;
          const f4 cc = has_bottom ? ld(p + row + k) : zero;
          const f4 d = has_bottom && has_right ? ld(p + row + src_stride + k) : zero;
          const f4 s0 = wasm_f32x4_add(a, bb), d0 = wasm_f32x4_sub(a, bb);
          const f4 s1 = wasm_f32x4_add(cc, d), d1 = wasm_f32x4_sub(cc, d);
          st(o + k, wasm_f32x4_mul(wasm_f32x4_add(s0, s1), half));
          haar_store_triples(o + c + 3 * k, wasm_f32x4_mul(wasm_f32x4_sub(s0, s1), half),
                             wasm_f32x4_mul(wasm_f32x4_add(d0, d1), half),
                             wasm_f32x4_mul(wasm_f32x4_sub(d0, d1), half));
        }
      }
    }
  }
}

/* dst [b][out_h][out_w][c] = the inverse of src [b][h2][w2][4c], out_h in {2 h2 - 1, 2 h2} (and out_w). */
EXPORT(haar_inverse)
void haar_inverse(const float* src, float* dst, int b, int h2, int w2, int c, int out_h, int out_w) {
  const int row = out_w * c;
  const f4 half = wasm_f32x4_splat(0.5f);
  const float* p = src;
  for (int n = 0; n < b; n++) {
    for (int i = 0; i < h2; i++) {
      float* top = dst + (n * out_h + 2 * i) * row;
      const int has_bottom = 2 * i + 1 < out_h;
      for (int j = 0; j < w2; j++, p += 4 * c) {
        float* o = top + 2 * j * c;
        const int has_right = 2 * j + 1 < out_w;
        for (int k = 0; k < c; k += 4) {
          const float* t = p + c + 3 * k;
          const f4 in0 = ld(t), in1 = ld(t + 4), in2 = ld(t + 8);
          const f4 lh = wasm_i32x4_shuffle(wasm_i32x4_shuffle(in0, in1, 0, 3, 6, 6), in2, 0, 1, 2, 5);
          const f4 hl = wasm_i32x4_shuffle(wasm_i32x4_shuffle(in0, in1, 1, 4, 7, 7), in2, 0, 1, 2, 6);
          const f4 hh = wasm_i32x4_shuffle(wasm_i32x4_shuffle(in0, in1, 2, 5, 5, 5), in2, 0, 1, 4, 7);
          const f4 ll = ld(p + k);
          const f4 s_top = wasm_f32x4_add(ll, lh), s_bottom = wasm_f32x4_sub(ll, lh);
          const f4 d_top = wasm_f32x4_add(hl, hh), d_bottom = wasm_f32x4_sub(hl, hh);
          st(o + k, wasm_f32x4_mul(wasm_f32x4_add(s_top, d_top), half));
          if (has_right) st(o + c + k, wasm_f32x4_mul(wasm_f32x4_sub(s_top, d_top), half));
          if (has_bottom) st(o + row + k, wasm_f32x4_mul(wasm_f32x4_add(s_bottom, d_bottom), half));
          if (has_bottom && has_right) st(o + row + c + k, wasm_f32x4_mul(wasm_f32x4_sub(s_bottom, d_bottom), half));
        }
      }
    }
  }
}
