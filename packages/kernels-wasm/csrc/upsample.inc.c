/* Part of csrc/train_kernels.c (included there; not compiled alone): nearest x2 upsampling, PyTorch
 * Upsample(scale_factor=2, mode='nearest') on NHWC, and its adjoint. Memory-bound copies: each
 * input pixel is a row of c floats, moved as v128 lanes with a scalar tail for c % 4. */

/* x [rows = b * h][w][c] -> y [b][2h][2w][c]: pixel (i, j) goes to (2i, 2j), (2i, 2j + 1),
 * (2i + 1, 2j) and (2i + 1, 2j + 1). */
EXPORT(nearest_upsample2x)
void nearest_upsample2x(const float* x, float* y, int rows, int w, int c) {
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

/* dy [b][2h][2w][c] -> dx [rows = b * h][w][c]: each dx pixel is the sum of its 2x2 block of dy. */
EXPORT(nearest_upsample2x_grad)
void nearest_upsample2x_grad(const float* dy, float* dx, int rows, int w, int c) {
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
