import type { KeyObject } from 'node:crypto';
import { addSignatureLine, cosign, type ParsedVerifierKey } from './checkpoint.js';
import { verifyConsistency } from './merkle.js';
import { ProofError, type ProofErrorCode, verifiedCheckpoint } from './verify-proof.js';

/**
 * A witness (docs/transparency-log.md#witnessing): it remembers the largest checkpoint it has
 * cosigned per log and cosigns a new one only when a consistency proof shows that the new tree
 * extends it. It never cosigns a smaller tree, nor another root for a size it has seen.
 */
export interface WitnessState {
  readonly format: 'notarium.witness-state.v1';
  readonly origin: string;
  readonly treeSize: number;
  /** Hex. */
  readonly rootHash: string;
  /** The log's signed checkpoint as the witness last cosigned it. */
  readonly checkpoint: string;
  /** Seconds since the epoch of that cosignature. */
  readonly cosignedAt: number;
}

export type WitnessErrorCode =
  | ProofErrorCode
  | 'WITNESS_STATE_INVALID'
  | 'ORIGIN_MISMATCH'
  | 'ROLLBACK_REFUSED'
  | 'FORK_DETECTED'
  | 'CONSISTENCY_PROOF_REQUIRED';

export class WitnessError extends Error {
  constructor(
    readonly code: WitnessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function parseWitnessState(text: string): WitnessState {
  try {
    const state = JSON.parse(text) as WitnessState;
    if (
      state.format === 'notarium.witness-state.v1' &&
      typeof state.origin === 'string' &&
      Number.isSafeInteger(state.treeSize) &&
      /^[0-9a-f]{64}$/.test(state.rootHash) &&
      typeof state.checkpoint === 'string'
    )
      return state;
  } catch {
    // reported below
  }
  throw new WitnessError(
    'WITNESS_STATE_INVALID',
    'The state file is not a notarium.witness-state.v1 document.',
  );
}

export interface WitnessInput {
  readonly state: WitnessState | null;
  /** The log's signed checkpoint to cosign. */
  readonly checkpoint: string;
  readonly logKey: ParsedVerifierKey;
  /** A notarium.log-consistency-proof.v1 document from the state's size to the checkpoint's. */
  readonly proof: unknown | null;
  readonly name: string;
  readonly privateKey: KeyObject;
  /** Seconds since the epoch. */
  readonly now: number;
}

/** Checks the checkpoint against what the witness saw; answers the cosigned note and the new state. */
export function witnessCheckpoint(input: WitnessInput): { cosigned: string; state: WitnessState } {
  const note = verifiedCheckpoint(input.checkpoint, input.logKey);
  const { origin, treeSize, rootHash } = note.checkpoint;
  const seen = input.state;
  if (seen !== null) {
    if (seen.origin !== origin)
      throw new WitnessError('ORIGIN_MISMATCH', `This state is for ${seen.origin}, not ${origin}.`);
    const seenRoot = Buffer.from(seen.rootHash, 'hex');
    if (treeSize < seen.treeSize)
      throw new WitnessError(
        'ROLLBACK_REFUSED',
        `The log shows size ${treeSize}; it was already at ${seen.treeSize}. Refusing to cosign.`,
      );
    if (treeSize === seen.treeSize && !rootHash.equals(seenRoot))
      throw new WitnessError(
        'FORK_DETECTED',
        `The log signed two different roots for size ${treeSize}: a fork. Refusing to cosign.`,
      );
    if (treeSize > seen.treeSize) {
      if (input.proof == null)
        throw new WitnessError(
          'CONSISTENCY_PROOF_REQUIRED',
          `A consistency proof from size ${seen.treeSize} to ${treeSize} is needed.`,
        );
      const proof = input.proof as { format?: unknown; fromSize?: unknown; toSize?: unknown; path?: unknown };
      if (
        proof.format !== 'notarium.log-consistency-proof.v1' ||
        proof.fromSize !== seen.treeSize ||
        proof.toSize !== treeSize ||
        !Array.isArray(proof.path) ||
        !proof.path.every((item) => typeof item === 'string' && /^[0-9a-f]{64}$/.test(item))
      )
        throw new ProofError(
          'PROOF_MALFORMED',
          `Not a consistency proof from size ${seen.treeSize} to ${treeSize}.`,
        );
      const path = (proof.path as string[]).map((item) => Buffer.from(item, 'hex'));
      if (!verifyConsistency(seen.treeSize, treeSize, seenRoot, rootHash, path))
        throw new WitnessError(
          'FORK_DETECTED',
          `The log of size ${treeSize} does not extend the log of size ${seen.treeSize} this witness cosigned: a fork. Refusing to cosign.`,
        );
    }
  }
  const line = cosign(note, input.name, input.privateKey, input.now);
  return {
    cosigned: addSignatureLine(input.checkpoint, line),
    state: {
      format: 'notarium.witness-state.v1',
      origin,
      treeSize,
      rootHash: rootHash.toString('hex'),
      checkpoint: input.checkpoint,
      cosignedAt: input.now,
    },
  };
}
