import { describe, expect, it } from 'vitest';
import {
  manifestChunking,
  manifestRangeCount,
} from '../../../src/modules/eligibility/eligibility.service.js';

describe('manifestRangeCount', () => {
  it('runs one range when the subjects fit in one', () => {
    expect(manifestRangeCount(0, manifestChunking.postgres)).toBe(1);
    expect(manifestRangeCount(125_000, manifestChunking.postgres)).toBe(1);
  });

  it('rounds the ranges up to a multiple of those in flight, none larger than the range size', () => {
    expect(manifestRangeCount(125_001, manifestChunking.postgres)).toBe(2);
    expect(manifestRangeCount(1_000_000, manifestChunking.postgres)).toBe(8);
    expect(manifestRangeCount(1_000_001, manifestChunking.postgres)).toBe(10);
    expect(manifestRangeCount(3, { subjectsPerRange: 1, inFlight: 4 })).toBe(4);
  });

  it('keeps one range per range size when one runs at a time (embedded)', () => {
    expect(manifestRangeCount(10_000, manifestChunking.embedded)).toBe(1);
    expect(manifestRangeCount(10_001, manifestChunking.embedded)).toBe(2);
    expect(manifestRangeCount(95_000, manifestChunking.embedded)).toBe(10);
  });
});
