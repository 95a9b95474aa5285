// `pnpm vjepa …` (and `pnpm bench`): the CLI from its sources. pnpm runs a script in the repository root,
// so the paths a user typed are read from the folder pnpm was called in (INIT_CWD), as an installed
// `vjepa` would read them.
export {};

const caller = process.env.INIT_CWD;
if (caller) process.chdir(caller);
await import('../packages/cli/src/bin');
