/**
 * The trainer normalises MNIST with the dataset's mean and std (0.1307, 0.3081) but exports the
 * model with the default preprocessing (mean 0, std 1) in its WaveMix metadata, so predictions
 * on raw images come out wrong. Until the trainer records it, this writes the normalisation the
 * run used into <dir>/model/model.json (userDefinedMetadata.wavemix.preprocessing) and into
 * <dir>/model-config.json (`preprocessing`, which the viewer's PyTorch loader reads).
 * Usage: node scripts/patch-preprocessing.mjs <run dir>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/patch-preprocessing.mjs <run dir>');
const preprocessing = { colorSpace: 'grayscale', mean: [0.1307], std: [0.3081] };
const modelPath = join(dir, 'model', 'model.json');
const model = JSON.parse(readFileSync(modelPath, 'utf8'));
model.userDefinedMetadata.wavemix.preprocessing = preprocessing;
writeFileSync(modelPath, JSON.stringify(model));
const configPath = join(dir, 'model-config.json');
const config = JSON.parse(readFileSync(configPath, 'utf8'));
writeFileSync(configPath, `${JSON.stringify({ ...config, preprocessing }, null, 2)}\n`);
console.log(`preprocessing ${JSON.stringify(preprocessing)} written to ${modelPath} and ${configPath}`);
