// Node-only entry: file-system readers, sharp decoding, h5wasm, worker threads.
export { loadDataset, type LoadDatasetOptions } from './load_dataset';
export {
  loadMnist,
  loadFashionMnist,
  loadEmnist,
  loadCifar10,
  loadCifar100,
  loadStl10,
  mnistDataDir,
  FASHION_MNIST_DEFAULT_DIR,
  type IdxDatasetOptions,
  type EmnistOptions,
  type CifarOptions,
  type Cifar100Options,
  type Stl10Options,
  type TrainTest,
} from './classic';
export { loadGalaxy10, Galaxy10Dataset, SUPPORTED_HDF5_FILTERS, summarizeHdf5Error, type Galaxy10Options } from './galaxy10';
export {
  loadImageFolder,
  loadTinyImagenet,
  loadPlaces365,
  loadCityscapes,
  loadSuperResolution,
  IMAGE_EXTENSIONS,
  type ImageFolderOptions,
  type TinyImagenetOptions,
  type Places365Options,
  type CityscapesOptions,
  type SuperResolutionOptions,
} from './image_datasets';
export { decodeImage, downscaleBicubic, checkPng, checkJpeg, MAX_IMAGE_PIXELS, type DecodedImage, type DecodeOptions } from './image_codec';
export { Hdf5File, Hdf5Worker, Hdf5Error, sharedHdf5Worker, h5wasmNodeUrl, type Hdf5DatasetInfo } from './hdf5';
export { writeIdxFile, writeCifarFile, writePngFile, writeTextFile, writeHdf5, writeGalaxy10File, type Hdf5WriteItem } from './writers';
export { nodeGunzip, readIdxFile } from './files';
export { workerExecutor, defaultWorkerScript, type WorkerExecutorOptions } from './worker_executor';
