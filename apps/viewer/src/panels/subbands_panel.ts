/**
 * 2. Subbands: the Haar pyramid of the image (levels, channel), each band on a labelled canvas
 * with its energy; clicking a band (or Enter/Space on it) rebuilds the image without it.
 */
import type { Store } from '../app/store';
import type { TaskContext, TaskQueue } from '../app/tasks';
import { BAND_NAMES, bandEnergy, extractBand, type BandName } from '../logic/bands';
import { bandToRgba, differenceToRgba, rgbUnitToRgba } from '../logic/display';
import { psnrRgba } from '../logic/psnr';
import { $, element, putPixels, zoomFor } from '../ui/dom';
import { computePyramid, reconstruct, type Pyramid, type Removal } from '../wavelets';
import type { Panel } from './panel';

const ANCHOR = 'subbands-section';

export class SubbandsPanel implements Panel {
  private pyramid: Pyramid | null = null;
  private channel = 0;
  private removal: Removal | null = null;
  private reconstructionPsnr: number | null = null;
  /** The image the pyramid was computed from. */
  private pyramidImage: unknown = null;
  /** max |x − idwt(dwt(x))| of the last pyramid: ~1e-7 when the backend computes right. */
  perfectReconstructionError: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
  ) {
    $<HTMLSelectElement>('levels').addEventListener('change', (event) => {
      this.store.levels = Number((event.target as HTMLSelectElement).value);
      void this.tasks.run('Transform', ANCHOR, (ctx) => this.refresh(ctx));
    });
    $<HTMLSelectElement>('channel').addEventListener('change', (event) => {
      this.channel = Number((event.target as HTMLSelectElement).value);
      this.renderBands();
    });
  }

  async refresh(ctx: TaskContext): Promise<void> {
    const image = this.store.image;
    if (!image) return;
    if (image !== this.pyramidImage) this.removal = null; // a new image: no band removed
    this.pyramidImage = image;
    await ctx.step('wavelet transform');
    const { width, height } = image.plan;
    this.pyramid = await computePyramid(image.working, height, width, 3, this.store.levels);
    const rebuilt = await reconstruct(this.pyramid, null);
    let maxError = 0;
    for (let i = 0; i < rebuilt.length; i++) maxError = Math.max(maxError, Math.abs(rebuilt[i]! - image.working[i]!));
    this.perfectReconstructionError = maxError;
    $('transform-info').textContent =
      `${this.store.levels}-level Haar pyramid of the ${width}×${height} image on ${this.store.backend}: ` +
      `rebuilding it with idwt2d gives back the image to within ${maxError.toExponential(2)} (max |x − idwt(dwt(x))|).`;
    this.renderBands();
    await this.renderReconstruction();
  }

  private channelEnergy(): number {
    const working = this.store.image!.working;
    let sum = 0;
    for (let i = this.channel; i < working.length; i += 3) sum += working[i]! * working[i]!;
    return sum;
  }

  private renderBands(): void {
    const pyramid = this.pyramid;
    const container = $('bands');
    container.replaceChildren();
    if (!pyramid || !this.store.image) return;
    const total = this.channelEnergy();
    const level1 = pyramid.levels[0]!;
    const zoom = zoomFor(level1.width, level1.height, 160);
    const channelName = 'RGB'[this.channel];
    for (const level of pyramid.levels) {
      const row = element('div', { className: 'level' }, [element('h3', { textContent: `Level ${level.level}` })]);
      row.dataset['level'] = String(level.level);
      for (const band of BAND_NAMES) {
        const values = extractBand(level.data, level.height, level.width, pyramid.channels, band, this.channel);
        const energy = bandEnergy(values);
        const share = total > 0 ? energy / total : 0;
        const canvas = element('canvas');
        putPixels(
          canvas,
          bandToRgba(values, band === 'LL' ? 'approximation' : 'detail'),
          level.width,
          level.height,
          zoom * 2 ** (level.level - 1),
        );
        Object.assign(canvas.dataset, {
          level: String(level.level),
          band,
          channel: String(this.channel),
          energy: String(energy),
          share: String(share),
        });
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `${band} band of level ${level.level}, channel ${channelName}`);
        const removed = this.removal?.level === level.level && this.removal.band === band;
        const figure = element(
          'figure',
          {
            className: `band${removed ? ' removed' : ''}`,
            title: `Click to rebuild the image without ${band} of level ${level.level}`,
          },
          [
            canvas,
            element('figcaption', {}, [
              element('span', { className: 'name', textContent: band }),
              ` ${(100 * share).toFixed(2)} % · E = ${energy.toFixed(2)}`,
            ]),
          ],
        );
        figure.dataset['level'] = String(level.level);
        figure.dataset['band'] = band;
        // A band is a toggle button for keyboard and screen-reader users too.
        figure.tabIndex = 0;
        figure.setAttribute('role', 'button');
        figure.setAttribute('aria-pressed', String(removed));
        figure.setAttribute('aria-label', `Rebuild the image without ${band} of level ${level.level}`);
        const toggle = (fromKeyboard: boolean) =>
          void this.tasks.run('Reconstruction', ANCHOR, () => this.toggleRemoval(level.level, band, fromKeyboard));
        figure.addEventListener('click', () => toggle(false));
        figure.addEventListener('keydown', (event) => {
          if (event.key !== 'Enter' && event.key !== ' ') return;
          event.preventDefault();
          toggle(true);
        });
        row.append(figure);
      }
      container.append(row);
    }
  }

  private async toggleRemoval(level: number, band: BandName, fromKeyboard: boolean): Promise<void> {
    const same = this.removal?.level === level && this.removal.band === band;
    this.removal = same ? null : { level, band };
    this.renderBands();
    // The bands were redrawn: give the keyboard its place back.
    if (fromKeyboard)
      document.querySelector<HTMLElement>(`#bands figure[data-level="${level}"][data-band="${band}"]`)?.focus();
    await this.renderReconstruction();
  }

  private async renderReconstruction(): Promise<void> {
    const box = $('reconstruction');
    const pyramid = this.pyramid;
    const image = this.store.image;
    if (!this.removal || !pyramid || !image || this.removal.level > pyramid.levels.length) {
      this.removal = null;
      this.reconstructionPsnr = null;
      box.hidden = true;
      return;
    }
    const { level, band } = this.removal;
    const rebuilt = await reconstruct(pyramid, this.removal);
    const pixels = image.plan.width * image.plan.height;
    const difference = new Float32Array(rebuilt.length);
    for (let i = 0; i < rebuilt.length; i++) difference[i] = image.working[i]! - rebuilt[i]!;
    const zoom = zoomFor(image.plan.width, image.plan.height, 256);
    const rebuiltRgba = rgbUnitToRgba(rebuilt, pixels);
    putPixels($('reconstructed'), rebuiltRgba, image.plan.width, image.plan.height, zoom);
    putPixels($('difference'), differenceToRgba(difference, pixels), image.plan.width, image.plan.height, zoom);
    this.reconstructionPsnr = psnrRgba(rgbUnitToRgba(image.working, pixels), rebuiltRgba);
    const what =
      band === 'LL' ? `LL of level ${level} (everything coarser than level ${level})` : `${band} of level ${level}`;
    $('reconstructed-caption').textContent =
      `Rebuilt without ${what}: PSNR ${this.reconstructionPsnr.toFixed(2)} dB against the original`;
    box.dataset['level'] = String(level);
    box.dataset['band'] = band;
    box.hidden = false;
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    return {
      levels: () =>
        this.pyramid?.levels.map((l) => ({
          level: l.level,
          height: l.height,
          width: l.width,
          channels: this.pyramid!.channels,
        })) ?? [],
      /** Level `level` in the WaveMix layout (NHWC [1, h, w, 4c], flattened). */
      level: (level: number) => {
        const l = this.pyramid?.levels[level - 1];
        return l ? Array.from(l.data) : null;
      },
      perfectReconstructionError: () => this.perfectReconstructionError,
      reconstruction: () => this.removal && { ...this.removal, psnr: this.reconstructionPsnr },
    };
  }
}
