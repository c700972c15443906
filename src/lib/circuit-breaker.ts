export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitStateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** What made it open: the failed call's or probe's error, or the reason given to `trip`. */
  readonly cause?: unknown;
}

export interface CircuitBreakerOptions {
  /** Checks that the dependency answers again; runs in the background, never on a caller's path. */
  readonly probe: () => Promise<unknown>;
  /** How long the circuit stays open before the next call starts a probe; doubles after each failed probe. */
  readonly backoffMs?: number;
  /** The longest back-off. */
  readonly maxBackoffMs?: number;
  readonly now?: () => number;
}

/**
 * Closed: calls go to the dependency, and the first failure opens the circuit. Open: calls get the
 * fallback without touching the dependency; once the back-off has passed, the next call starts
 * one probe in the background (half-open) and still gets the fallback. A probe that succeeds
 * closes the circuit; one that fails opens it again for twice as long.
 */
export class CircuitBreaker {
  readonly #probe: () => Promise<unknown>;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: CircuitStateChange) => void>();
  #state: CircuitState = 'closed';
  /** Bumped on every state change, so that a call that started before one cannot undo it. */
  #generation = 0;
  #backoffMs: number;
  #probeAt = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#probe = options.probe;
    this.#initialBackoffMs = options.backoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#backoffMs = this.#initialBackoffMs;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Calls `listener` on every state change; returns a function that removes it. */
  onStateChange(listener: (change: CircuitStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `action` while closed (its failure opens the circuit and gets the fallback); otherwise `fallback` alone. */
  async run<T>(action: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (this.#state !== 'closed') {
      if (this.#state === 'open' && this.#now() >= this.#probeAt) this.probeNow();
      return fallback();
    }
    const generation = this.#generation;
    let result: T;
    try {
      result = await action();
    } catch (error) {
      if (generation === this.#generation) this.#open(error);
      return fallback();
    }
    return result;
  }

  /** Opens the circuit now (the dependency is known to be gone); nothing when it is already open. */
  trip(cause: unknown): void {
    if (this.#state !== 'open') this.#open(cause);
  }

  /** When open, probes right away, without waiting for the back-off (the dependency seems back). */
  probeNow(): void {
    if (this.#state !== 'open') return;
    this.#change('half-open');
    const generation = this.#generation;
    this.#probe().then(
      () => {
        if (generation !== this.#generation) return;
        this.#backoffMs = this.#initialBackoffMs;
        this.#change('closed');
      },
      (error: unknown) => {
        if (generation === this.#generation) this.#open(error);
      },
    );
  }

  #open(cause: unknown): void {
    if (this.#state === 'half-open') this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
    this.#probeAt = this.#now() + this.#backoffMs;
    this.#change('open', cause);
  }

  #change(to: CircuitState, cause?: unknown): void {
    const from = this.#state;
    this.#state = to;
    this.#generation += 1;
    const change: CircuitStateChange = cause === undefined ? { from, to } : { from, to, cause };
    for (const listener of this.#listeners) listener(change);
  }
}
