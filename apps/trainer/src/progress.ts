/**
 * Progress display: a cli-progress bar on a TTY (epoch, step, loss, accuracy, images/s, ETA), plain
 * log lines otherwise (CI logs, pipes), so both stay readable.
 */
import cliProgress from 'cli-progress';

export interface StepProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number | null;
  imagesPerSecond: number;
  phase: string;
}

export interface Progress {
  startEpoch(epoch: number, epochs: number, steps: number, startStep: number): void;
  update(progress: StepProgress): void;
  endEpoch(): void;
  log(message: string): void;
}

function formatMetric(value: number | null, digits = 4): string {
  return value == null || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

export function createProgress(options: { tty: boolean; logEvery: number; write?: (line: string) => void }): Progress {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!options.tty) {
    return {
      startEpoch: (epoch, epochs, steps) => write(`epoch ${epoch + 1}/${epochs}: ${steps} steps`),
      update: (p) => {
        if (p.step % options.logEvery === 0 || p.step === p.steps) {
          write(
            `epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.steps} [${p.phase}] loss ${formatMetric(p.loss)} ` +
              `acc ${formatMetric(p.accuracy)} ${p.imagesPerSecond.toFixed(1)} img/s`,
          );
        }
      },
      endEpoch: () => {},
      log: write,
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  return {
    startEpoch: (epoch, epochs, steps, startStep) => {
      bar = new cliProgress.SingleBar(
        {
          format:
            'epoch {epochLabel} |{bar}| {value}/{total} [{phase}] loss {loss} acc {accuracy} {ips} img/s ETA {eta_formatted}',
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(steps, startStep, {
        epochLabel: `${epoch + 1}/${epochs}`,
        loss: '-',
        accuracy: '-',
        ips: '-',
        phase: '',
      });
    },
    update: (p) =>
      bar?.update(p.step, {
        loss: formatMetric(p.loss),
        accuracy: formatMetric(p.accuracy),
        ips: p.imagesPerSecond.toFixed(1),
        phase: p.phase,
      }),
    endEpoch: () => {
      bar?.stop();
      bar = null;
    },
    log: (message) => {
      if (bar) process.stdout.write('\n');
      write(message);
    },
  };
}
