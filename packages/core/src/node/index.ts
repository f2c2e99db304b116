/** Node-only helpers (file system). The main entry point stays browser-safe. */
export { writeFileAtomic } from './atomic_write';
