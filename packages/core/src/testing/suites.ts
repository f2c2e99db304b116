/**
 * Every conformance suite in one list, so a backend runs all of them by construction: a kernel
 * package passes the kernel configs it registers, each suite checks those kernels where the
 * package has them and the plain-ops composite on that backend where it has not. A new op adds
 * its suite here and every backend's test picks it up.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import {
  BicubicUpsample2x,
  BicubicUpsample2xGrad,
  BilinearUpsample2x,
  BilinearUpsample2xGrad,
  Dwt2D,
  Idwt2D,
  NearestUpsample2x,
  NearestUpsample2xGrad,
  WAVEMIX_KERNEL_NAMES,
  PointwiseMlp,
  WaveletPyramid,
  type WaveMixKernelName,
} from '../kernel_names';
import { assert, ConformanceError } from './assert';
import { bicubicConformanceCases } from './bicubic_conformance';
import { bilinearUpsampleConformanceCases } from './bilinear_upsample_conformance';
import { type ConformanceCase, type ConformanceOptions, dwtConformanceCases } from './conformance';
import { nearestUpsampleConformanceCases } from './nearest_upsample_conformance';
import { pointwiseMlpConformanceCases } from './pointwise_mlp_conformance';
import { seededDropoutConformanceCases } from './seeded_dropout_conformance';

export interface ConformanceSuite {
  name: string;
  /** The WaveMix kernels the suite's ops dispatch to. */
  kernels: readonly WaveMixKernelName[];
  cases: (options: ConformanceOptions) => ConformanceCase[];
}

export const CONFORMANCE_SUITES: readonly ConformanceSuite[] = [
  { name: 'dwt', kernels: [Dwt2D, Idwt2D, WaveletPyramid], cases: dwtConformanceCases },
  { name: 'bicubic', kernels: [BicubicUpsample2x, BicubicUpsample2xGrad], cases: bicubicConformanceCases },
  { name: 'pointwiseMlp', kernels: [PointwiseMlp], cases: pointwiseMlpConformanceCases },
  { name: 'nearest', kernels: [NearestUpsample2x, NearestUpsample2xGrad], cases: nearestUpsampleConformanceCases },
  { name: 'bilinear', kernels: [BilinearUpsample2x, BilinearUpsample2xGrad], cases: bilinearUpsampleConformanceCases },
  // SeededDropout is optional (cpu, wasm); elsewhere the op multiplies in a mask computed on the host.
  { name: 'seededDropout', kernels: [], cases: seededDropoutConformanceCases },
];

export interface BackendConformanceOptions extends Omit<ConformanceOptions, 'expectKernels' | 'backend'> {
  backend: string;
  /** What the package under test registers for `backend` (its `/base` configs); `[]` checks the composite. */
  kernels: readonly Pick<KernelConfig, 'kernelName'>[];
}

/**
 * A case that the registered WaveMix kernels for the backend are exactly `kernels`: the package's
 * own are there, and no other WaveMix kernel is (so the suites below test what the package claims).
 */
export function kernelRegistrationCase(
  backend: string,
  kernels: readonly Pick<KernelConfig, 'kernelName'>[],
): ConformanceCase {
  const claimed = new Set(kernels.map((k) => k.kernelName));
  return {
    name: `registration: exactly [${[...claimed].join(', ') || 'no WaveMix kernel'}] registered for ${backend}`,
    run: async () => {
      for (const name of WAVEMIX_KERNEL_NAMES) {
        const registered = tf.getKernel(name, backend) != null;
        assert(
          registered === claimed.has(name),
          `${name} is ${registered ? '' : 'not '}registered for ${backend}, expected the opposite`,
        );
      }
    },
  };
}

/** Every suite's cases for one backend, each suite on the package's kernels where it registers all of them. */
export function allConformanceCases({ backend, kernels, ...tolerances }: BackendConformanceOptions): ConformanceCase[] {
  const claimed = new Set(kernels.map((k) => k.kernelName));
  const cases = [kernelRegistrationCase(backend, kernels)];
  for (const suite of CONFORMANCE_SUITES) {
    const covered = suite.kernels.filter((name) => claimed.has(name));
    if (covered.length > 0 && covered.length < suite.kernels.length) {
      cases.push({
        name: `${suite.name}: all or none of its kernels`,
        run: async () => {
          throw new ConformanceError(
            `${backend} registers ${covered.join(', ')} but not all of ${suite.kernels.join(', ')}`,
          );
        },
      });
    }
    const onKernels = covered.length === suite.kernels.length;
    for (const testCase of suite.cases({ ...tolerances, backend, expectKernels: onKernels })) {
      cases.push({
        name: `${suite.name} (${onKernels ? 'kernels' : 'composite'}): ${testCase.name}`,
        run: testCase.run,
      });
    }
  }
  return cases;
}
