import { fail, RandomStream } from '@vjepa/core';
import { VisionTransformer } from '@vjepa/vit';
import type { RunConfig } from '@vjepa/trainer';
import { checkpointRunConfig, loadEncoderWeights, type InferOverrides } from '@vjepa/official';

/** The run config behind `--checkpoint` (a `vjepa train` folder or an official `.pth*`); else a usage error saying what is accepted. */
export function checkpointConfig(checkpoint: string, which: 'target' | 'online', inferred: InferOverrides | undefined, accepted: string): RunConfig {
  const config = checkpointRunConfig(checkpoint, which, inferred);
  if (!config) fail('--checkpoint', accepted, checkpoint);
  return config;
}

/**
 * The encoder of a run config, initialised as pretraining does from the run's seed, then, with a
 * `checkpoint`, loaded with the weights of its `which` encoder. Build it after the backend is selected.
 */
export function encoderFor(config: RunConfig, checkpoint: string | undefined, which: 'target' | 'online'): VisionTransformer {
  const encoder = new VisionTransformer(config.model.encoder, { rng: new RandomStream(config.seed), init: 'pretraining' });
  try {
    if (checkpoint !== undefined) loadEncoderWeights(checkpoint, which, encoder);
    return encoder;
  } catch (error) {
    encoder.dispose();
    throw error;
  }
}
