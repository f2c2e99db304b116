/** Images bundled with the app (public/samples, copied into the build; see public/samples/LICENSE.md). */
export interface Sample {
  id: string;
  label: string;
  url: string;
}

const base = import.meta.env.BASE_URL;

export const SAMPLES: Sample[] = [
  { id: 'mnist-7', label: 'MNIST 7', url: `${base}samples/mnist-7.png` },
  { id: 'mnist-2', label: 'MNIST 2', url: `${base}samples/mnist-2.png` },
  { id: 'mnist-1', label: 'MNIST 1', url: `${base}samples/mnist-1.png` },
  { id: 'mnist-0', label: 'MNIST 0', url: `${base}samples/mnist-0.png` },
  { id: 'astronaut', label: 'Astronaut', url: `${base}samples/astronaut.png` },
  { id: 'chelsea', label: 'Chelsea the cat', url: `${base}samples/chelsea.png` },
  { id: 'coffee', label: 'Coffee', url: `${base}samples/coffee.png` },
];

/** The trained tiny MNIST classifier bundled with the app (public/models/mnist-tiny). */
export const BUNDLED_MODEL_URL = `${base}models/mnist-tiny/model.json`;
