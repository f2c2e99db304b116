/* Part of csrc/train_kernels.c (included there; not compiled alone): Winograd F(2x2, 2x2) for the
 * 2x2-tap phases of Conv2DBackpropInput (ConvTranspose(4, 2, 1): four stride-1 2x2 correlations).
 *
 * One 2x2 output tile from a 3x3 input patch d and a 2x2 filter g, per (input, output) channel pair:
 *   Y = A^T [(G g G^T) . (B^T d B)] A,  B^T = [1 -1 0; 0 1 0; 0 -1 1],  G = [1 0; 1 1; 0 1],
 *   A^T = [1 1 0; 0 1 1]
 * (interpolation points 0, 1 and infinity: every coefficient is +-1, so the transforms add no
 * rounding beyond a few additions). 9 multiplications instead of 16: the channel contraction
 * becomes 9 GEMMs, V[xi] (tiles x cin) * U[xi] (cin x cout), 1.78x fewer multiply-adds. */

/* U[xi][p][c][j] = (G g G^T)[xi / 3][xi % 3] for input channel c and output channel 8p + j (zero
 * past cout), g[r][s] = src[tap_offsets[2r + s] + c * in_stride + n * out_stride]. Row a of G sums
 * the taps {0}, {0, 1} or {1}. */
EXPORT(winograd22_pack_filter)
void winograd22_pack_filter(const float* src, float* packed, const int* tap_offsets, int cin, int cout,
                            int in_stride, int out_stride) {
  const int panels = (cout + 7) / 8;
  for (int xi = 0; xi < 9; xi++) {
    const int a = xi / 3, b = xi - (xi / 3) * 3;
    const int r0 = a == 2 ? 1 : 0, r1 = a == 0 ? 0 : 1;
    const int s0 = b == 2 ? 1 : 0, s1 = b == 0 ? 0 : 1;
    float* dst = packed + xi * panels * cin * 8;
    for (int p = 0; p < panels; p++) {
      for (int c = 0; c < cin; c++) {
        for (int j = 0; j < 8; j++) {
          const int n = p * 8 + j;
          float v = 0.0f;
          if (n < cout) {
            const int at = c * in_stride + n * out_stride;
            for (int r = r0; r <= r1; r++)
              for (int s = s0; s <= s1; s++) v += src[tap_offsets[2 * r + s] + at];
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

/*
 * out = the stride-1 2x2 correlation of x [batch][h][w][cin] (padding pt / pl, zero outside) with
 * the filter winograd22_pack_filter packed, for output tiles [t_begin, t_end) of
 * batch * ceil(oh / 2) * ceil(ow / 2); output pixel (b, oy, ox) goes to
 * out + ((b * out_h + oy * osy + oqy) * out_w + ox * osx + oqx) * ldo, as in conv2d_forward.
 * cin must be a multiple of 4. scratch: 9 * tb * (cin + 8 * panels) floats (the transformed
 * inputs V and products M of a block of tb tiles); ind: 9 * tb pointers; zero: cin zero floats.
 */
EXPORT(winograd22_conv)
void winograd22_conv(const float* x, const float* upacked, float* out, float* scratch, const float** ind,
                     const float* zero, int tb, int h, int w, int cin, int oh, int ow, int cout, int pt,
                     int pl, int out_h, int out_w, int osy, int osx, int oqy, int oqx, int ldo, int t_begin,
                     int t_end) {
  const int panels = (cout + 7) / 8;
  const int ldm = panels * 8;
  const int tiles_y = (oh + 1) / 2, tiles_x = (ow + 1) / 2;
  float* v = scratch;
  float* m = scratch + 9 * tb * cin;
  for (int i = 0; i < 9 * tb; i++) ind[i] = v + i * cin;
  const f4 zero4 = wasm_f32x4_splat(0.0f);
  for (int t0 = t_begin; t0 < t_end; t0 += tb) {
    const int mb = t_end - t0 < tb ? t_end - t0 : tb;
    /* Input transform: V[xi][i][c] = (B^T d B)[xi / 3][xi % 3]. */
    for (int i = 0; i < mb; i++) {
      const int t = t0 + i;
      const int tx = t % tiles_x, rest = t / tiles_x;
      const int ty = rest % tiles_y, b = rest / tiles_y;
      const int iy = 2 * ty - pt, ix = 2 * tx - pl;
      const float* p00 = patch_row(x, zero, b, iy, ix, h, w, cin);
      const float* p01 = patch_row(x, zero, b, iy, ix + 1, h, w, cin);
      const float* p02 = patch_row(x, zero, b, iy, ix + 2, h, w, cin);
      const float* p10 = patch_row(x, zero, b, iy + 1, ix, h, w, cin);
      const float* p11 = patch_row(x, zero, b, iy + 1, ix + 1, h, w, cin);
      const float* p12 = patch_row(x, zero, b, iy + 1, ix + 2, h, w, cin);
      const float* p20 = patch_row(x, zero, b, iy + 2, ix, h, w, cin);
      const float* p21 = patch_row(x, zero, b, iy + 2, ix + 1, h, w, cin);
      const float* p22 = patch_row(x, zero, b, iy + 2, ix + 2, h, w, cin);
      float* vi = v + i * cin;
      const int xs = tb * cin; /* from one xi's V to the next */
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
    /* The 9 GEMMs M[xi] = V[xi] U[xi], 4 x 8 tiles (panel outer: its cin x 8 floats stay in L1). */
    for (int xi = 0; xi < 9; xi++) {
      const float* const* rows = ind + xi * tb;
      float* mx = m + xi * tb * ldm;
      for (int p = 0; p < panels; p++) {
        const float* wp = upacked + (xi * panels + p) * cin * 8;
        for (int i = 0; i < mb; i += 4) {
          const float* const* r0 = rows + i;
          float* o0 = mx + i * ldm + p * 8;
          conv_tile(r0, i + 1 < mb ? r0 + 1 : r0, i + 2 < mb ? r0 + 2 : r0, i + 3 < mb ? r0 + 3 : r0, wp, 1,
                    cin, zero4, zero4, o0, i + 1 < mb ? o0 + ldm : 0, i + 2 < mb ? o0 + 2 * ldm : 0,
                    i + 3 < mb ? o0 + 3 * ldm : 0, 8);
        }
      }
    }
    /* Output transform: Y = A^T M A, written through the output map (odd sizes: the last row or
     * column of tiles is half outside). */
    for (int i = 0; i < mb; i++) {
      const int t = t0 + i;
      const int tx = t % tiles_x, rest = t / tiles_x;
      const int ty = rest % tiles_y, b = rest / tiles_y;
      const int oy = 2 * ty, ox = 2 * tx;
      const int has_y1 = oy + 1 < oh, has_x1 = ox + 1 < ow;
      float* y00 = out + ((b * out_h + oy * osy + oqy) * out_w + ox * osx + oqx) * ldo;
      float* y01 = y00 + osx * ldo;
      float* y10 = out + ((b * out_h + (oy + 1) * osy + oqy) * out_w + ox * osx + oqx) * ldo;
      float* y11 = y10 + osx * ldo;
      const float* mi = m + i * ldm;
      const int xs = tb * ldm;
      int k = 0;
      for (; k + 4 <= cout; k += 4) {
        const f4 m0 = ld(mi + k), m1 = ld(mi + xs + k), m2 = ld(mi + 2 * xs + k);
        const f4 m3 = ld(mi + 3 * xs + k), m4 = ld(mi + 4 * xs + k), m5 = ld(mi + 5 * xs + k);
        const f4 m6 = ld(mi + 6 * xs + k), m7 = ld(mi + 7 * xs + k), m8 = ld(mi + 8 * xs + k);
        /* rows: n0 = m0 + m1 (of rows 0, 1), n1 = m1 + m2 (rows 1, 2) */
        const f4 n00 = wasm_f32x4_add(m0, m3), n01 = wasm_f32x4_add(m1, m4), n02 = wasm_f32x4_add(m2, m5);
        const f4 n10 = wasm_f32x4_add(m3, m6), n11 = wasm_f32x4_add(m4, m7), n12 = wasm_f32x4_add(m5, m8);
        st(y00 + k, wasm_f32x4_add(n00, n01));
        if (has_x1) st(y01 + k, wasm_f32x4_add(n01, n02));
        if (has_y1) {
          st(y10 + k, wasm_f32x4_add(n10, n11));
          if (has_x1) st(y11 + k, wasm_f32x4_add(n11, n12));
        }
      }
      for (; k < cout; k++) {
        const float n00 = mi[k] + mi[3 * xs + k], n01 = mi[xs + k] + mi[4 * xs + k];
        const float n02 = mi[2 * xs + k] + mi[5 * xs + k];
        const float n10 = mi[3 * xs + k] + mi[6 * xs + k], n11 = mi[4 * xs + k] + mi[7 * xs + k];
        const float n12 = mi[5 * xs + k] + mi[8 * xs + k];
        y00[k] = n00 + n01;
        if (has_x1) y01[k] = n01 + n02;
        if (has_y1) {
          y10[k] = n10 + n11;
          if (has_x1) y11[k] = n11 + n12;
        }
      }
    }
  }
}
