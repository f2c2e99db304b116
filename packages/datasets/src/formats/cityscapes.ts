/** The 19 Cityscapes evaluation classes, in train-id order (the list lives in @wavemix/core). */
export { CITYSCAPES_CLASSES } from '@wavemix/core';

export const CITYSCAPES_IGNORE_INDEX = 255;

/** labelId -> trainId for every byte value: the 19 evaluated classes, 255 for everything else. */
export const CITYSCAPES_LABEL_TO_TRAIN_ID: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(CITYSCAPES_IGNORE_INDEX);
  const evaluated: Array<[number, number]> = [
    [7, 0], // road
    [8, 1], // sidewalk
    [11, 2], // building
    [12, 3], // wall
    [13, 4], // fence
    [17, 5], // pole
    [19, 6], // traffic light
    [20, 7], // traffic sign
    [21, 8], // vegetation
    [22, 9], // terrain
    [23, 10], // sky
    [24, 11], // person
    [25, 12], // rider
    [26, 13], // car
    [27, 14], // truck
    [28, 15], // bus
    [31, 16], // train
    [32, 17], // motorcycle
    [33, 18], // bicycle
  ];
  for (const [id, trainId] of evaluated) table[id] = trainId;
  return table;
})();

/** Maps a `*_gtFine_labelIds.png` map to train ids in place-safe fashion (returns a new array). */
export function cityscapesTrainIds(labelIds: Uint8Array): Uint8Array {
  const out = new Uint8Array(labelIds.length);
  for (let i = 0; i < labelIds.length; i++) out[i] = CITYSCAPES_LABEL_TO_TRAIN_ID[labelIds[i]!]!;
  return out;
}
