/** Programmatic API of the trainer (the CLI is src/cli.ts). */
export { buildConfig, configHash, describeConfigDifferences, TrainConfigSchema, type TrainConfig } from './config';
export { PRESETS, type Preset } from './presets';
export { TrainingRun } from './train';
export { InterruptedError } from './errors';
export { readFinal, type FinalResult } from './final_result';
export { modelConfigFor } from './model_setup';
export { runPaths, type RunPaths } from './run_folder';
export {
  afterValidation,
  type PlateauAction,
  type PlateauDecision,
  type PlateauRule,
  type PlateauState,
} from './plateau_policy';
export { AdamW, SgdMomentum } from '@wavemix/models';
export { learningRateAt, type ScheduleName, type ScheduleOptions } from '@wavemix/models/training';
export { createProgress, type Progress } from './progress';
export { UsageError, DivergenceError } from './errors';
