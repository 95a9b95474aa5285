import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { checkKeys, closestKey, fail, optionKeys, UsageError } from '@vjepa/core';
import type { MaskGeneratorConfig } from '@vjepa/masking';
import { finite, integer, pair } from './config-values';

/** A value of a config file as it was read: `resolveRunConfig` checks the ones it uses. */
type Raw = unknown;

/** `data` of the official pretraining config. */
export interface OfficialDataSection {
  dataset_type?: Raw; datasets?: Raw; datasets_weights?: Raw; decode_one_clip?: Raw; batch_size?: Raw; num_clips?: Raw; num_frames?: Raw;
  tubelet_size?: Raw; sampling_rate?: Raw; crop_size?: Raw; patch_size?: Raw; pin_mem?: Raw; num_workers?: Raw; filter_short_videos?: Raw;
  clip_duration?: Raw;
}

/** `data_aug` of the official pretraining config (accepted, unused: the port's augmentation is the official default). */
export interface OfficialDataAugSection {
  auto_augment?: Raw; motion_shift?: Raw; random_resize_aspect_ratio?: Raw; random_resize_scale?: Raw; reprob?: Raw;
}

/** `logging` of the official pretraining config (accepted, unused). */
export interface OfficialLoggingSection {
  folder?: Raw; write_tag?: Raw;
}

/** `loss` of the official pretraining config. */
export interface OfficialLossSection {
  loss_exp?: Raw; reg_coeff?: Raw;
}

/** One entry of `mask` (a multiblock generator; `ratio` makes it a random-tube one). */
export interface OfficialMaskEntry {
  aspect_ratio?: Raw; num_blocks?: Raw; spatial_scale?: Raw; temporal_scale?: Raw; max_temporal_keep?: Raw; max_keep?: Raw; ratio?: Raw;
}

/** `meta` of the official pretraining config. */
export interface OfficialMetaSection {
  load_checkpoint?: Raw; read_checkpoint?: Raw; seed?: Raw; eval_freq?: Raw; use_sdpa?: Raw; dtype?: Raw;
}

/** `model` of the official pretraining config. */
export interface OfficialModelSection {
  model_name?: Raw; pred_depth?: Raw; pred_embed_dim?: Raw; uniform_power?: Raw; use_mask_tokens?: Raw; zero_init_mask_tokens?: Raw;
}

/** `optimization` of the official pretraining config. */
export interface OfficialOptimizationSection {
  ipe?: Raw; ipe_scale?: Raw; clip_grad?: Raw; weight_decay?: Raw; final_weight_decay?: Raw; epochs?: Raw; warmup?: Raw; start_lr?: Raw;
  lr?: Raw; final_lr?: Raw; ema?: Raw; betas?: Raw; eps?: Raw;
}

/** The official pretraining config (`app/vjepa/train.py` of facebookresearch/jepa), as {@link readOfficialConfig} reads it. */
export interface OfficialConfig {
  app?: Raw;
  nodes?: Raw;
  tasks_per_node?: Raw;
  data?: OfficialDataSection | null;
  data_aug?: OfficialDataAugSection | null;
  logging?: OfficialLoggingSection | null;
  loss?: OfficialLossSection | null;
  mask?: OfficialMaskEntry[] | null;
  meta?: OfficialMetaSection | null;
  model?: OfficialModelSection | null;
  optimization?: OfficialOptimizationSection | null;
}

/**
 * Every key of the official pretraining config, by section (`''`: the top level). A config may hold all of
 * them (the released YAMLs do); those this port does not use (the cluster layout, logging, dtype, …) are
 * accepted and have no effect. Any other key is refused.
 */
export const OFFICIAL_CONFIG_KEYS = {
  '': optionKeys<OfficialConfig>({
    app: true, nodes: true, tasks_per_node: true, data: true, data_aug: true, logging: true, loss: true, mask: true, meta: true, model: true, optimization: true,
  }),
  data: optionKeys<OfficialDataSection>({
    dataset_type: true, datasets: true, datasets_weights: true, decode_one_clip: true, batch_size: true, num_clips: true, num_frames: true,
    tubelet_size: true, sampling_rate: true, crop_size: true, patch_size: true, pin_mem: true, num_workers: true, filter_short_videos: true,
    clip_duration: true,
  }),
  data_aug: optionKeys<OfficialDataAugSection>({ auto_augment: true, motion_shift: true, random_resize_aspect_ratio: true, random_resize_scale: true, reprob: true }),
  logging: optionKeys<OfficialLoggingSection>({ folder: true, write_tag: true }),
  loss: optionKeys<OfficialLossSection>({ loss_exp: true, reg_coeff: true }),
  mask: optionKeys<OfficialMaskEntry>({
    aspect_ratio: true, num_blocks: true, spatial_scale: true, temporal_scale: true, max_temporal_keep: true, max_keep: true, ratio: true,
  }),
  meta: optionKeys<OfficialMetaSection>({ load_checkpoint: true, read_checkpoint: true, seed: true, eval_freq: true, use_sdpa: true, dtype: true }),
  model: optionKeys<OfficialModelSection>({
    model_name: true, pred_depth: true, pred_embed_dim: true, uniform_power: true, use_mask_tokens: true, zero_init_mask_tokens: true,
  }),
  optimization: optionKeys<OfficialOptimizationSection>({
    ipe: true, ipe_scale: true, clip_grad: true, weight_decay: true, final_weight_decay: true, epochs: true, warmup: true, start_lr: true,
    lr: true, final_lr: true, ema: true, betas: true, eps: true,
  }),
} as const;

