import { fail } from '@vjepa/core';

/** The browser stand-in: the `mnist` package reads its digits from files, so Moving MNIST is Node-only. */
export function loadMnistDigits(): never {
  return fail('synthetic:mnist', 'Node.js (the mnist package loads its digits from files)', 'a browser build');
}
