// clipping only when a norm is set (`clipGrad: null` = none), for loops with an optional clip
export { clipOptional } from './clip';
export {
  WarmupCosineSchedule,
  CosineWDSchedule,
  scheduleSteps,
  type ScheduleState,
  type WarmupCosineOptions,
  type CosineWdOptions,
  type ScheduleSizes,
} from './schedules';
export { AdamW, type AdamWOptions, type AdamWState, type AdamWParamState, type OptimizerGroup, type Gradients } from './adamw';
export { paramGroups, takesWeightDecay, groupParameters, gradientsByKey, type ParamGroup } from './param-groups';
export { clipGradNorm, clipGradNormOnDevice, type ClipResult, type DeviceClipResult } from './clip';
