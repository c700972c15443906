import { inflateSync } from 'node:zlib';

/** A decoded image: 8-bit RGBA, row by row. */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel by PNG colour type, at bit depth 8: grey, RGB, grey+alpha, RGBA. */
const channelsOf: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes a non-interlaced, 8-bit PNG (grey, RGB, grey+alpha or RGBA — what Chromium's
 * screenshots are) with node:zlib: the IDAT stream inflated, each row unfiltered (PNG spec §9).
 */
export function decodePng(file: Uint8Array): Image {
  const data = Buffer.from(file);
  if (!data.subarray(0, 8).equals(signature)) throw new Error('not a PNG file');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const compressed: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const chunk = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [chunk[8], chunk[9], chunk[10], chunk[11], chunk[12]];
      channels = channelsOf[colourType ?? -1] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}, interlace ${interlace}`);
      }
    } else if (type === 'IDAT') compressed.push(chunk);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(compressed));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[out + x - channels]! : 0;
      const up = y > 0 ? pixels[out - stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[out - stride + x - channels]! : 0;
      pixels[out + x] = (row[x]! + predictor(filter, left, up, upLeft)) & 0xff;
    }
  }
  return { width, height, rgba: toRgba(pixels, width * height, channels) };
}

function predictor(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4: {
      const estimate = left + up - upLeft;
      const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
      return a <= b && a <= c ? left : b <= c ? up : upLeft;
    }
    default:
      throw new Error(`unknown PNG filter ${filter}`);
  }
}

function toRgba(pixels: Uint8Array, count: number, channels: number): Uint8Array {
  if (channels === 4) return pixels;
  const rgba = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    const source = i * channels;
    const grey = channels <= 2;
    rgba[i * 4] = pixels[source]!;
    rgba[i * 4 + 1] = grey ? pixels[source]! : pixels[source + 1]!;
    rgba[i * 4 + 2] = grey ? pixels[source]! : pixels[source + 2]!;
    rgba[i * 4 + 3] = channels === 2 ? pixels[source + 1]! : channels === 4 ? pixels[source + 3]! : 255;
  }
  return rgba;
}

export interface ImageDifference {
  /** The largest difference of one block's mean colour (0–255, the worst of R, G and B). */
  readonly worstBlock: number;
  /** The share of blocks whose mean colour differs by more than the tolerance. */
  readonly changedShare: number;
}

/**
 * A coarse comparison that font hinting and anti-aliasing do not upset: both images are cut into
 * `block`×`block` squares and the mean colour of each square is compared.
 */
export function compareImages(a: Image, b: Image, block = 16, tolerance = 24): ImageDifference {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`image sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  }
  let worstBlock = 0;
  let changed = 0;
  let blocks = 0;
  for (let top = 0; top < a.height; top += block) {
    for (let left = 0; left < a.width; left += block) {
      const difference = blockDifference(a, b, left, top, block);
      worstBlock = Math.max(worstBlock, difference);
      if (difference > tolerance) changed++;
      blocks++;
    }
  }
  return { worstBlock, changedShare: changed / blocks };
}

function blockDifference(a: Image, b: Image, left: number, top: number, block: number): number {
  const sums = new Float64Array(6);
  let count = 0;
  for (let y = top; y < Math.min(top + block, a.height); y++) {
    for (let x = left; x < Math.min(left + block, a.width); x++) {
      const i = (y * a.width + x) * 4;
      for (let c = 0; c < 3; c++) {
        sums[c] = (sums[c] ?? 0) + (a.rgba[i + c] ?? 0);
        sums[c + 3] = (sums[c + 3] ?? 0) + (b.rgba[i + c] ?? 0);
      }
      count++;
    }
  }
  return Math.max(...[0, 1, 2].map((c) => Math.abs(sums[c]! - sums[c + 3]!) / count));
}
