/**
 * The momentum schedule and the in-place EMA update of a V-JEPA target encoder (spec §7).
 *
 * @packageDocumentation
 */
export {
  MomentumSchedule,
  momentumSchedule,
  momentumTotalSteps,
  type MomentumScheduleOptions,
  type MomentumScheduleState,
  type ScheduleSizeOptions,
} from './momentum';
export { EmaUpdater, emaUpdate } from './ema';
