import { NotFoundError } from '../../domain/errors.js';
import { builder } from '../../graphql/builder.js';
import { ErrorInterface } from '../../graphql/errors.graphql.js';
import { LogEntryPendingError, LogSizeOutOfRangeError } from './transparency-log.errors.js';
import type { ConsistencyProof, InclusionProof, SignedHead } from './transparency-log.service.js';

builder.objectType(LogEntryPendingError, {
  name: 'LogEntryPendingError',
  description:
    'The entry is in the transparency log, but no signed tree head covers it yet; the next one will.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ leafIndex: t.exposeInt('leafIndex', { description: 'Its leaf index.' }) }),
});

builder.objectType(LogSizeOutOfRangeError, {
  name: 'LogSizeOutOfRangeError',
  description: "Tree sizes outside the log: from greater than to, or beyond the log's size.",
  interfaces: [ErrorInterface],
});

const proofErrors = [NotFoundError, LogEntryPendingError, LogSizeOutOfRangeError];

const HeadRef = builder.objectRef<SignedHead>('TransparencyLogHead').implement({
  authScopes: { role: 'readNotices' },
  description: "A signed tree head of the controller's transparency log (docs/transparency-log.md).",
  fields: (t) => ({
    origin: t.exposeString('origin', {
      description: "The log's origin line, `notarium/log/<controller ID>`.",
    }),
    treeSize: t.exposeInt('treeSize', { description: 'Leaves in the tree.' }),
    rootHash: t.string({ description: 'Root hash, hex.', resolve: (head) => head.rootHash.toString('hex') }),
    checkpoint: t.exposeString('checkpoint', {
      description: 'The signed checkpoint (C2SP signed note), as served over HTTP.',
    }),
    keyId: t.exposeString('keyId', { description: 'The signing key, as in evidenceSigningKeys.' }),
    signedAt: t.expose('signedAt', { type: 'DateTime', description: 'When the head was signed.' }),
  }),
});

const InclusionRef = builder.objectRef<InclusionProof>('TransparencyLogInclusionProof').implement({
  authScopes: { role: 'readNotices' },
  description:
    'That an entry is a leaf of the log under a signed head (RFC 9162 audit path; docs/transparency-log.md).',
  fields: (t) => ({
    format: t.exposeString('format', { description: 'notarium.log-inclusion-proof.v1' }),
    origin: t.exposeString('origin', { description: "The log's origin." }),
    entryType: t.exposeString('entryType', { description: 'NOTICE_VERSION or NOTIFICATION.' }),
    entryHash: t.exposeString('entryHash', { description: 'The 32 bytes the leaf commits to, hex.' }),
    leafIndex: t.exposeInt('leafIndex', { description: 'The leaf index, from 0.' }),
    treeSize: t.exposeInt('treeSize', { description: 'The size of the signed head the proof is against.' }),
    leafHash: t.exposeString('leafHash', { description: 'SHA-256(0x00 || type byte || entry hash), hex.' }),
    rootHash: t.exposeString('rootHash', { description: 'Root of that head, hex.' }),
    path: t.exposeStringList('path', { description: 'The audit path, leaf side first, hex.' }),
    checkpoint: t.exposeString('checkpoint', { description: 'The signed head of treeSize.' }),
  }),
});

const ConsistencyRef = builder.objectRef<ConsistencyProof>('TransparencyLogConsistencyProof').implement({
  authScopes: { role: 'readNotices' },
  description:
    'That the log at fromSize is a prefix of the log at toSize (RFC 9162; docs/transparency-log.md).',
  fields: (t) => ({
    format: t.exposeString('format', { description: 'notarium.log-consistency-proof.v1' }),
    origin: t.exposeString('origin', { description: "The log's origin." }),
    fromSize: t.exposeInt('fromSize', { description: 'The smaller size.' }),
    toSize: t.exposeInt('toSize', { description: 'The larger size.' }),
    fromRootHash: t.exposeString('fromRootHash', { description: 'Root at fromSize, hex.' }),
    toRootHash: t.exposeString('toRootHash', { description: 'Root at toSize, hex.' }),
    path: t.exposeStringList('path', { description: 'The consistency proof, hex.' }),
    fromCheckpoint: t.exposeString('fromCheckpoint', {
      nullable: true,
      description: 'Signed head of fromSize, if one.',
    }),
    toCheckpoint: t.exposeString('toCheckpoint', {
      nullable: true,
      description: 'Signed head of toSize, if one.',
    }),
  }),
});

builder.queryFields((t) => ({
  transparencyLogHead: t.field({
    type: HeadRef,
    nullable: true,
    description:
      "The latest signed head of the controller's transparency log; null while it is empty. Roles that read notices.",
    authScopes: { role: 'readNotices' },
    resolve: (_root, _args, context) => context.services.transparencyLog.head(),
  }),
  transparencyLogVersionProof: t.field({
    type: InclusionRef,
    description:
      'The inclusion proof of a published notice version (also public over HTTP). Roles that read notices.',
    authScopes: { role: 'readNotices' },
    errors: { types: proofErrors },
    args: {
      noticeKey: t.arg.string({ description: 'The notice.' }),
      number: t.arg.int({ description: 'The version number.' }),
      treeSize: t.arg.int({
        required: false,
        description: 'A size the log signed a head for; default the latest head.',
      }),
    },
    resolve: (_root, args, context) =>
      context.services.transparencyLog.versionProof(args.noticeKey, args.number, args.treeSize),
  }),
  transparencyLogNotificationProof: t.field({
    type: InclusionRef,
    description:
      'The inclusion proof of a notification record, once the sequencer has logged it (LOG_ENTRY_PENDING or NOT_FOUND before). ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    errors: { types: proofErrors },
    args: {
      notificationId: t.arg.id({ description: 'The notification (global ID).' }),
      treeSize: t.arg.int({
        required: false,
        description: 'A size the log signed a head for; default the latest head.',
      }),
    },
    resolve: (_root, args, context) =>
      context.services.transparencyLog.notificationProof(String(args.notificationId), args.treeSize),
  }),
  transparencyLogConsistencyProof: t.field({
    type: ConsistencyRef,
    description:
      'The proof that the log at fromSize is a prefix of the log at toSize. Roles that read notices.',
    authScopes: { role: 'readNotices' },
    errors: { types: proofErrors },
    args: {
      fromSize: t.arg.int({ description: 'The smaller size.' }),
      toSize: t.arg.int({ required: false, description: 'The larger size; default the latest head.' }),
    },
    resolve: (_root, args, context) =>
      context.services.transparencyLog.consistencyProof(args.fromSize, args.toSize),
  }),
}));
