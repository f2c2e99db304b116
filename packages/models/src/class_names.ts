// Label sets of the registry's checkpoints. The lists themselves live in @wavemix/core (shared with
// @wavemix/datasets); these are the registry's mutable copies under the names it has always used.
import {
  CIFAR10_CLASSES as CIFAR10,
  CITYSCAPES_WAVEMIX_CLASSES,
  EMNIST_BALANCED_CLASSES as EMNIST_BALANCED,
  EMNIST_LETTERS_CLASSES as EMNIST_LETTERS,
  FASHION_MNIST_CLASSES as FASHION_MNIST,
  GALAXY10_CLASSES,
  MNIST_CLASSES as MNIST,
} from '@wavemix/core';

export const CIFAR10_CLASSES: string[] = [...CIFAR10];

export const FASHION_MNIST_CLASSES: string[] = [...FASHION_MNIST];

export const MNIST_CLASSES: string[] = [...MNIST];

/** torchvision EMNIST `letters`: class 0 is unused ('N/A'), 1..26 are a..z (upper and lower merged). */
export const EMNIST_LETTERS_CLASSES: string[] = [...EMNIST_LETTERS];

/** torchvision EMNIST `balanced`: 47 classes. */
export const EMNIST_BALANCED_CLASSES: string[] = [...EMNIST_BALANCED];

/** Galaxy10 DECals (core's `GALAXY10_CLASSES`). */
export const GALAXY10_DECALS_CLASSES: string[] = [...GALAXY10_CLASSES];

/**
 * The official Cityscapes script's 20 classes: 'unlabelled' (void, index 0) then the 19 train ids
 * (core's `CITYSCAPES_WAVEMIX_CLASSES`; `@wavemix/datasets` exports the 19 train ids under this name).
 */
export const CITYSCAPES_CLASSES: string[] = [...CITYSCAPES_WAVEMIX_CLASSES];
