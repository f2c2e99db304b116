/* Part of csrc/train_kernels.c (included there; not compiled alone): the depthwise convolution gradients. */

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
