/**
 * The project's imaging kernels: pure functions over `Pixels` that port Pillow 9.4's semantics.
 * Used by the Python compat layer (through workers/python/imagingBridge.ts), and by the model and
 * task generators, so resize and friends are defined in exactly one place.
 */
export * from './pixels';
export * from './transpose';
export * from './affine';
export * from './resample';
export * from './reduce';
export * from './rotate';
export * from './enhance';
export * from './ops';
export * from './colors';
export * from './codec';
export * from './figure';
