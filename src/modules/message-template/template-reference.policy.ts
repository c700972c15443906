/** A template revision as a notification's reference to it is checked against. */
export interface ReferencedTemplate {
  readonly id: string;
  readonly key: string;
  readonly revision: number;
  readonly channel: string;
  readonly locale: string;
  readonly contentHash: string;
  readonly createdAt: Date;
}

export interface TemplateReference {
  readonly key: string;
  readonly revision: number;
}

/** What a notification says about itself that its template must agree with. */
export interface SentMessage {
  readonly channel: string;
  readonly locale: string;
  readonly occurredAt: Date;
  /** The controller's clock-skew tolerance, in seconds. */
  readonly toleranceSeconds: number;
}

export type TemplateVerdict =
  | { readonly template: ReferencedTemplate }
  | {
      readonly code: 'TEMPLATE_NOT_FOUND' | 'TEMPLATE_MISMATCH' | 'SENT_BEFORE_TEMPLATE_PUBLICATION';
      readonly message: string;
    };

/**
 * Decides whether a notification may name a template revision (docs/message-templates.md,
 * decision table): the revision exists (`candidates` are the controller's revisions with that key
 * and number, in any channel and locale), it is for the notification's channel and locale, and
 * it existed when the message was sent, less the controller's clock-skew tolerance.
 */
export function checkTemplateReference(
  reference: TemplateReference,
  candidates: readonly ReferencedTemplate[],
  sent: SentMessage,
): TemplateVerdict {
  const named = `Template ${reference.key} revision ${reference.revision}`;
  if (candidates.length === 0)
    return { code: 'TEMPLATE_NOT_FOUND', message: `${named} has not been published.` };
  const template = candidates.find(
    (candidate) => candidate.channel === sent.channel && candidate.locale === sent.locale,
  );
  if (!template) {
    const exists = candidates.map((candidate) => `${candidate.channel}/${candidate.locale}`).sort();
    return {
      code: 'TEMPLATE_MISMATCH',
      message: `${named} exists for ${exists.join(', ')}, not for ${sent.channel}/${sent.locale}, the notification's channel and locale.`,
    };
  }
  const earliest = template.createdAt.getTime() - sent.toleranceSeconds * 1000;
  if (sent.occurredAt.getTime() < earliest)
    return {
      code: 'SENT_BEFORE_TEMPLATE_PUBLICATION',
      message: `Dated ${sent.occurredAt.toISOString()}, before ${named} was published at ${template.createdAt.toISOString()} (clock-skew tolerance ${sent.toleranceSeconds} s).`,
    };
  return { template };
}
