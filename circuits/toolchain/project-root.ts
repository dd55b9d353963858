/**
 * Where the project lies on disk. circom (WebAssembly, WASI) can only open files below
 * its working directory, so every compilation runs from the project root, with
 * `node_modules` as the library path for circomlib.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** Absolute path of the project root (the folder holding package.json). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Default folder for build artifacts (compiled circuits, keys); git-ignored. */
export const BUILD_DIR = resolve(PROJECT_ROOT, 'circuits', 'build');
