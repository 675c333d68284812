export { LocalControlPlane, type ControlPlaneStartOptions } from './local-control-plane.js';
export { ensureBinaries, candidatePaths, binaryCacheDir, type BinaryPaths } from './binaries.js';
export { pinnedVersions, type ControlPlaneVersions } from './versions.js';
