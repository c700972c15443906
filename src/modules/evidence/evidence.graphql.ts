import { builder } from '../../graphql/builder.js';
import type { PublishedSigningKey } from './signing-key.js';

const EvidenceSigningKeyRef = builder.objectRef<PublishedSigningKey>('EvidenceSigningKey').implement({
  description:
    "A public key the controller signs evidence bundles with. Regulators compare a bundle's key ID with these.",
  authScopes: { role: 'any' },
  fields: (t) => ({
    keyId: t.exposeString('keyId', {
      description: '`sha256:` + hex SHA-256 of the DER public key, as in the bundle manifest and signature.',
    }),
    algorithm: t.exposeString('algorithm', { description: 'Always Ed25519.' }),
    publicKey: t.exposeString('publicKey', { description: 'The public key (SubjectPublicKeyInfo, PEM).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it stopped signing; bundles signed before stay verifiable with it.',
    }),
  }),
});

builder.queryFields((t) => ({
  evidenceSigningKeys: t.field({
    type: [EvidenceSigningKeyRef],
    description:
      "The controller's evidence-bundle signing keys, newest first. Every role, REGULATOR included.",
    authScopes: { role: 'any' },
    resolve: (_root, _args, context) => context.services.evidence.signingKeys(),
  }),
}));
