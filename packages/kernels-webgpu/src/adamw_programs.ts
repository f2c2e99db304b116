/**
 * WGSL programs for one AdamW step of one variable (the AdamWUpdate kernel): the first moment,
 * the second moment, then the parameter from the new moments. tfjs-webgpu binds one output per
 * program, hence three dispatches; the composite takes fifteen element-wise ones, and uploads
 * nine scalars made from JS numbers. Every hyperparameter is a uniform and tensors are bound
 * flat, so each program compiles once per layout (`scalar`, or `vec4` when the size is a multiple
 * of 4) and serves every variable, step and learning rate.
 *
 * The arithmetic is the composite's, op for op (see @wavemix/models' AdamW), so both paths round
 * alike: `m * b1 + g * (1 - b1)`, `v * b2 + (g * g) * (1 - b2)`,
 * `p * (1 - lr * wd) - ((m' / c1) / (sqrt(v' / c2) + eps)) * lr`.
 */
import { dispatchFor, WORKGROUP_SIZE, type ProgramUniforms, type WaveMixWebGPUProgram } from './programs';

export type AdamWLayout = 'scalar' | 'vec4';
export type AdamWStage = 'moment1' | 'moment2' | 'param';

export interface AdamWHyperparameters {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  weightDecay: number;
  correction1: number;
  correction2: number;
}

const STAGES: Record<AdamWStage, { inputs: string[]; uniforms: string; code: string }> = {
  moment1: {
    inputs: ['moment1', 'gradient'],
    uniforms: 'threads : i32, beta1 : f32, oneMinusBeta1 : f32,',
    code: 'result[index] = moment1[index] * uniforms.beta1 + gradient[index] * uniforms.oneMinusBeta1;',
  },
  moment2: {
    inputs: ['moment2', 'gradient'],
    uniforms: 'threads : i32, beta2 : f32, oneMinusBeta2 : f32,',
    code: `let g = gradient[index];
    result[index] = moment2[index] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;`,
  },
  param: {
    inputs: ['param', 'moment1', 'moment2'],
    uniforms: 'threads : i32, decay : f32, learningRate : f32, correction1 : f32, correction2 : f32, epsilon : f32,',
    code: `let step = (moment1[index] / uniforms.correction1) / (sqrt(moment2[index] / uniforms.correction2) + uniforms.epsilon);
    result[index] = param[index] * uniforms.decay - step * uniforms.learningRate;`,
  },
};

function uniformValues(stage: AdamWStage, h: AdamWHyperparameters): number[] {
  if (stage === 'moment1') return [h.beta1, 1 - h.beta1];
  if (stage === 'moment2') return [h.beta2, 1 - h.beta2];
  return [1 - h.learningRate * h.weightDecay, h.learningRate, h.correction1, h.correction2, h.epsilon];
}

/** One stage of an AdamW step over a variable of `size` elements (output `[size]`). */
export class AdamWProgram implements WaveMixWebGPUProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly logicalOutputShape: number[];
  // tfjs rewrites the key (adding its binding layout) and the dispatch when it runs the program.
  shaderKey: string;
  readonly dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  readonly outputComponent: number;
  readonly uniforms: string;
  readonly uniformData: ProgramUniforms;

  constructor(
    readonly stage: AdamWStage,
    shape: readonly number[],
    hyperparameters: AdamWHyperparameters,
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    const layout: AdamWLayout = size % 4 === 0 ? 'vec4' : 'scalar';
    const threads = layout === 'vec4' ? size / 4 : size;
    this.variableNames = STAGES[stage].inputs;
    this.outputShape = [size];
    this.logicalOutputShape = [...shape];
    this.shaderKey = `wavemix_adamw_${stage}_${layout}`;
    this.outputComponent = layout === 'vec4' ? 4 : 1;
    this.dispatch = dispatchFor(threads);
    this.uniforms = STAGES[stage].uniforms;
    this.uniformData = [
      { type: 'int32', data: [threads] },
      ...uniformValues(stage, hyperparameters).map((value) => ({ type: 'float32' as const, data: [value] })),
    ];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.threads) { return; }
    ${STAGES[this.stage].code}
  }`;
  }
}
