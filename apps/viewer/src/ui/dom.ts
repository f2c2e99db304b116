/** Small DOM helpers shared by the panels. */

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found as T;
};

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  children: Array<Node | string> = [],
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/**
 * Draws RGBA pixels on `canvas` at `displayScale`× (pixelated). Only the width is fixed: the
 * height follows the aspect ratio, so `max-width: 100%` can shrink it on a narrow screen.
 */
export function putPixels(
  canvas: HTMLCanvasElement,
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  displayScale = 1,
): void {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  canvas.style.width = `${Math.round(width * displayScale)}px`;
  canvas.style.height = 'auto';
  canvas.classList.add('pixels');
}

/** Display zoom so that an image of this size shows at about `target` pixels. */
export const zoomFor = (width: number, height: number, target: number) =>
  Math.max(1, Math.min(8, Math.floor(target / Math.max(width, height)))) || 1;

/** Parses JSON typed by the user or read from a file, naming `what` when it is not JSON. */
export function parseJson(text: string, what: string, makeError: (message: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw makeError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}
