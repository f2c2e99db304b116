/**
 * The WaveMix networks as tfjs-layers functional models. Every layer with weights carries the
 * name of the PyTorch module it ports (`conv.0`, `layers.3.feedforward2.4`, `pool.2`, ...), which
 * is all the PyTorch bridge needs to map a state_dict onto the model.
 *
 * Porting rules (specification §5 (docs/specification.md)): a stride-2 3x3 conv with PyTorch padding 1 is an explicit
 * ZeroPadding2D then a 'valid' conv (TF 'same' pads 0 before and 1 after); stride-1 3x3 padding 1
 * is 'same'; the patch conv (kernel = stride = P) is 'valid'; ConvTranspose(4, 2, 1) is
 * conv2dTranspose stride 2 'same'.
 */
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import {
  batchNorm,
  conv2d,
  convTranspose4x4,
  residualWaveBlock,
  torchBiasInitializer,
  torchKernelInitializer,
} from '@wavemix/layers';
import type { ResolvedConfig } from '../config';

/** PyTorch `Conv2d(in, out, 3, stride, padding=1)`. */
function conv3x3(x: SymbolicTensor, name: string, inChannels: number, filters: number, stride = 1): SymbolicTensor {
  if (stride === 1) return conv2d(name, inChannels, filters, 3, { padding: 'same' }).apply(x) as SymbolicTensor;
  const padded = layers
    .zeroPadding2d({
      name: `${name}.pad`,
      padding: [
        [1, 1],
        [1, 1],
      ],
    })
    .apply(x) as SymbolicTensor;
  return conv2d(name, inChannels, filters, 3, { strides: stride, padding: 'valid' }).apply(padded) as SymbolicTensor;
}

function conv1x1(x: SymbolicTensor, name: string, inChannels: number, filters: number): SymbolicTensor {
  return conv2d(name, inChannels, filters, 1).apply(x) as SymbolicTensor;
}

function convTranspose(x: SymbolicTensor, name: string, filters: number): SymbolicTensor {
  return convTranspose4x4(name, filters).apply(x) as SymbolicTensor;
}

/** `self.conv` of the classification model (either stem) and of SemSegment (strided). */
function stem(x: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const c = config.finalDim;
  if (config.initialConv === 'strided') {
    const s = config.stride!;
    const h = conv3x3(x, 'conv.0', config.inChannels, c / 2, s);
    return conv3x3(h, 'conv.1', c / 2, c, s);
  }
  const p = config.patchSize!;
  let y = conv3x3(x, 'conv.0', config.inChannels, c / 4);
  y = conv3x3(y, 'conv.1', c / 4, c / 2);
  y = conv2d('conv.2', c / 2, c, p, { strides: p, padding: 'valid' }).apply(y) as SymbolicTensor;
  y = layers.activation({ name: 'conv.3', activation: 'gelu' }).apply(y) as SymbolicTensor;
  return batchNorm('conv.4').apply(y) as SymbolicTensor;
}

/** `for attn in self.layers: x = attn(x) + x`. */
function body(x: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const { level, finalDim, mult, ffChannel, dropout, upsample } = config;
  for (let i = 0; i < config.depth; i++) {
    x = residualWaveBlock(x, { level, finalDim, mult, ffChannel, dropout, upsample, name: `layers.${i}` });
  }
  return x;
}

/** Classification: stem -> blocks -> global average pool -> Linear (`pool.2`). Logits. */
export function buildClassification(input: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const x = body(stem(input, config), config);
  const pooled = layers.globalAveragePooling2d({ name: 'pool.0' }).apply(x) as SymbolicTensor;
  return layers
    .dense({
      name: 'pool.2',
      units: config.numClasses!,
      kernelInitializer: torchKernelInitializer(),
      biasInitializer: torchBiasInitializer(config.finalDim),
    })
    .apply(pooled) as SymbolicTensor;
}

/** SemSegment (`expand` decoder) or the Cityscapes 83.04 backbone + decoder (`pool` decoder). */
export function buildSegmentation(input: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const c = config.finalDim;
  const x = body(stem(input, config), config);
  if (config.architecture === 'classification-backbone') {
    const [first, second] = config.decoderChannels!;
    const up = convTranspose(convTranspose(x, 'pool.0', first), 'pool.1', second);
    return conv1x1(up, 'pool.2', second, config.numClasses!);
  }
  const up = convTranspose(convTranspose(x, 'expand.0', c / 2), 'expand.1', c / 4);
  return conv1x1(up, 'expand.2', c / 4, config.numClasses!);
}

/** `wavemix.sisr.WaveMix`: 3x3 convs -> blocks -> ConvT x2 -> Conv1x1 back to the input channels. */
export function buildSisr(input: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const c = config.finalDim;
  let x = conv3x3(input, 'conv.0', config.inChannels, c / 2);
  x = conv3x3(x, 'conv.1', c / 2, c);
  x = body(x, config);
  return conv1x1(convTranspose(x, 'expand.0', c / 2), 'expand.1', c / 2, config.inChannels);
}
