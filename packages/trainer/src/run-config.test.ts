import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from './run-config';

/** The released ViT-L pretraining config (configs/pretrain/vitl16.yaml of facebookresearch/jepa), every key. */
const VITL16 = `app: vjepa
nodes: 16
tasks_per_node: 8
data:
  dataset_type: VideoDataset
  datasets:
  - /your_path_to_kinetics710_csv_file_index.csv
  - /your_path_to_ssv2_csv_file_index.csv
  - /your_path_to_howto100m_csv_file_index.csv
  decode_one_clip: true
  batch_size: 24
  num_clips: 1
  num_frames: 16
  tubelet_size: 2
  sampling_rate: 4
  crop_size: 224
  patch_size: 16
  pin_mem: true
  num_workers: 12
  filter_short_videos: false
  clip_duration: null
data_aug:
  auto_augment: false
  motion_shift: false
  random_resize_aspect_ratio:
  - 0.75
  - 1.35
  random_resize_scale:
  - 0.3
  - 1.0
  reprob: 0.0
logging:
  folder: /your_absolute_file_path_for_saving_logs_and_checkpoints/
  write_tag: jepa
loss:
  loss_exp: 1.0
  reg_coeff: 0.0
mask:
- aspect_ratio:
  - 0.75
  - 1.5
  num_blocks: 8
  spatial_scale:
  - 0.15
  - 0.15
  temporal_scale:
  - 1.0
  - 1.0
  max_temporal_keep: 1.0
  max_keep: null
- aspect_ratio:
  - 0.75
  - 1.5
  num_blocks: 2
  spatial_scale:
  - 0.7
  - 0.7
  temporal_scale:
  - 1.0
  - 1.0
  max_temporal_keep: 1.0
  max_keep: null
meta:
  load_checkpoint: false
  read_checkpoint: null
  seed: 234
  eval_freq: 100
  use_sdpa: true
  dtype: bfloat16
model:
  model_name: vit_large
  pred_depth: 12
  pred_embed_dim: 384
  uniform_power: true
  use_mask_tokens: true
  zero_init_mask_tokens: true
optimization:
  ipe: 300
  ipe_scale: 1.25
  clip_grad: 10.0
  weight_decay: 0.04
  final_weight_decay: 0.4
  epochs: 300
  warmup: 40
  start_lr: 0.0002
  lr: 0.000625
  final_lr: 1.0e-06
  ema:
  - 0.998
  - 1.0
`;

function configFile(text: string, name = 'run.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vjepa-keys-')), name);
  writeFileSync(file, text);
  return file;
}

