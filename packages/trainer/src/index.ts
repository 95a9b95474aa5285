export { gatherTargets, targetFeatures, vjepaLoss } from './loss';
