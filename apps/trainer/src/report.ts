/**
 * The human-facing report of a run: report.json (machine-readable), report.md (confusion matrix,
 * per-class figures, worst examples) and worst.png (a grid of the worst-classified test images).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@wavemix/core/node';
import { encodePng, type Dataset } from '@wavemix/datasets';
import type { Evaluation } from './evaluate';
import type { TrainerTask } from './tasks';

export async function writeReport(
  output: string,
  evaluation: Evaluation,
  data: Dataset,
  task: TrainerTask,
): Promise<void> {
  const { confusion, classNames, worst, metrics } = evaluation;
  const report: Record<string, unknown> = { task, metrics };
  const lines: string[] = [`# Test report (${data.name}, ${data.size} examples)`, ''];
  lines.push('| metric | value |', '|---|---|');
  for (const [key, value] of Object.entries(metrics)) {
    if (value !== undefined) lines.push(`| ${key} | ${Number(value).toFixed(4)} |`);
  }
  lines.push('');
  if (confusion) {
    const matrix = confusion.matrix();
    const names = classNames.length ? classNames : matrix.map((_, i) => String(i));
    const perClass = task === 'segmentation' ? confusion.perClassIoU() : confusion.perClassAccuracy();
    const perClassName = task === 'segmentation' ? 'iou' : 'accuracy';
    report['confusionMatrix'] = matrix;
    report['classNames'] = names;
    report[task === 'segmentation' ? 'perClassIoU' : 'perClassAccuracy'] = perClass;
    lines.push(`## Per-class ${perClassName}`, '', `| class | ${perClassName} | support |`, '|---|---|---|');
    matrix.forEach((row, i) => {
      const support = row.reduce((a, b) => a + b, 0);
      lines.push(`| ${names[i]} | ${Number.isNaN(perClass[i]!) ? '-' : perClass[i]!.toFixed(4)} | ${support} |`);
    });
    lines.push('', '## Confusion matrix (rows: true class, columns: predicted)', '');
    lines.push(`| | ${names.join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`);
    matrix.forEach((row, i) => lines.push(`| **${names[i]}** | ${row.join(' | ')} |`));
    lines.push('');
  }
  if (worst.length) {
    report['worst'] = worst.map((w) => ({
      ...w,
      labelName: classNames[w.label],
      predictedName: classNames[w.predicted],
    }));
    lines.push(
      '## Worst-classified examples',
      '',
      '![worst examples](worst.png)',
      '',
      '| # | test index | true | predicted | p(true) |',
      '|---|---|---|---|---|',
    );
    worst.forEach((w, i) =>
      lines.push(
        `| ${i + 1} | ${w.index} | ${classNames[w.label] ?? w.label} | ${classNames[w.predicted] ?? w.predicted} | ${w.trueClassProbability.toFixed(4)} |`,
      ),
    );
    writeFileAtomic(
      join(output, 'worst.png'),
      await worstGrid(
        data,
        worst.map((w) => w.index),
      ),
    );
  }
  writeFileAtomic(join(output, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(join(output, 'report.md'), `${lines.join('\n')}\n`);
}

/** Tiles the examples in a grid (8 per row, 2-pixel gaps) as one PNG. */
async function worstGrid(data: Dataset, indices: number[]): Promise<Uint8Array> {
  const { images, imageShape } = await data.read(indices);
  const [h, w, c] = imageShape;
  const columns = Math.min(8, indices.length);
  const rows = Math.ceil(indices.length / columns);
  const gap = 2;
  const width = columns * (w + gap) - gap;
  const height = rows * (h + gap) - gap;
  const pixels = new Uint8Array(width * height * c).fill(255);
  indices.forEach((_, k) => {
    const top = Math.floor(k / columns) * (h + gap);
    const left = (k % columns) * (w + gap);
    for (let y = 0; y < h; y++) {
      const source = (k * h + y) * w * c;
      pixels.set(images.subarray(source, source + w * c), ((top + y) * width + left) * c);
    }
  });
  return encodePng(pixels, { width, height, channels: c as 1 | 3 });
}
