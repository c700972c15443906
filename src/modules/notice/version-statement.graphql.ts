import { builder } from '../../graphql/builder.js';
import type { ControllerIdentity } from '../purpose/purpose.snapshot.js';
import { NoticeVersionRef } from './notice-version.graphql.js';
import { translationHash } from './translation-hash.js';
import { controllerIdentity } from './version-snapshot.js';

const StatedControllerRef = builder.objectRef<ControllerIdentity>('StatedController').implement({
  description: 'Who is responsible and how to reach them, as a version states it (Art. 13(1)(a)–(b)).',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name people know the controller by.' }),
    legalName: t.exposeString('legalName', { description: 'Registered legal name.' }),
    contactEmail: t.exposeString('contactEmail', { description: "The controller's contact e-mail." }),
    dpoContact: t.exposeString('dpoContact', {
      nullable: true,
      description: "The data protection officer's contact, if one is designated.",
    }),
    euRepresentative: t.exposeString('euRepresentative', {
      nullable: true,
      description: 'The EU representative (Art. 27), if one is designated.',
    }),
  }),
});

builder.prismaObjectFields(NoticeVersionRef, (t) => ({
  controller: t.field({
    type: StatedControllerRef,
    nullable: true,
    description:
      'The controller as this version states it, frozen at publication and covered by the content hash; for a draft, the controller as it is now (what publishing would state). Null for versions published before the identity was stated (content-hash format v1).',
    select: { status: true, controllerIdentity: true, notice: { select: { controller: true } } },
    resolve: (version) =>
      version.status === 'DRAFT'
        ? controllerIdentity(version.notice.controller)
        : (version.controllerIdentity as unknown as ControllerIdentity | null),
  }),
  minimumNoticeDays: t.exposeInt('minimumNoticeDays', {
    nullable: true,
    description:
      "The controller's minimum notice period when this version was published, frozen with it: the lead time its proofs and eligibility use. Null for a draft.",
  }),
}));

builder.prismaObjectFields('NoticeTranslation', (t) => ({
  textHash: t.string({
    description:
      'Hash of this locale’s title and body alone (docs/content-hash.md, “Per-locale text hash”), beside the version’s content hash.',
    select: { version: { select: { number: true, notice: { select: { key: true } } } } },
    resolve: (translation) =>
      translationHash(
        { noticeKey: translation.version.notice.key, number: translation.version.number },
        translation,
      ),
  }),
}));
