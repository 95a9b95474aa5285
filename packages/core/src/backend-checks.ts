import * as tf from '@tensorflow/tfjs-core';

/** The first line of an error's message, at most 200 characters: what a backend report shows. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/** Runs one tiny op so that a backend that registered but cannot compute is caught at selection. */
export async function smokeTest(): Promise<void> {
  const value = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]))));
  const [result] = await value.data();
  value.dispose();
  if (result !== 11) throw new Error(`smoke test computed ${result} instead of 11`);
}
