// The conformance suite carries the op fixtures embedded; they must still equal the files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bicubicFixtureBytes, dwtFixtureBytes } from './fixture';

const fixtures = join(__dirname, '../../../../fixtures/pytorch');

test.each([
  ['dwt_haar.safetensors', dwtFixtureBytes],
  ['bicubic_x2.safetensors', bicubicFixtureBytes],
])('embedded %s equals the file (regenerate with scripts/embed-fixture.mjs)', (file, bytes) => {
  expect(Buffer.from(bytes()).equals(readFileSync(join(fixtures, file)))).toBe(true);
});
