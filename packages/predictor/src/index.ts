export { Predictor, type PredictorInitOptions } from './predictor';
export { PREDICTOR_DEFAULTS, resolvePredictorConfig, type PredictorConfig, type ResolvedPredictorConfig } from './config';
export { PredictorV2 } from './predictor-v2';
export { PREDICTOR_V2_DEFAULTS, resolvePredictorV2Config, type PredictorV2Config, type ResolvedPredictorV2Config } from './config-v2';
