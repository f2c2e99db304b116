import { MetricsFileError, normaliseRows, parseMetricsJsonl, parseReport, series } from './metrics_jsonl';

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
    expect(series(run.steps, 'step', 'loss')).toEqual([{ x: 10, y: 2.1 }, { x: 20, y: 1.4 }]);
    expect(series(run.epochs, 'epoch', 'valAccuracy')).toEqual([{ x: 1, y: 0.6 }]);
    expect(series(run.epochs, 'epoch', 'valMeanIoU')).toEqual([]);
  });

  it('tolerates a partial last line (a run being written) and CRLF', () => {
    const run = parseMetricsJsonl(`${RUN.replace(/\n/g, '\r\n')}\r\n{"type":"st`);
    expect(run.steps).toHaveLength(2);
  });

  it('names the file and line of a corrupt record', () => {
    const text = `${RUN.split('\n')[0]}\nnot json\n${RUN.split('\n')[1]}`;
    expect(() => parseMetricsJsonl(text, 'run/metrics.jsonl')).toThrow(MetricsFileError);
    expect(() => parseMetricsJsonl(text, 'run/metrics.jsonl')).toThrow(/^run\/metrics\.jsonl, line 2: not JSON/);
    expect(() => parseMetricsJsonl('{"type":"step","step":"x","loss":1}\n')).toThrow("line 1: a 'step' record needs numeric step and loss");
    expect(() => parseMetricsJsonl('[1]\n')).toThrow('line 1: expected a JSON object');
  });

  it('refuses a file with no trainer records', () => {
    expect(() => parseMetricsJsonl('{"a":1}\n')).toThrow('is this a trainer metrics.jsonl?');
  });
});

describe('parseReport', () => {
  it('reads the confusion matrix and class names', () => {
    const report = parseReport(JSON.stringify({ task: 'classification', metrics: { accuracy: 0.5 }, confusionMatrix: [[3, 1], [0, 0]], classNames: ['a', 'b'] }));
    expect(report.classNames).toEqual(['a', 'b']);
    expect(normaliseRows(report.confusionMatrix)).toEqual([[0.75, 0.25], [0, 0]]);
  });

  it('refuses malformed matrices', () => {
    expect(() => parseReport('{"confusionMatrix":[[1,2]]}')).toThrow('confusionMatrix must be a square matrix of numbers');
    expect(() => parseReport('{"confusionMatrix":[[1]],"classNames":["a","b"]}')).toThrow('2 classNames for a 1×1 confusion matrix');
    expect(() => parseReport('nope')).toThrow('report.json, line 1: not JSON');
  });
});
