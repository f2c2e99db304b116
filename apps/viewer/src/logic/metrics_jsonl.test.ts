import { WaveMixError } from '@wavemix/core';
import {
  describeSkipped,
  MetricsFileError,
  normaliseRows,
  parseMetricsJsonl,
  parseReport,
  series,
} from './metrics_jsonl';

const RUN = [
  '{"time":"2025-01-01T00:00:00.000Z","type":"step","epoch":1,"step":10,"loss":2.1,"lr":0.001,"imagesPerSecond":300,"phase":"adamw"}',
  '{"time":"2025-01-01T00:00:01.000Z","type":"step","epoch":1,"step":20,"loss":1.4,"lr":0.002,"imagesPerSecond":310,"phase":"adamw"}',
  '',
  '{"type":"epoch","epoch":1,"step":20,"phase":"adamw","trainLoss":1.7,"trainAccuracy":0.45,"valLoss":1.2,"valAccuracy":0.6,"bestMetric":0.6,"seconds":3}',
  '{"type":"checkpoint","step":20}',
  '{"type":"test","loss":1.1,"accuracy":0.62}',
].join('\n');

describe('parseMetricsJsonl', () => {
  it('sorts the trainer records by type', () => {
    const run = parseMetricsJsonl(RUN);
    expect(run.steps.map((s) => s.loss)).toEqual([2.1, 1.4]);
    expect(run.epochs).toHaveLength(1);
    expect(run.epochs[0]!['valAccuracy']).toBe(0.6);
    expect(run.test).toMatchObject({ accuracy: 0.62 });
    expect(run.ignored).toBe(1);
    expect(series(run.steps, 'step', 'loss')).toEqual([
      { x: 10, y: 2.1 },
      { x: 20, y: 1.4 },
    ]);
    expect(series(run.epochs, 'epoch', 'valAccuracy')).toEqual([{ x: 1, y: 0.6 }]);
    expect(series(run.epochs, 'epoch', 'valMeanIoU')).toEqual([]);
  });

  it('tolerates a partial last line (a run being written) and CRLF, and reports it', () => {
    const run = parseMetricsJsonl(`${RUN.replace(/\n/g, '\r\n')}\r\n{"type":"st`);
    expect(run.steps).toHaveLength(2);
    expect(run.skipped.map((s) => s.line)).toEqual([7]);
  });

  it('skips torn and bad lines mid-file, keeps every good record, and names the lines', () => {
    // A crash tore line 2 (a step cut mid-number), `--resume` appended after it; line 4 is an
    // array, line 6 a step without its loss.
    const lines = RUN.split('\n');
    const text = [
      lines[0],
      '{"time":"2025-01-01T00:00:01.000Z","type":"step","epoch":1,"st',
      lines[1],
      '[1]',
      lines[3],
      '{"type":"step","step":"x"}',
      lines[5],
    ].join('\n');
    const run = parseMetricsJsonl(text, 'run/metrics.jsonl');
    expect(run.steps.map((s) => s.step)).toEqual([10, 20]);
    expect(run.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(run.test).toMatchObject({ accuracy: 0.62 });
    expect(run.skipped.map((s) => s.line)).toEqual([2, 4, 6]);
    expect(run.skipped[0]!.reason).toMatch(/^not JSON/);
    expect(run.skipped[1]!.reason).toBe('expected a JSON object');
    expect(run.skipped[2]!.reason).toBe("a 'step' record needs numeric step and loss");
    expect(describeSkipped(run.skipped, 'run/metrics.jsonl')).toMatch(
      /^run\/metrics\.jsonl: 3 bad lines skipped \(lines 2, 4, 6; first: not JSON/,
    );
    expect(describeSkipped([])).toBe('');
    const many = Array.from({ length: 12 }, (_, i) => ({ line: i + 1, reason: 'not JSON' }));
    expect(describeSkipped(many)).toBe(
      'metrics.jsonl: 12 bad lines skipped (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … 2 more; first: not JSON)',
    );
  });

  it('refuses a file with no usable trainer record, naming the first bad line', () => {
    expect(() => parseMetricsJsonl('{"a":1}\n')).toThrow('is this a trainer metrics.jsonl?');
    const notJson = () => parseMetricsJsonl('hello\nworld\n', 'notes.txt');
    expect(notJson).toThrow(MetricsFileError);
    expect(notJson).toThrow(WaveMixError);
    expect(notJson).toThrow(/^notes\.txt, line 1: no usable .*; line 1: not JSON/);
  });
});

describe('parseReport', () => {
  it('reads the confusion matrix and class names', () => {
    const report = parseReport(
      JSON.stringify({
        task: 'classification',
        metrics: { accuracy: 0.5 },
        confusionMatrix: [
          [3, 1],
          [0, 0],
        ],
        classNames: ['a', 'b'],
      }),
    );
    expect(report.classNames).toEqual(['a', 'b']);
    expect(normaliseRows(report.confusionMatrix)).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });

  it('refuses malformed matrices', () => {
    expect(() => parseReport('{"confusionMatrix":[[1,2]]}')).toThrow(
      'confusionMatrix must be a square matrix of numbers',
    );
    expect(() => parseReport('{"confusionMatrix":[[1]],"classNames":["a","b"]}')).toThrow(
      '2 classNames for a 1×1 confusion matrix',
    );
    expect(() => parseReport('nope')).toThrow('report.json, line 1: not JSON');
  });
});
