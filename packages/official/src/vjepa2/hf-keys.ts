/**
 * The key map between the official V-JEPA 2 state dicts and the Hugging Face `VJEPA2Model` /
 * `VJEPA2ForVideoClassification` layout, as `convert_vjepa2_to_hf.py` and
 * `convert_vjepa2_classifier_to_hf.py` do it (spec §4), in both directions from one table.
 *
 * @packageDocumentation
 */
import type { Vjepa2Group } from './official-keys';

/** The prefix of the encoder and predictor keys in a `VJEPA2ForVideoClassification` folder. */
export const HF_CLASSIFIER_PREFIX = 'vjepa2.';

/** The stacked mask tokens of the Hugging Face predictor, `[numMaskTokens, 1, 1, P]`. */
export const HF_MASK_TOKENS = 'predictor.embeddings.mask_tokens';

const PLACEHOLDERS: Record<string, string> = { i: '(\\d+)', p: '(weight|bias)', n: '([12])', f: '(fc[12])' };

/** One row of the table: an official key template and the Hugging Face one(s) (several: equal row chunks). */
interface Rule {
  group: Vjepa2Group;
  official: string;
  hf: string[];
}

function block(group: Vjepa2Group, official: string, hf: string): Rule[] {
  return [
    { group, official: `${official}.{i}.attn.qkv.{p}`, hf: ['query', 'key', 'value'].map((x) => `${hf}.{i}.attention.${x}.{p}`) },
    { group, official: `${official}.{i}.attn.proj.{p}`, hf: [`${hf}.{i}.attention.proj.{p}`] },
    { group, official: `${official}.{i}.norm{n}.{p}`, hf: [`${hf}.{i}.norm{n}.{p}`] },
    { group, official: `${official}.{i}.mlp.{f}.{p}`, hf: [`${hf}.{i}.mlp.{f}.{p}`] },
  ];
}

const RULES: readonly Rule[] = [
  { group: 'encoder', official: 'patch_embed.proj.{p}', hf: ['encoder.embeddings.patch_embeddings.proj.{p}'] },
  ...block('encoder', 'blocks', 'encoder.layer'),
  { group: 'encoder', official: 'norm.{p}', hf: ['encoder.layernorm.{p}'] },
  { group: 'predictor', official: 'predictor_embed.{p}', hf: ['predictor.embeddings.predictor_embeddings.{p}'] },
  ...block('predictor', 'predictor_blocks', 'predictor.layer'),
  { group: 'predictor', official: 'predictor_norm.{p}', hf: ['predictor.layernorm.{p}'] },
  { group: 'predictor', official: 'predictor_proj.{p}', hf: ['predictor.proj.{p}'] },
  { group: 'probe', official: 'pooler.query_tokens', hf: ['pooler.query_tokens'] },
  { group: 'probe', official: 'pooler.blocks.{i}.norm{n}.{p}', hf: ['pooler.self_attention_layers.{i}.layer_norm{n}.{p}'] },
  { group: 'probe', official: 'pooler.blocks.{i}.attn.qkv.{p}', hf: ['q', 'k', 'v'].map((x) => `pooler.self_attention_layers.{i}.self_attn.${x}_proj.{p}`) },
  { group: 'probe', official: 'pooler.blocks.{i}.attn.proj.{p}', hf: ['pooler.self_attention_layers.{i}.self_attn.out_proj.{p}'] },
  { group: 'probe', official: 'pooler.blocks.{i}.mlp.{f}.{p}', hf: ['pooler.self_attention_layers.{i}.mlp.{f}.{p}'] },
  { group: 'probe', official: 'pooler.cross_attention_block.norm{n}.{p}', hf: ['pooler.cross_attention_layer.layer_norm{n}.{p}'] },
  { group: 'probe', official: 'pooler.cross_attention_block.xattn.q.{p}', hf: ['pooler.cross_attention_layer.cross_attn.q_proj.{p}'] },
  { group: 'probe', official: 'pooler.cross_attention_block.xattn.kv.{p}', hf: ['k', 'v'].map((x) => `pooler.cross_attention_layer.cross_attn.${x}_proj.{p}`) },
  { group: 'probe', official: 'pooler.cross_attention_block.mlp.{f}.{p}', hf: ['pooler.cross_attention_layer.mlp.{f}.{p}'] },
  { group: 'probe', official: 'linear.{p}', hf: ['classifier.{p}'] },
];

