/** 5. Training run: metrics.jsonl curves (bad lines skipped and reported) and report.json's confusion matrix. */
import type { TaskQueue } from '../app/tasks';
import { metricAxis } from '../logic/chart_scales';
import {
  describeSkipped,
  normaliseRows,
  parseMetricsJsonl,
  parseReport,
  series,
  type MetricsRun,
  type RunReport,
} from '../logic/metrics_jsonl';
import { chartOn, confusionChart, curvesChart } from '../ui/charts';
import { $ } from '../ui/dom';
import { clearMessages, showMessage } from '../ui/messages';
import type { Panel } from './panel';

const ANCHOR = 'training-section';
const COLORS = ['#1f4e8c', '#c0392b', '#27864a', '#a0591b', '#6c3483'];

export class RunsPanel implements Panel {
  private run: MetricsRun | null = null;
  private report: RunReport | null = null;

  constructor(private readonly tasks: TaskQueue) {
    $<HTMLInputElement>('metrics-file').addEventListener('change', (event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (!file) return;
      void this.tasks.run(`Reading ${file.name}`, ANCHOR, async () => {
        clearMessages(ANCHOR);
        this.run = parseMetricsJsonl(await file.text(), file.name);
        const skipped = describeSkipped(this.run.skipped, file.name);
        if (skipped) showMessage(ANCHOR, skipped, 'warning');
        this.renderRun();
      });
    });
    $<HTMLInputElement>('report-file').addEventListener('change', (event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (!file) return;
      void this.tasks.run(`Reading ${file.name}`, ANCHOR, async () => {
        this.report = parseReport(await file.text(), file.name);
        const { confusionMatrix, classNames } = this.report;
        confusionChart(
          $<HTMLCanvasElement>('confusion-chart'),
          normaliseRows(confusionMatrix),
          confusionMatrix,
          classNames,
        );
      });
    });
  }

  private renderRun(): void {
    const run = this.run!;
    const lossCurves = [
      { label: 'train loss (steps)', points: series(run.steps, 'step', 'loss'), color: '#9db4d6' },
      { label: 'train loss (epochs)', points: series(run.epochs, 'step', 'trainLoss'), color: '#1f4e8c' },
      { label: 'validation loss', points: series(run.epochs, 'step', 'valLoss'), color: '#c0392b' },
    ].filter((c) => c.points.length > 0);
    curvesChart($<HTMLCanvasElement>('loss-chart'), 'Loss', 'step', lossCurves);
    const metricKeys = new Set<string>();
    for (const record of run.epochs) {
      for (const [key, value] of Object.entries(record)) {
        if (typeof value === 'number' && (key === 'trainAccuracy' || (key.startsWith('val') && key !== 'valLoss')))
          metricKeys.add(key);
      }
    }
    curvesChart(
      $<HTMLCanvasElement>('accuracy-chart'),
      'Accuracy and validation metrics',
      'epoch',
      [...metricKeys].map((key, i) => ({
        label: key,
        points: series(run.epochs, 'epoch', key),
        color: COLORS[i % COLORS.length]!,
        axis: metricAxis(key),
      })),
    );
    const test = run.test
      ? Object.entries(run.test)
          .filter(([k, v]) => typeof v === 'number' && k !== 'time')
          .map(([k, v]) => `${k} ${(v as number).toFixed(4)}`)
          .join(', ')
      : 'none';
    $('run-info').textContent = `${run.steps.length} step records, ${run.epochs.length} epochs; test: ${test}`;
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    return {
      run: () =>
        this.run && {
          steps: this.run.steps.length,
          epochs: this.run.epochs.length,
          test: this.run.test,
          skipped: this.run.skipped.map((s) => s.line),
        },
      report: () => this.report && { classes: this.report.classNames.length },
      /** [label, y axis] of each curve of the accuracy chart. */
      accuracyAxes: () =>
        (chartOn($<HTMLCanvasElement>('accuracy-chart'))?.data.datasets ?? []).map((d) => [
          d.label,
          (d as { yAxisID?: string }).yAxisID,
        ]),
      /** Tooltip and colour the confusion chart gives the cell (true class i, predicted j). */
      confusionCell: (i: number, j: number) => {
        const chart = chartOn($<HTMLCanvasElement>('confusion-chart'));
        const n = this.report?.classNames.length ?? 0;
        if (!chart || !n) return null;
        const dataset = chart.data.datasets[0] as unknown as {
          data: unknown[];
          backgroundColor: (c: { raw: unknown }) => string;
        };
        const raw = dataset.data[i * n + j];
        const label = chart.options.plugins!.tooltip!.callbacks!.label as unknown as (item: {
          raw: unknown;
        }) => string[];
        return { tooltip: label({ raw }), color: dataset.backgroundColor({ raw }) };
      },
    };
  }
}
