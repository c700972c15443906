/** What the rule needs to know about a version: when it was published, and the controller's tolerance. */
export interface PublicationBound {
  readonly publishedAt: Date;
  readonly toleranceSeconds: number;
}

/**
 * Nobody can be told of a version, nor receive it, before it exists: a notification or delivery
 * event dated earlier than the version's publication, less the controller's clock-skew
 * tolerance, is refused. Without this lower bound a back-dated record could satisfy a lead time
 * that never ran (GDPR Art. 5(2), 12–13). Null when the date is possible.
 */
export function sentBeforePublication(
  occurredAt: Date,
  version: PublicationBound,
): { code: 'SENT_BEFORE_PUBLICATION'; message: string } | null {
  const earliest = version.publishedAt.getTime() - version.toleranceSeconds * 1000;
  if (occurredAt.getTime() >= earliest) return null;
  return {
    code: 'SENT_BEFORE_PUBLICATION',
    message: `Dated ${occurredAt.toISOString()}, before its notice version was published at ${version.publishedAt.toISOString()} (clock-skew tolerance ${version.toleranceSeconds} s).`,
  };
}
