#!/usr/bin/env node
import { main } from './main';

main().catch((error: unknown) => {
  console.error(`vjepa: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
