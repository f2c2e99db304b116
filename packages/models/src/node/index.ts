/** Node-only helpers (file system); the main entry point stays browser-safe. */
export { MODEL_JSON, WEIGHTS_BIN, fileSystem, registerFileSystemRouter } from './file_system';
export { readPyTorchFile } from './pytorch_file';
