/**
 * The browser build of `@vjepa/trainer` (export condition `browser`): the loss, the train step, the
 * optimizer, schedules, clipping (re-exported from @vjepa/optim), collapse statistics, regularisers and
 * the recipe. Checkpoints and the training loop write files and stay Node-only; `browser.test.ts` checks
 * that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export * from './portable';
