/**
 * Class-name lists of the datasets WaveMix was published on, shared by `@wavemix/datasets` (its
 * readers and descriptor table) and `@wavemix/models` (the checkpoint registry). They live in core
 * because both packages depend on it and neither may depend on the other.
 */

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** CIFAR-10 in label order (`batches.meta.txt`). */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** STL-10 in label order (`class_names.txt`, labels 1..10 shifted to 0..9). */
export const STL10_CLASSES = [
  'airplane',
  'bird',
  'car',
  'cat',
  'deer',
  'dog',
  'horse',
  'monkey',
  'ship',
  'truck',
] as const;

/** Galaxy10 DECals classes (astroNN), indexed by the `ans` label. */
export const GALAXY10_CLASSES = [
  'Disturbed',
  'Merging',
  'Round Smooth',
  'In-between Round Smooth',
  'Cigar Shaped Smooth',
  'Barred Spiral',
  'Unbarred Tight Spiral',
  'Unbarred Loose Spiral',
  'Edge-on without Bulge',
  'Edge-on with Bulge',
] as const;

/** The 19 Cityscapes evaluation classes, in train-id order (cityscapesScripts `labels.py`). */
export const CITYSCAPES_CLASSES = [
  'road',
  'sidewalk',
  'building',
  'wall',
  'fence',
  'pole',
  'traffic light',
  'traffic sign',
  'vegetation',
  'terrain',
  'sky',
  'person',
  'rider',
  'car',
  'truck',
  'bus',
  'train',
  'motorcycle',
  'bicycle',
] as const;

/**
 * The official WaveMix Cityscapes script's 20 output classes: 'unlabelled' (void, index 0), then
 * the 19 train ids spelt with underscores.
 */
export const CITYSCAPES_WAVEMIX_CLASSES: readonly string[] = [
  'unlabelled',
  ...CITYSCAPES_CLASSES.map((name) => name.replace(' ', '_')),
];

/** torchvision EMNIST `letters`: class 0 is unused ('N/A'), 1..26 are a..z (upper and lower merged). */
export const EMNIST_LETTERS_CLASSES: readonly string[] = ['N/A', ...'abcdefghijklmnopqrstuvwxyz'];

/** torchvision EMNIST `balanced`: 47 classes (the mapping file's characters). */
export const EMNIST_BALANCED_CLASSES: readonly string[] = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt'];
