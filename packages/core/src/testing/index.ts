export { dwtConformanceCases, type ConformanceCase, type ConformanceOptions } from './conformance';
export { bicubicConformanceCases } from './bicubic_conformance';
export { pointwiseMlpConformanceCases } from './pointwise_mlp_conformance';
export { nearestUpsampleConformanceCases } from './nearest_upsample_conformance';
export { bilinearUpsampleConformanceCases } from './bilinear_upsample_conformance';
export { seededDropoutConformanceCases } from './seeded_dropout_conformance';
export {
  assert,
  assertClose,
  assertShape,
  assertThrows,
  ConformanceError,
  dot,
  maxError,
  randomArray,
  seededRandom,
  type CloseOptions,
} from './assert';
export {
  bicubicFixtureBytes,
  bicubicFixtureCases,
  dwtFixtureBytes,
  dwtFixtureCases,
  type BicubicFixtureCase,
  type DwtFixtureCase,
} from './fixture';
export { highChannels, nchwToNhwc, nhwcToNchw, waveMixLayout } from './layout';
export { msPerCall, runConformanceCases, type CaseResult } from './runner';
export {
  allConformanceCases,
  CONFORMANCE_SUITES,
  kernelRegistrationCase,
  type BackendConformanceOptions,
  type ConformanceSuite,
} from './suites';
