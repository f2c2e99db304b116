// Class names of the datasets, from @wavemix/core (shared with the model registry). Everything else
// about a dataset (normalisation, splits, task, shape) is in its row of the table in node/datasets.ts.
export { CIFAR10_CLASSES, FASHION_MNIST_CLASSES, GALAXY10_CLASSES, MNIST_CLASSES, STL10_CLASSES } from '@wavemix/core';
