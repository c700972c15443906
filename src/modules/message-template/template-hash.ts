import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';

/** Names the canonical form of a template revision; another form must get another name. */
export const TEMPLATE_FORMAT = 'notarium.message-template.v1';

/** What a template revision says: everything its content hash covers (docs/message-templates.md). */
export interface TemplateContent {
  readonly key: string;
  readonly channel: string;
  readonly locale: string;
  readonly revision: number;
  readonly subject: string | null;
  readonly body: string;
  readonly linkTarget: string | null;
}

/** The canonical JSON text of a template revision. Fields are picked one by one: nothing else leaks in. */
export function templateCanonicalForm(content: TemplateContent): string {
  return canonicalJson({
    format: TEMPLATE_FORMAT,
    key: content.key,
    channel: content.channel,
    locale: content.locale,
    revision: content.revision,
    subject: content.subject,
    body: content.body,
    linkTarget: content.linkTarget,
  });
}

/** `sha256:` + lowercase hex SHA-256 of the UTF-8 bytes of the canonical form. */
export function templateHash(content: TemplateContent): string {
  return `sha256:${createHash('sha256').update(templateCanonicalForm(content), 'utf8').digest('hex')}`;
}
