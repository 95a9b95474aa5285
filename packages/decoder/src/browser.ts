/**
 * The browser build of `@vjepa/decoder` (export condition `browser`): the decoder, its loss and step, the
 * baselines and the sheet layout. Reading runs, training over them with checkpoints and writing PNG files
 * stay Node-only; `browser.test.ts` checks that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export * from './portable';