describe('vjepa train --config: every key is checked', () => {
  it('accepts the released config with all its keys', () => {
    const config = resolveRunConfig({ config: configFile(VITL16) });
    expect(config.model.encoder).toMatchObject({ dim: 1024, depth: 24, imageSize: 224 });
    expect(config.optimization).toMatchObject({ steps: 90_000, lr: 0.000625, scheduleSteps: 112_500 });
    expect(config.seed).toBe(234);
  });

  it.each([
    // the example: it used to train with the default learning rate and exit 0
    ['optimization: { lerning_rate: 0.001 }', /optimization\.lerning_rate: expected one of the keys ipe, .*, lr, .*, received an unknown key "lerning_rate"\. Did you mean "lr"\?/],
    ['optimization: { learning_rate: 0.001 }', /optimization\.learning_rate: .*Did you mean "lr"\?/],
    ['data: { batchsize: 4 }', /data\.batchsize: .*Did you mean "batch_size"\?/],
    ['model: { model_nme: vit_small }', /model\.model_nme: .*Did you mean "model_name"\?/],
    ['meta: { sead: 1 }', /meta\.sead: .*Did you mean "seed"\?/],
    ['optimisation: { lr: 0.001 }', /: optimisation: expected a section of the official config \(one of app, nodes, .*\), received an unknown section "optimisation"\. Did you mean "optimization"\?/],
    ['mask: [{ num_block: 4 }]', /mask\[0\]\.num_block: .*Did you mean "num_blocks"\?/],
    ['mask: { num_blocks: 4 }', /mask: expected a list of mask generator entries/],
    ['loss: { loss_expo: 2 }', /loss\.loss_expo: .*Did you mean "loss_exp"\?/],
  ])('refuses %s', (yaml, message) => {
    const file = configFile(yaml);
    expect(() => resolveRunConfig({ config: file })).toThrow(message);
    expect(() => resolveRunConfig({ config: file })).toThrow(`--config ${file}`);
  });

  it.each([
    ['optimization: { lr: fast }', /optimization\.lr: expected a finite number ≥ 0, received "fast"/],
    ['optimization: { clip_grad: 0 }', /optimization\.clip_grad: expected a finite number > 0, received 0/],
    ['optimization: { ipe: 2.5, epochs: 2 }', /optimization\.ipe: expected an integer ≥ 1, received 2\.5/],
    ['data: { crop_size: 72 }', /data\.crop_size: expected a multiple of patch_size \(16\), received 72/],
    ['data: { num_frames: 15 }', /frames: expected a multiple of tubelet_size \(2\), received 15/],
    ['data: { batch_size: 0 }', /data\.batch_size: expected an integer ≥ 1, received 0/],
    ['mask: [{ spatial_scale: [0.15] }]', /mask\[0\]\.spatial_scale: expected a list of two numbers/],
    ['mask: [{ ratio: -1 }]', /mask\[0\]\.ratio: expected a finite number > 0, received -1/],
    ['[1, 2]', /: expected a mapping of sections, received \[1, 2\]/],
    ['data: {', /: expected valid YAML, received/],
  ])('refuses the values of %s', (yaml, message) => {
    expect(() => resolveRunConfig({ config: configFile(yaml) })).toThrow(message);
  });

  it.each([
    ['data: { batch_size: 0 }', { batchSize: '2' }, /data\.batch_size: expected an integer ≥ 1, received 0/],
    ['data: { crop_size: 72 }', { crop: '64' }, /data\.crop_size: expected a multiple of patch_size \(16\), received 72/],
    ['data: { num_frames: fifteen }', { frames: '8' }, /data\.num_frames: expected an integer ≥ 1, received "fifteen"/],
    ['model: { model_name: vit_enormous }', { model: 'tiny' }, /model\.model_name: expected one of tiny, small/],
    ['model: { pred_depth: -1 }', { predDepth: '2' }, /model\.pred_depth: expected an integer ≥ 1, received -1/],
    ['meta: { seed: -3 }', { seed: '1' }, /meta\.seed: expected an integer ≥ 0, received -3/],
  ])('refuses the bad value of %s even where a flag overrides it (%j)', (yaml, flags, message) => {
    expect(() => resolveRunConfig({ config: configFile(yaml), ...flags })).toThrow(message);
  });

  it('refuses a missing file and bad JSON, naming them', () => {
    expect(() => resolveRunConfig({ config: '/nonexistent/run.yaml' })).toThrow('--config: expected an existing JSON or YAML file, received "/nonexistent/run.yaml"');
    const file = configFile('{"data": ', 'run.json');
    expect(() => resolveRunConfig({ config: file })).toThrow(`--config ${file}: expected valid JSON, received`);
  });
});

