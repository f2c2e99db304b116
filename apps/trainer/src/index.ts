/** Programmatic API of the trainer (the CLI is src/cli.ts). */
export { buildConfig, configHash, describeConfigDifferences, TrainConfigSchema, type TrainConfig } from './config';
export { PRESETS, type Preset } from './presets';
export { TrainingRun, InterruptedError, readFinal, runPaths, modelConfigFor, type FinalResult } from './train';
export { AdamW, SgdMomentum } from '@wavemix/models';
export { learningRateAt, type ScheduleName, type ScheduleOptions } from '@wavemix/models/training';
export { createProgress, type Progress } from './progress';
export { UsageError, DivergenceError } from './errors';
