import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic_write';

test('replaces the file in one step and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  const file = join(dir, 'nested', 'ckpt.bin');
  writeFileAtomic(file, new Uint8Array([1, 2, 3]));
  writeFileAtomic(file, 'text');
  expect(readFileSync(file, 'utf8')).toBe('text');
  expect(readdirSync(join(dir, 'nested'))).toEqual(['ckpt.bin']);
});

test('a failed write keeps the old file and removes the temporary one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  const file = join(dir, 'out.json');
  writeFileSync(file, 'old');
  // Renaming a file over a directory fails after the temporary file was written.
  const blocked = join(dir, 'blocked');
  writeFileAtomic(join(blocked, 'inner'), 'x');
  expect(() => writeFileAtomic(blocked, 'new')).toThrow();
  expect(readFileSync(file, 'utf8')).toBe('old');
  expect(readdirSync(dir).sort()).toEqual(['blocked', 'out.json']);
});