describe('resolveRunConfig', () => {
  it('config: --regularizer, --reg-weight, --reg-directions, --frozen-teacher, --change-weighting, --masks future', () => {
    const config = resolveRunConfig({ regularizer: 'sigreg', regWeight: '0.1', regDirections: '64', frozenTeacher: true, changeWeighting: '0.5', masks: 'future', seed: '3' });
    // SIGReg's directions follow the run's seed
    expect(config.optimization).toMatchObject({ regularizer: { kind: 'sigreg', weight: 0.1, directions: 64, seed: 3 }, frozenTeacher: true, changeWeighting: 0.5 });
    expect(config.mask).toEqual([{ type: 'future' }]);
    // the published weights by default: VICReg 25 : 25 : 1 against the prediction loss, LeJEPA's λ 0.05 of (1 − λ)·L + λ·R
    expect(resolveRunConfig({ regularizer: 'vicreg' }).optimization.regularizer).toEqual({ kind: 'vicreg', weight: 1 });
    expect(resolveRunConfig({ regularizer: 'sigreg' }).optimization.regularizer).toMatchObject({ kind: 'sigreg', weight: 0.05 / 0.95 });
    expect(resolveRunConfig({ regularizer: 'vicreg', regSamples: 'positions' }).optimization.regularizer).toEqual({ kind: 'vicreg', weight: 1, samples: 'positions' });
    expect(() => resolveRunConfig({ regularizer: 'vicreg', regSamples: 'rows' })).toThrow(/reg-samples: expected pooled, positions, tokens, received "rows"/);
    expect(resolveRunConfig({}).optimization.regularizer).toBeUndefined();
    // --reg-expander: alone the default widths 2·D (ViT-tiny: D 192), W three times, or W1,W2,W3; its init follows the run's seed
    expect(resolveRunConfig({ regularizer: 'vicreg', regExpander: true, seed: '4' }).optimization.regularizer).toEqual({ kind: 'vicreg', weight: 1, expander: [384, 384, 384], seed: 4 });
    expect(resolveRunConfig({ regularizer: 'vicreg', regExpander: '64' }).optimization.regularizer).toMatchObject({ expander: [64, 64, 64] });
    const expanded = resolveRunConfig({ regularizer: 'vicreg', regExpander: '32,48,96' });
    expect(expanded.optimization.regularizer).toMatchObject({ expander: [32, 48, 96] });
    expect(resolveRunConfig({ regWeight: '0.5' }, expanded).optimization.regularizer).toMatchObject({ weight: 0.5, expander: [32, 48, 96] });
    expect(() => resolveRunConfig({ regularizer: 'vicreg', regExpander: '32,48' })).toThrow(/reg-expander: expected W \(three layers of width W\) or W1,W2,W3: positive integers, received "32,48"/);
    expect(() => resolveRunConfig({ regularizer: 'sigreg', regExpander: true })).toThrow(/reg-expander: expected --regularizer vicreg/);
    expect(() => resolveRunConfig({ regExpander: true })).toThrow(/reg-weight: expected a --regularizer/);
    // a resumed run keeps its regulariser unless a flag changes it
    expect(resolveRunConfig({ regWeight: '0.2' }, config).optimization.regularizer).toEqual({ kind: 'sigreg', weight: 0.2, directions: 64, seed: 3 });
    expect(resolveRunConfig({ regularizer: 'none' }, config).optimization.regularizer).toBeNull();
    expect(() => resolveRunConfig({ regularizer: 'barlow' })).toThrow(/regularizer: expected 'sigreg', 'vicreg' or 'none', received "barlow"/);
    expect(() => resolveRunConfig({ regWeight: '0.1' })).toThrow(/reg-weight: expected a --regularizer \(sigreg or vicreg\) to weigh/);
    expect(() => resolveRunConfig({ changeWeighting: '1.5' })).toThrow(/change-weighting: expected a number in \[0, 1\]/);
    expect(() => resolveRunConfig({ masks: 'tubes' })).toThrow(/masks: expected 'official' or 'future', received "tubes"/);
  });

  it('config: defaults, a YAML file with official keys, and flags, in that order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-config-'));
    const file = join(dir, 'run.yaml');
    const yaml = [
      'data: { batch_size: 3, crop_size: 96, num_frames: 8 }',
      'model: { model_name: vit_small, pred_depth: 2, pred_embed_dim: 96 }',
      'optimization: { ipe: 10, epochs: 5, warmup: 1, ipe_scale: 1.25, lr: 0.002, ema: [0.99, 1.0] }',
      'mask:',
      '  - { spatial_scale: [0.2, 0.2], temporal_scale: [1.0, 1.0], aspect_ratio: [0.75, 1.5], num_blocks: 4 }',
      'loss: { loss_exp: 2.0, reg_coeff: 0.0 }',
      'meta: { seed: 7 }',
    ].join('\n');
    writeFileSync(file, yaml);
    const config = resolveRunConfig({ config: file, batchSize: '5' });
    expect(config.data).toMatchObject({ batchSize: 5, crop: 96, frames: 8 });
    expect(config.model.encoder).toMatchObject({ dim: 384, depth: 12, heads: 6, imageSize: 96, frames: 8 });
    expect(config.model.predictor).toEqual({ dim: 96, depth: 2 });
    expect(config.optimization).toMatchObject({ steps: 50, warmupSteps: 10, scheduleSteps: 62, clipFromStep: 20, lr: 0.002, ema: [0.99, 1.0], lossExp: 2 });
    expect(config.mask).toEqual([{ type: 'multiblock', spatialScale: [0.2, 0.2], temporalScale: [1, 1], aspectRatio: [0.75, 1.5], numBlocks: 4, maxTemporalKeep: undefined, maxKeep: null }]);
    expect(config.seed).toBe(7);
    expect(resolveRunConfig({}).model.encoder).toMatchObject({ dim: 192, depth: 12, imageSize: 64, frames: 16 });
    expect(() => resolveRunConfig({ model: 'enormous' })).toThrow(/model: expected one of tiny, small/);
    expect(() => resolveRunConfig({ steps: '0' })).toThrow(/steps: expected an integer ≥ 1, received "0"/);
  });
});
