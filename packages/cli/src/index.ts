export { createProgram, main } from './main';
export { runParity, PARITY_TOLERANCE, type ParityReport } from './parity/run';
export { loadReference, buildModels, type Reference, type ReferenceConfig } from './parity/reference';
