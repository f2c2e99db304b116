/** Chart.js (bundled, canvas) for the top-k bars, the training curves and the confusion heatmap. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { confusionAlpha, confusionTooltip, type MetricAxis } from '../logic/chart_scales';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Title,
  Tooltip,
  MatrixController,
  MatrixElement,
);
// Deterministic pictures (screenshot tests) and no waiting for transitions.
Chart.defaults.animation = false;
Chart.defaults.devicePixelRatio = 1;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'DejaVu Sans, Arial, sans-serif';

const charts = new WeakMap<HTMLCanvasElement, Chart>();

/** Draws `config` on `canvas`, replacing the chart it had. */
export function drawChart(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  charts.get(canvas)?.destroy();
  const chart = new Chart(canvas, config);
  charts.set(canvas, chart);
  return chart;
}

export function topKChart(
  canvas: HTMLCanvasElement,
  predictions: Array<{ className: string; probability: number }>,
): Chart {
  return drawChart(canvas, {
    type: 'bar',
    data: {
      labels: predictions.map((p) => p.className),
      datasets: [{ label: 'probability', data: predictions.map((p) => p.probability), backgroundColor: '#3b6ea8' }],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { min: 0, max: 1, title: { display: true, text: 'probability' } } },
      plugins: { legend: { display: false }, title: { display: true, text: `Top ${predictions.length} predictions` } },
    },
  });
}

export interface Curve {
  label: string;
  points: Array<{ x: number; y: number }>;
  color: string;
  /** Which y axis (default 'fraction' on the left; the others get their own scale on the right). */
  axis?: MetricAxis;
}

const AXIS_TITLES: Record<MetricAxis, string> = {
  fraction: 'accuracy / IoU',
  calibration: 'calibration error (lower is better)',
  decibel: 'PSNR (dB)',
  other: 'value',
};

export function curvesChart(canvas: HTMLCanvasElement, title: string, xTitle: string, curves: Curve[]): Chart {
  const axes = [...new Set(curves.map((c) => c.axis ?? 'fraction'))];
  const scales: Record<string, object> = { x: { type: 'linear', title: { display: true, text: xTitle } } };
  if (axes.length <= 1) scales['y'] = { type: 'linear' };
  else {
    axes.forEach((axis, i) => {
      scales[axis === axes[0] ? 'y' : axis] = {
        type: 'linear',
        position: i === 0 ? 'left' : 'right',
        title: { display: true, text: AXIS_TITLES[axis] },
        grid: { drawOnChartArea: i === 0 },
      };
    });
  }
  return drawChart(canvas, {
    type: 'line',
    data: {
      datasets: curves.map((c) => ({
        label: c.label,
        data: c.points,
        borderColor: c.color,
        backgroundColor: c.color,
        pointRadius: c.points.length > 40 ? 0 : 3,
        borderWidth: 2,
        yAxisID: axes.length <= 1 || (c.axis ?? 'fraction') === axes[0] ? 'y' : c.axis,
        // The secondary-axis curves are dashed, so the legend says which axis a line reads on.
        borderDash: axes.length > 1 && (c.axis ?? 'fraction') !== axes[0] ? [6, 4] : [],
      })),
    },
    options: {
      parsing: false,
      scales,
      plugins: { title: { display: true, text: title } },
    },
  } as ChartConfiguration);
}

/** Heatmap of a row-normalised confusion matrix; `counts` label the tooltips. */
export function confusionChart(
  canvas: HTMLCanvasElement,
  normalised: number[][],
  counts: number[][],
  classNames: string[],
): Chart {
  const n = classNames.length;
  const data = normalised.flatMap((row, i) =>
    row.map((v, j) => ({ x: classNames[j]!, y: classNames[i]!, v, count: counts[i]![j]! })),
  );
  return drawChart(canvas, {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: 'confusion',
          data,
          backgroundColor: (context: { raw?: unknown }) => {
            const v = (context.raw as { v?: number } | undefined)?.v ?? 0;
            return `rgba(32, 84, 160, ${confusionAlpha(v)})`;
          },
          borderColor: 'rgba(0, 0, 0, 0.15)',
          borderWidth: 1,
          width: ({ chart }: { chart: Chart }) => (chart.chartArea?.width ?? 0) / n - 1,
          height: ({ chart }: { chart: Chart }) => (chart.chartArea?.height ?? 0) / n - 1,
        },
      ],
    },
    options: {
      scales: {
        x: {
          type: 'category',
          labels: classNames,
          offset: true,
          title: { display: true, text: 'predicted class' },
          grid: { display: false },
        },
        y: {
          type: 'category',
          labels: classNames,
          offset: true,
          reverse: false,
          title: { display: true, text: 'true class' },
          grid: { display: false },
        },
      },
      plugins: {
        legend: { display: false },
        title: { display: true, text: 'Confusion matrix (rows: true class, normalised; √ colour scale)' },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (item: { raw: unknown }) => {
              const raw = item.raw as { x: string; y: string; v: number; count: number };
              return confusionTooltip(raw.y, raw.x, raw.count, raw.v);
            },
          },
        },
      },
    },
  } as unknown as ChartConfiguration);
}

/** The chart drawn on `canvas` (for the page's test hook). */
export function chartOn(canvas: HTMLCanvasElement): Chart | undefined {
  return charts.get(canvas);
}
