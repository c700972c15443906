import type { ApiKey } from '../../generated/prisma/client.js';

/** What authentication needs of a key: never the secret, nor its hash (that is the cache key). */
export type CachedKey = Pick<
  ApiKey,
  | 'id'
  | 'controllerId'
  | 'name'
  | 'role'
  | 'regulatorRequestId'
  | 'trustedDocumentsOnly'
  | 'expiresAt'
  | 'lastUsedAt'
>;

export interface ApiKeyCacheOptions {
  /** How long a looked-up key is served from memory; 0 turns the cache off. */
  readonly ttlMs: number;
  /** The most keys held; the oldest entry is dropped to make room. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry {
  readonly key: CachedKey;
  readonly storedAt: number;
}

/** Told about every key that changed here, so that other processes forget it too (Redis). */
export type KeyChangeListener = (apiKeyId: string) => void;

/**
 * Active keys recently found in the database, by SHA-256 of the secret. Only keys that exist
 * and were active when read are stored: an unknown, revoked or expired secret is looked up again
 * each time (docs/decisions/0020-api-key-cache.md). Expiry is checked by the caller on every use.
 *
 * A lookup records `generation()` before its query and stores its row only if no key changed
 * meanwhile, so a row read just before a revocation cannot be stored after it.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashesById = new Map<string, string>();
  private readonly listeners = new Set<KeyChangeListener>();
  private changes = 0;
  private live = true;
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.live && this.options.ttlMs > 0 && this.options.maxEntries > 0;
  }

  /**
   * Off while the channel that brings other processes' changes is down: every request then
   * looks its key up, as without a cache. Going off forgets every key.
   */
  setLive(live: boolean): void {
    if (!live) this.clear();
    this.live = live;
  }

  get size(): number {
    return this.entries.size;
  }

  generation(): number {
    return this.changes;
  }

  get(secretHash: string): CachedKey | undefined {
    const entry = this.entries.get(secretHash);
    if (entry === undefined) return undefined;
    if (!this.live || this.now() - entry.storedAt >= this.options.ttlMs) {
      this.remove(secretHash, entry.key.id);
      return undefined;
    }
    return entry.key;
  }

  /** Stores a key read at `generation`; ignored when a key changed since, or when disabled. */
  set(secretHash: string, key: CachedKey, generation: number): void {
    if (!this.enabled || generation !== this.changes) return;
    this.remove(secretHash, key.id);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.entries().next().value;
      if (oldest === undefined) break;
      this.remove(oldest[0], oldest[1].key.id);
    }
    this.entries.set(secretHash, { key, storedAt: this.now() });
    this.hashesById.set(key.id, secretHash);
  }

  /** Records a write of `lastUsedAt` without extending the entry's life. */
  touched(secretHash: string, lastUsedAt: Date): void {
    const entry = this.entries.get(secretHash);
    if (entry !== undefined) this.entries.set(secretHash, { ...entry, key: { ...entry.key, lastUsedAt } });
  }

  /** A key changed here (revoked): forget it and tell the listeners (other processes). */
  keyChanged(apiKeyId: string): void {
    this.forget(apiKeyId);
    for (const listener of this.listeners) listener(apiKeyId);
  }

  /** A key changed elsewhere: forget it here only. */
  forget(apiKeyId: string): void {
    this.changes += 1;
    const hash = this.hashesById.get(apiKeyId);
    if (hash !== undefined) this.remove(hash, apiKeyId);
  }

  /** Forgets every key, e.g. after missing change messages while Redis was away. */
  clear(): void {
    this.changes += 1;
    this.entries.clear();
    this.hashesById.clear();
  }

  onKeyChanged(listener: KeyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private remove(secretHash: string, apiKeyId: string): void {
    this.entries.delete(secretHash);
    if (this.hashesById.get(apiKeyId) === secretHash) this.hashesById.delete(apiKeyId);
  }
}