/** A template `a.{i}.b.{p}` as a regex capturing its placeholders, and their names in order. */
function compile(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[a-z]\})/)
    .map((part) => {
      const m = /^\{([a-z])\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]);
      return PLACEHOLDERS[m[1]];
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), names };
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z])\}/g, (_, name: string) => values[name]);
}

const COMPILED = RULES.map((rule) => ({ rule, official: compile(rule.official), hf: rule.hf.map(compile) }));

function matchValues(compiled: { regex: RegExp; names: string[] }, name: string): Record<string, string> | null {
  const m = compiled.regex.exec(name);
  if (!m) return null;
  return Object.fromEntries(compiled.names.map((n, i) => [n, m[i + 1]]));
}

function prefixOf(group: Vjepa2Group, classifier: boolean): string {
  return classifier && group !== 'probe' ? HF_CLASSIFIER_PREFIX : '';
}

/** Where an official key goes: Hugging Face names (several = equal row chunks of it) or one row of the stacked mask tokens. */
export type HfTarget = { kind: 'tensors'; names: string[] } | { kind: 'mask-token'; name: string; index: number };

/**
 * The Hugging Face name(s) of an official key.
 *
 * @param group - its state dict.
 * @param key - the official key (`blocks.0.attn.qkv.weight`, `mask_tokens.3`, …).
 * @param classifier - whether for a `VJEPA2ForVideoClassification` (encoder and predictor prefixed `vjepa2.`).
 * @returns the target, or null for a key the layout has no place for.
 */
export function officialToHf(group: Vjepa2Group, key: string, classifier: boolean): HfTarget | null {
  const prefix = prefixOf(group, classifier);
  const token = group === 'predictor' ? /^mask_tokens\.(\d+)$/.exec(key) : null;
  if (token) return { kind: 'mask-token', name: prefix + HF_MASK_TOKENS, index: Number(token[1]) };
  for (const { rule, official } of COMPILED) {
    if (rule.group !== group) continue;
    const values = matchValues(official, key);
    if (values) return { kind: 'tensors', names: rule.hf.map((t) => prefix + fill(t, values)) };
  }
  return null;
}

/** Where a Hugging Face tensor comes from: chunk `part` of `parts` of an official key, or the stacked mask tokens. */
export type OfficialSource = { group: Vjepa2Group; kind: 'part'; key: string; part: number; parts: number } | { group: 'predictor'; kind: 'mask-tokens' };

/**
 * The official key of a Hugging Face tensor name.
 *
 * @param name - the Hugging Face name.
 * @param classifier - whether the folder is a `VJEPA2ForVideoClassification` (encoder and predictor names carry `vjepa2.`).
 * @returns the source, or null for a name the layout does not have.
 */
export function hfToOfficial(name: string, classifier: boolean): OfficialSource | null {
  for (const { rule, official, hf } of COMPILED) {
    const prefix = prefixOf(rule.group, classifier);
    if (!name.startsWith(prefix)) continue;
    const bare = name.slice(prefix.length);
    for (let part = 0; part < hf.length; part++) {
      const values = matchValues(hf[part], bare);
      if (values) return { group: rule.group, kind: 'part', key: fill(rule.official, values), part, parts: hf.length };
    }
  }
  if (name === prefixOf('predictor', classifier) + HF_MASK_TOKENS) return { group: 'predictor', kind: 'mask-tokens' };
  return null;
}

/** An official key named in Hugging Face terms, for messages (`encoder.layer.0.attention.query/key/value.weight`). */
export function hfNameForMessages(group: Vjepa2Group, key: string, classifier: boolean): string {
  const target = officialToHf(group, key, classifier);
  if (!target) return key;
  if (target.kind === 'mask-token') return `${target.name}[${target.index}]`;
  return target.names.join(' + ');
}
