export { createProgram, main } from './main';
