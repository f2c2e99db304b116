import { Throughput } from './run_log';

describe('Throughput', () => {
  it('divides the images of the current window by its duration', () => {
    const throughput = new Throughput(0);
    expect(throughput.add(64, 1000)).toBeCloseTo(64, 9);
    expect(throughput.add(64, 2000)).toBeCloseTo(64, 9);
  });

  it('restarts the window after 5 s, so the figure follows the current speed', () => {
    const throughput = new Throughput(0);
    expect(throughput.add(600, 6000)).toBeCloseTo(100, 9); // 600 images in 6 s, then a new window
    expect(throughput.add(20, 7000)).toBeCloseTo(20, 9); // only the 20 of the new window, over 1 s
  });

  it('gives the steps read together (deferred GPU reads) one rate over the elapsed window', () => {
    // 10 steps of 64 images read at once 330 s after the start: 640 / 330 s, not 64 per millisecond.
    const throughput = new Throughput(0);
    expect(throughput.add(10 * 64, 330_000)).toBeCloseTo(640 / 330, 9);
  });
});
