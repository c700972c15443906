import {
  type Checkpoint,
  CheckpointFormatError,
  hasLogSignature,
  type ParsedVerifierKey,
  parseSignedNote,
  type SignedNote,
} from './checkpoint.js';
import { type EntryType, encodeLeaf, entryTypes } from './leaf.js';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.js';

/**
 * Offline checks of what the log serves — checkpoints, inclusion and consistency proofs — with
 * only the log's verifier key. Every failure is a coded error (docs/transparency-log.md#verifying).
 */
export type ProofErrorCode =
  | 'PROOF_MALFORMED'
  | 'CHECKPOINT_MALFORMED'
  | 'CHECKPOINT_SIGNATURE_INVALID'
  | 'CHECKPOINT_MISMATCH'
  | 'ENTRY_MISMATCH'
  | 'INCLUSION_PROOF_INVALID'
  | 'CONSISTENCY_PROOF_INVALID';

export class ProofError extends Error {
  constructor(
    readonly code: ProofErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A signed note whose log signature checks out with this key. */
export function verifiedCheckpoint(text: string, key: ParsedVerifierKey): SignedNote {
  let note: SignedNote;
  try {
    note = parseSignedNote(text);
  } catch (error) {
    if (error instanceof CheckpointFormatError) throw new ProofError('CHECKPOINT_MALFORMED', error.message);
    throw error;
  }
  if (!hasLogSignature(note, key))
    throw new ProofError(
      'CHECKPOINT_SIGNATURE_INVALID',
      `The checkpoint carries no valid signature by ${key.name} (key ID ${key.keyId.toString('hex')}).`,
    );
  return note;
}

const hash = (value: unknown, what: string): Buffer => {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value))
    throw new ProofError('PROOF_MALFORMED', `${what} is not 64 lowercase hex digits.`);
  return Buffer.from(value, 'hex');
};
const size = (value: unknown, what: string): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new ProofError('PROOF_MALFORMED', `${what} is not a tree size.`);
  return value;
};
const path = (value: unknown): Buffer[] => {
  if (!Array.isArray(value)) throw new ProofError('PROOF_MALFORMED', 'path is not an array.');
  return value.map((item, i) => hash(item, `path[${i}]`));
};
const record = (value: unknown, format: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== format)
    throw new ProofError('PROOF_MALFORMED', `Not a ${format} document.`);
  return value as Record<string, unknown>;
};

function sameHead(checkpoint: Checkpoint, treeSize: number, rootHash: Buffer, what: string): void {
  if (checkpoint.treeSize !== treeSize || !checkpoint.rootHash.equals(rootHash))
    throw new ProofError(
      'CHECKPOINT_MISMATCH',
      `The ${what} checkpoint is not of the proof's size and root.`,
    );
}

export interface VerifiedInclusion {
  readonly entryType: EntryType;
  readonly entryHash: string;
  readonly leafIndex: number;
  readonly checkpoint: Checkpoint;
}

/** Checks an inclusion proof document; `expectedEntryHash` (hex) pins what the leaf must commit to. */
export function verifyInclusionDocument(
  document: unknown,
  key: ParsedVerifierKey,
  expectedEntryHash: string | null = null,
): VerifiedInclusion {
  const proof = record(document, 'notarium.log-inclusion-proof.v1');
  const entryType = proof.entryType;
  if (typeof entryType !== 'string' || !(entryType in entryTypes))
    throw new ProofError('PROOF_MALFORMED', 'entryType is not NOTICE_VERSION or NOTIFICATION.');
  const entryHash = hash(proof.entryHash, 'entryHash');
  if (expectedEntryHash !== null && entryHash.toString('hex') !== expectedEntryHash.toLowerCase())
    throw new ProofError('ENTRY_MISMATCH', 'The proof is for another entry than the expected hash.');
  const leafIndex = size(proof.leafIndex, 'leafIndex');
  const treeSize = size(proof.treeSize, 'treeSize');
  const note = verifiedCheckpoint(String(proof.checkpoint ?? ''), key);
  sameHead(note.checkpoint, treeSize, hash(proof.rootHash, 'rootHash'), 'signed');
  const leaf = leafHash(encodeLeaf(entryType as EntryType, entryHash));
  if (!verifyInclusion(leafIndex, treeSize, leaf, path(proof.path), note.checkpoint.rootHash))
    throw new ProofError(
      'INCLUSION_PROOF_INVALID',
      `The path does not lead from leaf ${leafIndex} to the signed root of size ${treeSize}.`,
    );
  return {
    entryType: entryType as EntryType,
    entryHash: entryHash.toString('hex'),
    leafIndex,
    checkpoint: note.checkpoint,
  };
}

/**
 * Checks a consistency proof document. The roots come from signed checkpoints: the document's own,
 * or `oldCheckpoint` (one the verifier kept) for the smaller size.
 */
export function verifyConsistencyDocument(
  document: unknown,
  key: ParsedVerifierKey,
  oldCheckpoint: string | null = null,
): { from: Checkpoint; to: Checkpoint } {
  const proof = record(document, 'notarium.log-consistency-proof.v1');
  const fromSize = size(proof.fromSize, 'fromSize');
  const toSize = size(proof.toSize, 'toSize');
  const fromText = oldCheckpoint ?? (typeof proof.fromCheckpoint === 'string' ? proof.fromCheckpoint : null);
  const toText = typeof proof.toCheckpoint === 'string' ? proof.toCheckpoint : null;
  if (fromText === null || toText === null)
    throw new ProofError(
      'PROOF_MALFORMED',
      'Both sizes need a signed checkpoint (give --old for the smaller).',
    );
  const from = verifiedCheckpoint(fromText, key).checkpoint;
  const to = verifiedCheckpoint(toText, key).checkpoint;
  if (from.treeSize !== fromSize || to.treeSize !== toSize)
    throw new ProofError('CHECKPOINT_MISMATCH', "The checkpoints are not of the proof's sizes.");
  if (!verifyConsistency(fromSize, toSize, from.rootHash, to.rootHash, path(proof.path)))
    throw new ProofError(
      'CONSISTENCY_PROOF_INVALID',
      `The log of size ${toSize} does not extend the signed log of size ${fromSize}.`,
    );
  return { from, to };
}
