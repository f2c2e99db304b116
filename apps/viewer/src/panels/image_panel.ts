/** 1. Image: file input, drop zone (mouse and keyboard), bundled samples; fits the image for the transform. */
import type { TaskContext, TaskQueue } from '../app/tasks';
import type { Store } from '../app/store';
import { ViewerInputError } from '../errors';
import { rgbUnitToRgba } from '../logic/display';
import { describeFit, planFit, workingImage } from '../logic/fit';
import { SAMPLES } from '../samples';
import { $, element, putPixels, zoomFor } from '../ui/dom';
import type { Panel } from './panel';

const ANCHOR = 'image-section';

async function decodeImage(blob: Blob, name: string): Promise<ImageBitmap> {
  if (blob.type && !blob.type.startsWith('image/')) {
    throw new ViewerInputError(
      `${name} is not an image (its type is ${blob.type}); open a PNG, JPEG, GIF, WebP or BMP file`,
    );
  }
  try {
    return await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ViewerInputError(`${name} could not be decoded as an image; open a PNG, JPEG, GIF, WebP or BMP file`);
  }
}

export class ImagePanel implements Panel {
  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    /** Called with the new image in the store: the other panels recompute. */
    private readonly imageChanged: (ctx: TaskContext) => Promise<void>,
  ) {
    $<HTMLInputElement>('image-file').addEventListener('change', (event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (file) this.open(file, file.name, `Opening ${file.name}`);
    });
    this.wireDropZone();
    $('samples').append(
      ...SAMPLES.map((sample) => {
        const button = element('button', { type: 'button', textContent: sample.label });
        button.dataset['sample'] = sample.id;
        button.addEventListener('click', () => this.openSample(sample.url, sample.label));
        return button;
      }),
    );
  }

  private open(blob: Blob | (() => Promise<Blob>), name: string, label: string): void {
    void this.tasks.run(label, ANCHOR, async (ctx) => {
      await ctx.step('decoding');
      await this.openBlob(typeof blob === 'function' ? await blob() : blob, name);
      await this.imageChanged(ctx);
    });
  }

  private openSample(url: string, label: string): void {
    this.open(
      async () => {
        const response = await fetch(url);
        if (!response.ok) throw new ViewerInputError(`${url}: HTTP ${response.status}`);
        return response.blob();
      },
      `${label} (sample)`,
      `Opening ${label}`,
    );
  }

  private wireDropZone(): void {
    const zone = $('drop-zone');
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const file = event.dataTransfer?.files[0];
      if (file) this.open(file, file.name, 'Opening the dropped image');
    });
    // Keyboard users open the file picker from the zone itself (it is focusable, role=button).
    zone.addEventListener('keydown', (event) => {
      if (event.target !== zone || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      $<HTMLInputElement>('image-file').click();
    });
  }

  private async openBlob(blob: Blob, name: string): Promise<void> {
    const bitmap = await decodeImage(blob, name);
    const plan = planFit(bitmap.width, bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = plan.resizedWidth;
    canvas.height = plan.resizedHeight;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    // Transparent pixels are shown over black, the colour of zero.
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, plan.resizedWidth, plan.resizedHeight);
    bitmap.close();
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    this.store.image = { name, plan, rgba, working: workingImage(rgba, plan) };
    const original = $<HTMLCanvasElement>('original');
    putPixels(
      original,
      rgbUnitToRgba(this.store.image.working, plan.width * plan.height),
      plan.width,
      plan.height,
      zoomFor(plan.width, plan.height, 256),
    );
    original.dataset['width'] = String(plan.width);
    original.dataset['height'] = String(plan.height);
    original.setAttribute('aria-label', `The opened image, ${name}, ${plan.width}×${plan.height} after fitting`);
    $('fit-info').textContent = `${name}, ${describeFit(plan)}.`;
    $('fit-info').dataset['resized'] = String(plan.resized);
    $('fit-info').dataset['padded'] = String(plan.padded);
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    const image = () => this.store.image;
    return {
      fit: () => image() && { ...image()!.plan },
      /** The padded working image, [height, width, 3] in [0, 1]. */
      image: () => image() && Array.from(image()!.working),
    };
  }
}
