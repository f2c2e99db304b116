/** Label sets of the registry's datasets where they are short enough to ship. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** torchvision EMNIST `letters`: class 0 is unused ('N/A'), 1..26 are a..z (upper and lower merged). */
export const EMNIST_LETTERS_CLASSES = ['N/A', ...'abcdefghijklmnopqrstuvwxyz'.split('')];

/** torchvision EMNIST `balanced`: 47 classes. */
export const EMNIST_BALANCED_CLASSES = [
  ...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''), 'a', 'b', 'd', 'e', 'f', 'g', 'h', 'n', 'q', 'r', 't',
];

export const GALAXY10_DECALS_CLASSES = [
  'Disturbed', 'Merging', 'Round Smooth', 'In-between Round Smooth', 'Cigar Shaped Smooth', 'Barred Spiral',
  'Unbarred Tight Spiral', 'Unbarred Loose Spiral', 'Edge-on without Bulge', 'Edge-on with Bulge',
];

/** The official Cityscapes script's 20 classes: 'unlabelled' (void, index 0) then the 19 train ids. */
export const CITYSCAPES_CLASSES = [
  'unlabelled', 'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic_light', 'traffic_sign', 'vegetation',
  'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
];
