/* Part of csrc/train_kernels.c (included there; not compiled alone): nearest and bilinear x2
 * upsampling, PyTorch Upsample(scale_factor=2, mode='nearest' | 'bilinear', align_corners=False)
 * on NHWC, and their adjoints. Memory-bound: each pixel is a row of c floats, moved as v128 lanes
 * with a scalar tail for c % 4. The bilinear weights are plain mul + add (no relaxed madd), so both
 * builds give the same floats. */

/* x [b][h][w][c] -> y [b][2h][2w][c]: pixel (i, j) goes to (2i, 2j), (2i, 2j + 1),
 * (2i + 1, 2j) and (2i + 1, 2j + 1). */
EXPORT(nearest_upsample2x)
void nearest_upsample2x(const float* x, float* y, int b, int h, int w, int c) {
  const int rows = b * h;
  const int out_row = 2 * w * c;
  for (int r = 0; r < rows; r++) {
    const float* src = x + r * w * c;
    float* top = y + 2 * r * out_row;
    float* bottom = top + out_row;
    for (int j = 0; j < w; j++, src += c, top += 2 * c, bottom += 2 * c) {
      int k = 0;
      for (; k + 4 <= c; k += 4) {
        const f4 v = ld(src + k);
        st(top + k, v);
        st(top + c + k, v);
        st(bottom + k, v);
        st(bottom + c + k, v);
      }
      for (; k < c; k++) {
        const float v = src[k];
        top[k] = v;
        top[c + k] = v;
        bottom[k] = v;
        bottom[c + k] = v;
      }
    }
  }
}

/* dy [b][2h][2w][c] -> dx [b][h][w][c]: each dx pixel is the sum of its 2x2 block of dy. */
EXPORT(nearest_upsample2x_grad)
void nearest_upsample2x_grad(const float* dy, float* dx, int b, int h, int w, int c) {
  const int rows = b * h;
  const int dy_row = 2 * w * c;
  for (int r = 0; r < rows; r++) {
    const float* top = dy + 2 * r * dy_row;
    const float* bottom = top + dy_row;
    float* out = dx + r * w * c;
    for (int j = 0; j < w; j++, out += c, top += 2 * c, bottom += 2 * c) {
      int k = 0;
      for (; k + 4 <= c; k += 4) {
        const f4 upper = wasm_f32x4_add(ld(top + k), ld(top + c + k));
        const f4 lower = wasm_f32x4_add(ld(bottom + k), ld(bottom + c + k));
        st(out + k, wasm_f32x4_add(upper, lower));
      }
      for (; k < c; k++) out[k] = (top[k] + top[c + k]) + (bottom[k] + bottom[c + k]);
    }
  }
}

INLINE int clamp_index(int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

/* x [b][h][w][c] -> y [b][2h][2w][c]. Along each axis output 2i = 0.75 x[i] + 0.25 x[i - 1] and
 * 2i + 1 = 0.75 x[i] + 0.25 x[i + 1], neighbours clamped; rows are blended first, then columns. */
EXPORT(bilinear_upsample2x)
void bilinear_upsample2x(const float* x, float* y, int b, int h, int w, int c) {
  const int in_row = w * c;
  const f4 near = wasm_f32x4_splat(0.75f);
  const f4 far = wasm_f32x4_splat(0.25f);
  for (int n = 0; n < b; n++) {
    for (int i = 0; i < h; i++) {
      const float* mid = x + (n * h + i) * in_row;
      for (int a = 0; a < 2; a++) {
        const float* other = x + (n * h + clamp_index(a == 0 ? i - 1 : i + 1, h)) * in_row;
        float* out = y + (n * 2 * h + 2 * i + a) * 2 * in_row;
        for (int j = 0; j < w; j++, out += 2 * c) {
          const int centre = j * c, left = clamp_index(j - 1, w) * c, right = clamp_index(j + 1, w) * c;
          int k = 0;
          for (; k + 4 <= c; k += 4) {
            const f4 v = wasm_f32x4_add(wasm_f32x4_mul(near, ld(mid + centre + k)), wasm_f32x4_mul(far, ld(other + centre + k)));
            const f4 vl = wasm_f32x4_add(wasm_f32x4_mul(near, ld(mid + left + k)), wasm_f32x4_mul(far, ld(other + left + k)));
            const f4 vr = wasm_f32x4_add(wasm_f32x4_mul(near, ld(mid + right + k)), wasm_f32x4_mul(far, ld(other + right + k)));
            const f4 v3 = wasm_f32x4_mul(near, v);
            st(out + k, wasm_f32x4_add(v3, wasm_f32x4_mul(far, vl)));
            st(out + c + k, wasm_f32x4_add(v3, wasm_f32x4_mul(far, vr)));
          }
          for (; k < c; k++) {
            const float v = 0.75f * mid[centre + k] + 0.25f * other[centre + k];
            const float vl = 0.75f * mid[left + k] + 0.25f * other[left + k];
            const float vr = 0.75f * mid[right + k] + 0.25f * other[right + k];
            out[k] = 0.75f * v + 0.25f * vl;
            out[c + k] = 0.75f * v + 0.25f * vr;
          }
        }
      }
    }
  }
}

/* dy [b][2h][2w][c] -> dx [b][h][w][c]: along each axis input i gathers outputs 2i - 1, 2i, 2i + 1,
 * 2i + 2 with weights 0.25, 0.75, 0.75, 0.25, indices clamped to the image (the clamped taps are
 * the edge outputs, which copy the edge pixel). All 16 taps per pixel in registers, one store. */
EXPORT(bilinear_upsample2x_grad)
void bilinear_upsample2x_grad(const float* dy, float* dx, int b, int h, int w, int c) {
  const int dy_row = 2 * w * c;
  const float weight[4] = {0.25f, 0.75f, 0.75f, 0.25f};
  for (int n = 0; n < b; n++) {
    for (int i = 0; i < h; i++) {
      const float* rows[4];
      for (int t = 0; t < 4; t++) rows[t] = dy + (n * 2 * h + clamp_index(2 * i - 1 + t, 2 * h)) * dy_row;
      float* out = dx + (n * h + i) * w * c;
      for (int j = 0; j < w; j++, out += c) {
        int cols[4];
        for (int u = 0; u < 4; u++) cols[u] = clamp_index(2 * j - 1 + u, 2 * w) * c;
        int k = 0;
        for (; k + 4 <= c; k += 4) {
          f4 acc = wasm_f32x4_splat(0.0f);
          for (int t = 0; t < 4; t++) {
            const float* r = rows[t] + k;
            f4 s = wasm_f32x4_mul(wasm_f32x4_splat(weight[0]), ld(r + cols[0]));
            for (int u = 1; u < 4; u++) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_f32x4_splat(weight[u]), ld(r + cols[u])));
            acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(weight[t]), s));
          }
          st(out + k, acc);
        }
        for (; k < c; k++) {
          float acc = 0.0f;
          for (int t = 0; t < 4; t++) {
            float s = 0.0f;
            for (int u = 0; u < 4; u++) s += weight[u] * rows[t][cols[u] + k];
            acc += weight[t] * s;
          }
          out[k] = acc;
        }
      }
    }
  }
}