/** Names people write for official keys, so that a typo of them is pointed at the official one. */
const CONFIG_ALIASES: Record<string, Record<string, string>> = {
  optimization: { learning_rate: 'lr', base_lr: 'lr', min_lr: 'final_lr', wd: 'weight_decay', warmup_epochs: 'warmup', momentum: 'ema' },
  data: { frames: 'num_frames', crop: 'crop_size', image_size: 'crop_size', batch: 'batch_size', frame_step: 'sampling_rate' },
  model: { name: 'model_name', model: 'model_name' },
  meta: { random_seed: 'seed' },
};

/** Refuses unknown sections and keys of an official config, naming `file`, the key, the known keys and a likely fix. */
export function checkOfficialConfig(file: string, config: Record<string, unknown>): void {
  const sections: readonly string[] = OFFICIAL_CONFIG_KEYS[''];
  for (const key of Object.keys(config)) {
    if (sections.includes(key)) continue;
    const guess = closestKey(key, sections);
    throw new UsageError(
      `--config ${file}: ${key}: expected a section of the official config (one of ${sections.join(', ')}), received an unknown section ${JSON.stringify(key)}. ` +
        (guess ? `Did you mean "${guess}"?` : 'Remove it or fix its name.'),
    );
  }
  for (const [section, keys] of Object.entries(OFFICIAL_CONFIG_KEYS)) {
    if (section === '' || config[section] === undefined || config[section] === null) continue;
    const where = `--config ${file}: ${section}`;
    if (section === 'mask') {
      if (!Array.isArray(config.mask)) fail(where, 'a list of mask generator entries', config.mask);
      config.mask.forEach((entry, index) => checkKeys(`${where}[${index}]`, entry, keys));
      continue;
    }
    checkKeys(where, config[section], keys, CONFIG_ALIASES[section]);
  }
}

/** Reads a JSON or YAML config with the official keys (`data.batch_size`, `optimization.lr`, `mask: [...]`, …); unknown keys are refused. */
export function readOfficialConfig(file: string): OfficialConfig {
  if (!existsSync(file) || !statSync(file).isFile()) fail('--config', 'an existing JSON or YAML file', file);
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    fail(`--config ${file}`, `valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}`, (error as Error).message.split('\n')[0]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail(`--config ${file}`, 'a mapping of sections', parsed);
  checkOfficialConfig(file, parsed as Record<string, unknown>);
  return parsed as OfficialConfig;
}

/** The official mask entry (`spatial_scale`, `temporal_scale`, `aspect_ratio`, `num_blocks`, …) as a generator config. */
export function maskFromOfficial(entry: OfficialMaskEntry, index: number): MaskGeneratorConfig {
  const where = `mask[${index}]`;
  if (entry.ratio !== undefined) return { type: 'tube', ratio: finite(`${where}.ratio`, entry.ratio, 0, true) };
  return {
    type: 'multiblock',
    spatialScale: entry.spatial_scale === undefined ? undefined : pair(`${where}.spatial_scale`, entry.spatial_scale),
    temporalScale: entry.temporal_scale === undefined ? undefined : pair(`${where}.temporal_scale`, entry.temporal_scale),
    aspectRatio: entry.aspect_ratio === undefined ? undefined : pair(`${where}.aspect_ratio`, entry.aspect_ratio),
    numBlocks: entry.num_blocks === undefined ? undefined : integer(`${where}.num_blocks`, entry.num_blocks),
    maxTemporalKeep: entry.max_temporal_keep === undefined ? undefined : finite(`${where}.max_temporal_keep`, entry.max_temporal_keep, 0, true),
    maxKeep: entry.max_keep === undefined || entry.max_keep === null ? null : integer(`${where}.max_keep`, entry.max_keep),
  };
}
