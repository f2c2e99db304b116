/**
 * The run folder's layout: where checkpoints, metrics, the final result and the config go.
 */
import { join, resolve } from 'node:path';

export interface RunPaths {
  output: string;
  checkpoints: string;
  last: string;
  best: string;
  metrics: string;
  final: string;
  config: string;
}

export function runPaths(output: string): RunPaths {
  const root = resolve(output);
  const checkpoints = join(root, 'checkpoints');
  return {
    output: root,
    checkpoints,
    last: join(checkpoints, 'last.safetensors'),
    best: join(checkpoints, 'best.safetensors'),
    metrics: join(root, 'metrics.jsonl'),
    final: join(root, 'final.json'),
    config: join(root, 'config.json'),
  };
}
