import { describe, expect, it } from 'vitest';
import {
  manifestChunking,
  manifestRangeCount,
} from '../../../src/modules/eligibility/eligibility.service.js';

describe('manifestRangeCount', () => {
  it('runs one statement below the size worth splitting', () => {
    expect(manifestRangeCount(0, manifestChunking.postgres)).toBe(1);
    expect(manifestRangeCount(19_999, manifestChunking.postgres)).toBe(1);
  });

  it('runs at least as many ranges as are in flight, in a multiple of them, none larger than the range size', () => {
    expect(manifestRangeCount(20_000, manifestChunking.postgres)).toBe(2);
    expect(manifestRangeCount(999_999, manifestChunking.postgres)).toBe(2);
    expect(manifestRangeCount(1_000_001, manifestChunking.postgres)).toBe(2);
    expect(manifestRangeCount(5_000_000, manifestChunking.postgres)).toBe(2);
    expect(manifestRangeCount(5_000_001, manifestChunking.postgres)).toBe(4);
    expect(manifestRangeCount(3, { subjectsPerRange: 1, inFlight: 4, splitFrom: 1 })).toBe(4);
    expect(manifestRangeCount(5, { subjectsPerRange: 1, inFlight: 4, splitFrom: 1 })).toBe(8);
  });

  it('keeps one range per range size when one runs at a time (embedded)', () => {
    expect(manifestRangeCount(10_000, manifestChunking.embedded)).toBe(1);
    expect(manifestRangeCount(10_001, manifestChunking.embedded)).toBe(2);
    expect(manifestRangeCount(95_000, manifestChunking.embedded)).toBe(10);
  });
});
