import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareImages, decodePng, type Image } from '../support/png.js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // The decoder does not check CRCs; four zero bytes stand in for it.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

/** A 2×4 RGB PNG whose rows use the filters None, Sub, Up and Paeth over known pixels. */
function filteredPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(4, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = [
    [0, 10, 20, 30, 40, 50, 60], // None: (10,20,30) (40,50,60)
    [1, 1, 2, 3, 1, 1, 1], // Sub: (1,2,3) (2,3,4)
    [2, 5, 5, 5, 0, 0, 0], // Up: (6,7,8) (2,3,4)
    [4, 1, 1, 1, 1, 1, 1], // Paeth: first pixel predicts from up (7,8,9); second from up-left/left/up
  ];
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows.flat()))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const pixel = (image: Image, x: number, y: number) => [
  ...image.rgba.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4),
];

describe('the screenshot comparison of the browser tests', () => {
  it('decodes every PNG row filter', () => {
    const image = decodePng(filteredPng());
    expect([image.width, image.height]).toEqual([2, 4]);
    expect(pixel(image, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(pixel(image, 1, 1)).toEqual([2, 3, 4, 255]);
    expect(pixel(image, 0, 2)).toEqual([6, 7, 8, 255]);
    expect(pixel(image, 0, 3)).toEqual([7, 8, 9, 255]);
    // Paeth at (1,3): left (7,8,9), up (2,3,4), up-left (6,7,8): estimate 3,4,5 is nearest to up.
    expect(pixel(image, 1, 3)).toEqual([3, 4, 5, 255]);
  });

  it('accepts the baseline against itself and finds a changed region in it', () => {
    const baseline = decodePng(
      readFileSync(new URL('./screenshots/public-notice-page.png', import.meta.url)),
    );
    expect([baseline.width, baseline.height]).toEqual([1024, 900]);
    expect(compareImages(baseline, baseline)).toEqual({ worstBlock: 0, changedShare: 0 });

    const changed = { ...baseline, rgba: Uint8Array.from(baseline.rgba) };
    for (let y = 100; y < 300; y++) {
      for (let x = 100; x < 400; x++)
        changed.rgba.fill(0, (y * baseline.width + x) * 4, (y * baseline.width + x) * 4 + 3);
    }
    const difference = compareImages(baseline, changed);
    expect(difference.worstBlock).toBeGreaterThan(96);
    expect(difference.changedShare).toBeGreaterThan(0.02);
    expect(() => compareImages(baseline, { ...baseline, width: 1000 })).toThrow('image sizes differ');
  });
});
