import * as tf from '@tensorflow/tfjs-core';
import { fail, movingAverage, sameShape, type Module } from '@vjepa/core';

/** One state entry of the target and the online variable it follows. */
interface EmaPair {
  key: string;
  target: tf.Variable;
  online: tf.Variable;
}

/**
 * Pairs every state entry of `target` with the one of `online` under the same key, checking that both
 * state dicts have exactly the same keys and shapes. Throws (listing the offending keys) before anything
 * is written.
 */
function pairStates(target: Module, online: Module): EmaPair[] {
  const targetState = target.stateDict();
  const onlineState = online.stateDict();
  const missing: string[] = [];
  const mismatched: string[] = [];
  const pairs: EmaPair[] = [];
  for (const [key, targetVariable] of targetState) {
    const onlineVariable = onlineState.get(key);
    if (onlineVariable === undefined) missing.push(key);
    else if (!sameShape(targetVariable.shape, onlineVariable.shape)) {
      mismatched.push(`${key} (target [${targetVariable.shape}], online [${onlineVariable.shape}])`);
    } else pairs.push({ key, target: targetVariable, online: onlineVariable });
  }
  const unexpected = [...onlineState.keys()].filter((key) => !targetState.has(key));
  if (missing.length || unexpected.length || mismatched.length) {
    const parts = [
      missing.length ? `missing in online: ${missing.join(', ')}` : '',
      unexpected.length ? `only in online: ${unexpected.join(', ')}` : '',
      mismatched.length ? `shape differs: ${mismatched.join(', ')}` : '',
    ].filter(Boolean);
    fail(
      'online',
      'a module whose state dict has exactly the keys and shapes of the target',
      `${missing.length + unexpected.length + mismatched.length} mismatching keys`,
      `${parts.join('; ')}. Build the target as a copy of the online encoder (same config)`,
    );
  }
  return pairs;
}

function checkMomentum(momentum: unknown): asserts momentum is number {
  if (typeof momentum !== 'number' || !Number.isFinite(momentum) || momentum < 0 || momentum > 1) {
    fail('momentum', 'a number in [0, 1]', momentum);
  }
}

function applyPairs(pairs: readonly EmaPair[], momentum: number): void {
  for (const pair of pairs) {
    if (pair.target.isDisposed || pair.online.isDisposed) {
      fail(`state '${pair.key}'`, 'a live variable in both modules', 'a disposed variable', 'Do not dispose a module the EMA still follows');
    }
  }
  tf.tidy(() => {
    // Same op order as the official `param_k.mul_(m).add_((1 − m) · param_q)`, both factors rounded to float32.
    for (const { target, online } of pairs) target.assign(movingAverage(target, online, momentum));
  });
}

/**
 * One EMA step, spec §7: `θ_target ← m·θ_target + (1 − m)·θ_online` for EVERY state entry (trainable
 * parameters and fixed tables such as `pos_embed`, as the official loop over all parameters does), in
 * place with `Variable.assign`; no tensor outlives the call.
 *
 * Keys and shapes of both state dicts are checked on every call before anything is written. In a loop,
 * an {@link EmaUpdater} does the check once.
 *
 * @param target - the target (EMA) network; updated in place.
 * @param online - the network it follows (the context encoder); only read.
 * @param momentum - m in [0, 1]; 1 leaves the target unchanged, 0 copies the online weights.
 */
export function emaUpdate(target: Module, online: Module, momentum: number): void {
  checkMomentum(momentum);
  applyPairs(pairStates(target, online), momentum);
}

/**
 * The EMA update bound to one target/online pair: keys and shapes are checked once, at construction,
 * and every `update(m)` is then a loop of in-place assigns inside one `tf.tidy`.
 *
 * It owns no tensors; the modules stay owned by the caller (dispose them, not the updater), and
 * modules must not be rebuilt (new variables) while the updater is in use.
 *
 * @example
 * const ema = new EmaUpdater(targetEncoder, encoder);
 * const momenta = momentumSchedule({ start: 0.998, end: 1, totalSteps: 112_500 });
 * // after each optimizer step:
 * ema.update(momenta.step());
 */
export class EmaUpdater {
  private readonly pairs: readonly EmaPair[];

  constructor(
    readonly target: Module,
    readonly online: Module,
  ) {
    this.pairs = pairStates(target, online);
  }

  /** The state keys the update covers, in the target's order. */
  keys(): string[] {
    return this.pairs.map((pair) => pair.key);
  }

  /** `θ_target ← m·θ_target + (1 − m)·θ_online` for every state entry, in place. */
  update(momentum: number): void {
    checkMomentum(momentum);
    applyPairs(this.pairs, momentum);
  }
}
