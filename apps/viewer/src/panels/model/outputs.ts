/**
 * What a model run shows: top-k bars (classification), the label overlay (segmentation), or the
 * bicubic-vs-model comparison with PSNR (super-resolution). `clear()` hides all of it, so the
 * outputs of a previous model or image never stay on screen beside a new one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bicubicUpsample2x } from '@wavemix/core';
import type { Predictor } from '../../app/predictor';
import type { LoadedImage } from '../../app/store';
import { ViewerInputError } from '../../errors';
import { classColor, labelHistogram, overlayLabels } from '../../logic/palette';
import { cropRgba, downscale2x, psnrRgba } from '../../logic/psnr';
import { topKChart } from '../../ui/charts';
import { $, element, putPixels, zoomFor } from '../../ui/dom';

export interface Segmentation {
  width: number;
  height: number;
  labels: Int32Array;
  base: Uint8ClampedArray;
  numClasses: number;
  classNames: string[];
}

export function rgbaToTensor(rgba: Uint8ClampedArray, width: number, height: number): tf.Tensor3D {
  return tf.tidy(
    () => tf.slice(tf.tensor3d(Float32Array.from(rgba), [height, width, 4]), [0, 0, 0], [-1, -1, 3]) as tf.Tensor3D,
  );
}

export class ModelOutputs {
  predictions: Array<{ className: string; probability: number }> | null = null;
  segmentation: Segmentation | null = null;
  superResolution: { bicubicPsnr: number; modelPsnr: number; width: number; height: number } | null = null;

  constructor() {
    $<HTMLInputElement>('seg-opacity').addEventListener('input', () => {
      if (this.segmentation) this.renderSegmentation();
    });
  }

  clear(): void {
    for (const id of ['classification', 'segmentation', 'super-resolution']) $(id).hidden = true;
    this.predictions = null;
    this.segmentation = null;
    this.superResolution = null;
    $('topk-list').replaceChildren();
    $('topk-list').dataset['top1'] = '';
  }

  async classify(predictor: Predictor, input: tf.Tensor3D, k: number): Promise<void> {
    this.predictions = await predictor.classify(input, k);
    const predictions = this.predictions;
    $('classification').hidden = false;
    topKChart($<HTMLCanvasElement>('topk-chart'), predictions);
    const list = $('topk-list');
    list.replaceChildren(
      ...predictions.map((p) =>
        element('li', { textContent: `${p.className}: ${(100 * p.probability).toFixed(1)} %` }),
      ),
    );
    list.dataset['top1'] = predictions[0]?.className ?? '';
  }

  async segment(predictor: Predictor, input: tf.Tensor3D): Promise<void> {
    const result = await predictor.segment(input);
    const bytes = tf.tidy(() => tf.cast(tf.round(tf.clipByValue(input, 0, 255)), 'int32') as tf.Tensor3D);
    const base = await tf.browser.toPixels(bytes);
    bytes.dispose();
    this.segmentation = { ...result, base };
    this.renderSegmentation();
  }

  private renderSegmentation(): void {
    const seg = this.segmentation!;
    $('segmentation').hidden = false;
    const opacity = Number($<HTMLInputElement>('seg-opacity').value);
    const canvas = $<HTMLCanvasElement>('seg-canvas');
    putPixels(
      canvas,
      overlayLabels(seg.base, seg.labels, opacity),
      seg.width,
      seg.height,
      zoomFor(seg.width, seg.height, 384),
    );
    canvas.dataset['opacity'] = String(opacity);
    const counts = labelHistogram(seg.labels, seg.numClasses);
    $('seg-legend').replaceChildren(
      ...counts.flatMap((count, label) => {
        if (count === 0) return [];
        const [r, g, b] = classColor(label);
        const swatch = element('span', { className: 'swatch' });
        swatch.style.background = `rgb(${r}, ${g}, ${b})`;
        return [
          element('li', {}, [
            swatch,
            `${seg.classNames[label] ?? label}: ${((100 * count) / seg.labels.length).toFixed(1)} %`,
          ]),
        ];
      }),
    );
  }

  /**
   * Super-resolution of the image shrunk 2× (by averaging), against bicubic ×2; both compared
   * with the original crop. Returns the model input (the shrunk image) for the feature maps.
   */
  async superResolve(
    predictor: Predictor,
    image: LoadedImage,
    divisor: number,
  ): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
    const step = 2 * divisor;
    const width = Math.floor(image.plan.resizedWidth / step) * step;
    const height = Math.floor(image.plan.resizedHeight / step) * step;
    if (width === 0 || height === 0)
      throw new ViewerInputError(`the image is too small for this model (needs at least ${step}×${step})`);
    const hr = cropRgba(image.rgba, image.plan.resizedWidth, width, height);
    const lr = downscale2x(hr, width, height);
    const lrImage = { data: lr, width: width / 2, height: height / 2 };
    const bicubic = tf.tidy(() => {
      const x = tf.expandDims(rgbaToTensor(lr, lrImage.width, lrImage.height), 0) as tf.Tensor4D;
      const up = tf.squeeze(bicubicUpsample2x(x), [0]);
      const rgb = tf.cast(tf.round(tf.clipByValue(up, 0, 255)), 'int32');
      return tf.concat([rgb, tf.fill([height, width, 1], 255, 'int32')], 2) as tf.Tensor3D;
    });
    const bicubicRgba = new Uint8ClampedArray(await bicubic.data());
    bicubic.dispose();
    const upscaled = await predictor.upscale(lrImage);
    const zoom = zoomFor(width, height, 256);
    putPixels($('sr-input'), lr, lrImage.width, lrImage.height, 2 * zoom);
    putPixels($('sr-bicubic'), bicubicRgba, width, height, zoom);
    putPixels($('sr-model'), upscaled.data, upscaled.width, upscaled.height, zoom);
    const bicubicPsnr = psnrRgba(hr, bicubicRgba);
    const modelPsnr = psnrRgba(hr, upscaled.data);
    this.superResolution = { bicubicPsnr, modelPsnr, width, height };
    $('sr-bicubic-caption').textContent = `Bicubic ×2: PSNR ${bicubicPsnr.toFixed(2)} dB`;
    $('sr-model-caption').textContent =
      `Model ×2: PSNR ${modelPsnr.toFixed(2)} dB (against the ${width}×${height} original)`;
    $('super-resolution').hidden = false;
    return lrImage;
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    return {
      predictions: () => this.predictions,
      segmentation: () =>
        this.segmentation && {
          width: this.segmentation.width,
          height: this.segmentation.height,
          histogram: labelHistogram(this.segmentation.labels, this.segmentation.numClasses),
        },
      superResolution: () => this.superResolution,
    };
  }
}
