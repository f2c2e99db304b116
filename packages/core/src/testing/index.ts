export { dwtConformanceCases, type ConformanceCase, type ConformanceOptions } from './conformance';
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
export { dwtFixtureBytes, dwtFixtureCases, type DwtFixtureCase } from './fixture';
export { highChannels, nchwToNhwc, nhwcToNchw, waveMixLayout } from './layout';
