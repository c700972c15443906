import { describe, expect, it } from 'vitest';
import {
  consistencyPath,
  emptyRoot,
  inclusionPath,
  leafHash,
  nodeHash,
  rangeHash,
  type SubtreeHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/modules/transparency-log/merkle.js';

// The RFC 6962 test vectors of the certificate-transparency reference implementation, as
// transparency-dev/merkle keeps them (testonly/constants.go): eight leaves, the root of every
// prefix, and some inclusion and consistency proofs.
const leaves = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const roots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map((hex) => Buffer.from(hex, 'hex'));
const inclusionVectors = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const consistencyVectors = [
  { from: 1, to: 1, path: [] },
  {
    from: 1,
    to: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    path: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** Complete subtrees computed directly from the leaves: the in-memory stand-in for the stored nodes. */
function subtreesOf(items: readonly Buffer[]): SubtreeHashes {
  const hash = (level: number, index: number): Uint8Array =>
    level === 0
      ? leafHash(items[index]!)
      : nodeHash(hash(level - 1, index * 2), hash(level - 1, index * 2 + 1));
  return hash;
}
const hex = (items: readonly Uint8Array[]) => items.map((item) => Buffer.from(item).toString('hex'));
const bytes = (items: readonly string[]) => items.map((item) => Buffer.from(item, 'hex'));

describe('the RFC 9162 Merkle tree against the RFC 6962 test vectors', () => {
  it('computes the root of every prefix, the empty tree included', () => {
    expect(Buffer.from(emptyRoot)).toEqual(roots[0]);
    for (let size = 1; size <= 8; size += 1)
      expect(Buffer.from(rangeHash(0, size, subtreesOf(leaves))).toString('hex')).toBe(
        roots[size]!.toString('hex'),
      );
  });

  it.each(inclusionVectors)('makes and verifies the inclusion proof of leaf $index in $size', ({
    index,
    size,
    path,
  }) => {
    const subtrees = subtreesOf(leaves);
    expect(hex(inclusionPath(index, size, subtrees))).toEqual(path);
    expect(verifyInclusion(index, size, leafHash(leaves[index]!), bytes(path), roots[size]!)).toBe(true);
    expect(
      verifyInclusion(index, size, leafHash(leaves[index === 0 ? 1 : 0]!), bytes(path), roots[size]!),
    ).toBe(false);
    expect(verifyInclusion(index, size, leafHash(leaves[index]!), bytes(path).slice(1), roots[size]!)).toBe(
      false,
    );
  });

  it.each(consistencyVectors)('makes and verifies the consistency proof from $from to $to', ({
    from,
    to,
    path,
  }) => {
    expect(hex(consistencyPath(from, to, subtreesOf(leaves)))).toEqual(path);
    expect(verifyConsistency(from, to, roots[from]!, roots[to]!, bytes(path))).toBe(true);
    if (from !== to) {
      expect(verifyConsistency(from, to, roots[from === 1 ? 2 : 1]!, roots[to]!, bytes(path))).toBe(false);
      expect(verifyConsistency(from, to, roots[from]!, roots[to - 1]!, bytes(path))).toBe(false);
    }
  });

  it('agrees with itself on every pair of sizes up to 33 leaves', () => {
    const many = Array.from({ length: 33 }, (_, i) => Buffer.from([i, i * 7]));
    const subtrees = subtreesOf(many);
    const rootOf = (size: number) => rangeHash(0, size, subtrees);
    for (let to = 1; to <= many.length; to += 1) {
      for (let index = 0; index < to; index += 1)
        expect(
          verifyInclusion(index, to, leafHash(many[index]!), inclusionPath(index, to, subtrees), rootOf(to)),
        ).toBe(true);
      for (let from = 1; from <= to; from += 1)
        expect(
          verifyConsistency(from, to, rootOf(from), rootOf(to), consistencyPath(from, to, subtrees)),
        ).toBe(true);
    }
  });
});
