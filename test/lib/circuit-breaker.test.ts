import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitStateChange } from '../../src/lib/circuit-breaker.js';

/** A probe the test settles by hand, and counts. */
function manualProbe() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    pending,
    probe: () =>
      new Promise<void>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  };
}

function setUp() {
  let clock = 1_000_000;
  const probes = manualProbe();
  const breaker = new CircuitBreaker({
    probe: probes.probe,
    backoffMs: 1_000,
    maxBackoffMs: 3_000,
    now: () => clock,
  });
  const changes: string[] = [];
  breaker.onStateChange(({ from, to }: CircuitStateChange) => changes.push(`${from}->${to}`));
  let actions = 0;
  const call = (outcome: 'answers' | 'fails') =>
    breaker.run(
      async () => {
        actions += 1;
        if (outcome === 'fails') throw new Error('down');
        return 'dependency';
      },
      () => 'fallback',
    );
  const ok = () => call('answers');
  const failing = () => call('fails');
  /** Lets the probe's settlement reach the breaker. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    breaker,
    probes,
    changes,
    ok,
    failing,
    settle,
    actions: () => actions,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('CircuitBreaker', () => {
  it('opens on the first failure and then answers with the fallback without calling the dependency', async () => {
    const { breaker, changes, ok, failing, actions } = setUp();
    expect(await ok()).toBe('dependency');
    expect(await failing()).toBe('fallback');
    expect(breaker.state).toBe('open');
    const before = actions();
    expect(await Promise.all([ok(), ok(), ok()])).toEqual(['fallback', 'fallback', 'fallback']);
    expect(actions()).toBe(before);
    expect(changes).toEqual(['closed->open']);
  });

  it('after the back-off, one call starts one background probe; a failed probe doubles the back-off up to the cap', async () => {
    const { breaker, probes, changes, ok, failing, settle, advance } = setUp();
    await failing();
    advance(999);
    await ok();
    expect(probes.pending).toHaveLength(0);

    advance(1);
    expect(await Promise.all([ok(), ok()])).toEqual(['fallback', 'fallback']);
    expect(probes.pending).toHaveLength(1);
    expect(breaker.state).toBe('half-open');
    probes.pending[0]!.reject(new Error('still down'));
    await settle();
    expect(breaker.state).toBe('open');

    advance(1_999);
    await ok();
    expect(probes.pending).toHaveLength(1);
    advance(1);
    await ok();
    expect(probes.pending).toHaveLength(2);
    probes.pending[1]!.reject(new Error('still down'));
    await settle();

    advance(3_000); // capped: 4,000 would be twice the previous back-off
    await ok();
    expect(probes.pending).toHaveLength(3);
    expect(changes).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
    ]);
  });

  it('closes when a probe succeeds, calls the dependency again and starts over with the first back-off', async () => {
    const { breaker, probes, ok, failing, settle, advance, actions } = setUp();
    await failing();
    breaker.probeNow();
    probes.pending[0]!.resolve();
    await settle();
    expect(breaker.state).toBe('closed');
    const before = actions();
    expect(await ok()).toBe('dependency');
    expect(actions()).toBe(before + 1);

    await failing();
    advance(1_000);
    await ok();
    expect(probes.pending).toHaveLength(2);
  });

  it('trip opens at once; a call that started before the circuit opened cannot change its state', async () => {
    const { breaker, changes } = setUp();
    let fail: (error: Error) => void = () => {};
    const slow = breaker.run(
      () =>
        new Promise<string>((_resolve, reject) => {
          fail = reject;
        }),
      () => 'fallback',
    );
    breaker.trip(new Error('connection closed'));
    breaker.trip(new Error('connection closed again'));
    breaker.probeNow();
    fail(new Error('late failure'));
    expect(await slow).toBe('fallback');
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual(['closed->open', 'open->half-open']);
  });
});
