#!/usr/bin/env node
import { main } from './main';
import { exitCodeFor, formatError } from './errors';

main().catch((error: unknown) => {
  const code = exitCodeFor(error);
  if (code !== 0) console.error(formatError(error, process.argv.includes('--verbose')));
  process.exitCode = code;
});
