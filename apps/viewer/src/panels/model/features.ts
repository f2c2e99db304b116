/** Feature maps (16 channels, each stretched min..max) of a chosen layer: stem, each block's DWT output and output. */
import * as tf from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { layersModelOf, type Predictor } from '../../app/predictor';
import { $, element, putPixels } from '../../ui/dom';

const FEATURE_LAYER = /^(conv\.\d+|layers\.\d+\.(dwt|residual)|expand\.\d+)$/;

export class FeatureMaps {
  layer = '';
  shape: number[] | null = null;

  constructor(onChange: () => void) {
    $<HTMLSelectElement>('feature-layer').addEventListener('change', (event) => {
      this.layer = (event.target as HTMLSelectElement).value;
      onChange();
    });
  }

  /** Lists the model's feature layers (none for an onnxruntime model); `keepChoice` (the same model reloaded) keeps the chosen one. */
  populate(model: LayersModel | null, keepChoice: boolean): void {
    const select = $<HTMLSelectElement>('feature-layer');
    const layers = (model?.layers ?? []).filter(
      (l) => FEATURE_LAYER.test(l.name) && (l.outputShape as number[]).length === 4,
    );
    select.replaceChildren(
      ...layers.map((l) => element('option', { value: l.name, textContent: `${l.name} (${l.getClassName()})` })),
    );
    if (!keepChoice || !layers.some((l) => l.name === this.layer)) {
      const lastBlock = [...layers].reverse().find((l) => l.name.endsWith('.residual'));
      this.layer = lastBlock?.name ?? layers[layers.length - 1]?.name ?? '';
    }
    select.value = this.layer;
    $('features').hidden = layers.length === 0;
  }

  clear(): void {
    $('feature-grid').replaceChildren();
    this.shape = null;
  }

  /** Feature maps of the selected layer for `image` (model input before preprocessing, or preprocessed when 4D). */
  async render(predictor: Predictor, image: tf.Tensor): Promise<void> {
    const grid = $('feature-grid');
    this.clear();
    const model = layersModelOf(predictor);
    if (!this.layer || !model) return;
    const layer = model.getLayer(this.layer);
    const sub = functionalModel({ inputs: model.inputs, outputs: layer.output as SymbolicTensor });
    const maps = tf.tidy(() => {
      const x = image.rank === 4 ? (image as tf.Tensor4D) : predictor.preprocess(image as tf.Tensor3D);
      const y = sub.predict(x) as tf.Tensor4D;
      const shown = Math.min(16, y.shape[3]);
      const slice = tf.slice(y, [0, 0, 0, 0], [1, -1, -1, shown]);
      const min = tf.min(slice, [0, 1, 2], true);
      const max = tf.max(slice, [0, 1, 2], true);
      const unit = tf.div(tf.sub(slice, min), tf.maximum(tf.sub(max, min), 1e-12));
      return { unit: tf.squeeze(tf.transpose(unit, [3, 1, 2, 0]), [3]) as tf.Tensor3D, shape: y.shape };
    });
    this.shape = maps.shape;
    const [count, height, width] = maps.unit.shape;
    const data = (await maps.unit.data()) as Float32Array;
    maps.unit.dispose();
    for (let k = 0; k < count; k++) {
      const rgba = new Uint8ClampedArray(width * height * 4);
      for (let p = 0; p < width * height; p++) {
        const g = Math.round(255 * data[k * width * height + p]!);
        rgba.set([g, g, g, 255], 4 * p);
      }
      const canvas = element('canvas', { title: `${this.layer}, channel ${k}` });
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Feature map of ${this.layer}, channel ${k}`);
      putPixels(canvas, rgba, width, height);
      canvas.style.width = canvas.style.height = '';
      grid.append(canvas);
    }
    grid.dataset['layer'] = this.layer;
    grid.dataset['shape'] = maps.shape.join('x');
  }
}
