// A job for pool.test.ts: prints its name and exits (with the status --exit, default 0).
const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
console.log(`job ${args.name}`);
process.exit(Number(args.exit ?? 0));
