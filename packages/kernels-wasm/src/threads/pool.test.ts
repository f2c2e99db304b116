import { shareJobs, type ThreadedJob } from './pool';

const job = (count: number, grain: number): ThreadedJob => ({ kernel: 'winograd_conv', count, grain, args: () => [] });

describe('shareJobs', () => {
  test('deals the grains of all jobs out in contiguous shares (a ConvTranspose: four phases, two threads)', () => {
    // 196 tiles per phase in grains of 8: 25 grains each, 100 in all, 50 per thread.
    const phases = [job(196, 8), job(196, 8), job(196, 8), job(196, 8)];
    expect(shareJobs(phases, 2)).toEqual([
      [
        [0, 0, 196],
        [1, 0, 196],
      ],
      [
        [2, 0, 196],
        [3, 0, 196],
      ],
    ]);
  });

  test('splits inside a job where a share ends there, and a last partial grain stays whole', () => {
    // grains: 13 (the last one 4 long) + 7 = 20; 10 per thread.
    expect(shareJobs([job(100, 8), job(50, 8)], 2)).toEqual([
      [[0, 0, 80]],
      [
        [0, 80, 100],
        [1, 0, 50],
      ],
    ]);
  });

  test('every element of every job exactly once, for any thread count', () => {
    const jobs = [job(37, 4), job(5, 8), job(64, 64), job(129, 16)];
    for (const threads of [1, 2, 3, 5, 8, 40]) {
      const seen = jobs.map((j) => new Uint8Array(j.count));
      for (const share of shareJobs(jobs, threads)) {
        for (const [j, begin, end] of share) {
          expect(begin % jobs[j]!.grain).toBe(0);
          for (let i = begin; i < end; i++) seen[j]![i]!++;
        }
      }
      for (const s of seen) expect(Array.from(s).every((n) => n === 1)).toBe(true);
    }
  });
});
