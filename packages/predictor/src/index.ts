export { Predictor, type PredictorInitOptions } from './predictor';
export { PREDICTOR_DEFAULTS, resolvePredictorConfig, type PredictorConfig, type ResolvedPredictorConfig } from './config';
