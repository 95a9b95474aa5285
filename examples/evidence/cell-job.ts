// One cell of `cells.ts` in its own process (tfjs-wasm is single-threaded: two processes use two cores).
import { selectBackend } from '@vjepa/core';
import { runCell, type Cell, type RunLayout } from './cells';
import { parseFlags } from './experiment';

const args = parseFlags(process.argv.slice(2));
await selectBackend('auto');
const cell = JSON.parse(Buffer.from(args.cell, 'base64url').toString('utf8')) as Cell;
const record = await runCell(cell, args.out, (args.layout ?? 'budgets') as RunLayout);
console.log(JSON.stringify(record));
