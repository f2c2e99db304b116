// Node-only entry: file-system readers, sharp decoding, h5wasm, worker threads.
export { loadDataset, type LoadDatasetOptions } from './load_dataset';
export {
  DATASETS,
  datasetDescriptor,
  datasetNames,
  findDataset,
  type DatasetName,
  type DatasetOptions,
} from './datasets';
export {
  defineDataset,
  type AnyDatasetDescriptor,
  type DatasetDescriptor,
  type Normalization,
  type ReaderOptions,
} from './descriptor';
export {
  loadMnist,
  loadFashionMnist,
  mnistDataDir,
  FASHION_MNIST_DEFAULT_DIR,
  type IdxDatasetOptions,
} from './readers/mnist';
export { loadEmnist, type EmnistOptions } from './readers/emnist';
export { loadCifar10, loadCifar100, type CifarOptions, type Cifar100Options } from './readers/cifar';
export { loadStl10, type Stl10Options } from './readers/stl10';
export {
  loadGalaxy10,
  Galaxy10Dataset,
  SUPPORTED_HDF5_FILTERS,
  summarizeHdf5Error,
  type Galaxy10Options,
} from './readers/galaxy10';
export { loadImageFolder, IMAGENET_NORMALIZATION, type ImageFolderOptions } from './readers/image_folder';
export { loadTinyImagenet, type TinyImagenetOptions } from './readers/tiny_imagenet';
export { loadPlaces365, type Places365Options } from './readers/places365';
export { loadCityscapes, type CityscapesOptions } from './readers/cityscapes';
export { loadSuperResolution, type SuperResolutionOptions } from './readers/div2k';
export {
  loadSrBenchmark,
  SR_BENCHMARK_LAYOUTS,
  type SrBenchmarkLayout,
  type SrBenchmarkOptions,
} from './readers/sr_benchmark';
export { IMAGE_EXTENSIONS, type TrainTest } from './reader_helpers';
export {
  decodeImage,
  downscaleBicubic,
  checkPng,
  checkJpeg,
  MAX_IMAGE_PIXELS,
  type DecodedImage,
  type DecodeOptions,
} from './image_codec';
export { Hdf5File, Hdf5Worker, Hdf5Error, sharedHdf5Worker, h5wasmNodeUrl, type Hdf5DatasetInfo } from './hdf5';
export {
  writeIdxFile,
  writeCifarFile,
  writePngFile,
  writeTextFile,
  writeHdf5,
  writeGalaxy10File,
  type Hdf5WriteItem,
} from './writers';
export { nodeGunzip, readIdxFile } from './files';
export { workerExecutor, defaultWorkerScript, type WorkerExecutorOptions } from './worker_executor';
