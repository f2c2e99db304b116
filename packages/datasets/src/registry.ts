// Facts about the supported datasets that are not in their files.

export const DATASET_NAMES = [
  'mnist',
  'fashion-mnist',
  'emnist',
  'cifar10',
  'cifar100',
  'stl10',
  'galaxy10',
  'cityscapes',
  'image-folder',
  'tiny-imagenet',
  'div2k',
] as const;

export type DatasetName = (typeof DATASET_NAMES)[number];

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

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

/**
 * Per-channel mean and std of pixel values in [0, 1] over each training set (the values the
 * reference training scripts use; MNIST's and Fashion-MNIST's are re-derived in the tests from
 * the real files). EMNIST and Galaxy10 have no standard values: their loaders compute them.
 */
export const NORMALIZATION: Record<string, { mean: number[]; std: number[] }> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  cifar100: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
  stl10: { mean: [0.4467, 0.4398, 0.4066], std: [0.2603, 0.2566, 0.2713] },
  'tiny-imagenet': { mean: [0.4802, 0.4481, 0.3975], std: [0.277, 0.2691, 0.2821] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};
