import { leadTimeMet, processingMayStartAt } from '../notice/lead-time.js';
import {
  type BasisInput,
  byTimeThenId,
  iso,
  label,
  none,
  objected,
  objectionEvidence,
  reachedFirst,
  reachOf,
  type Verdict,
  verdict,
} from './common.policy.js';

/**
 * LEGITIMATE_INTERESTS (Art. 6(1)(f), 13(1)(c)–(d), 21): no standing objection; a notice version
 * in force describes the revision in force itself; the person was reached with it (or with an
 * earlier version that said the same about the purpose) at least its lead time before `at`.
 */
export function decideLegitimateInterests(input: BasisInput): Verdict {
  const { context, rules, revision, facts } = input;
  const { at } = context;
  const objection = objected(input);
  if (objection) return objection;
  const responseId = objectionEvidence(input);

  const inForce = rules.inForce[0];
  if (!inForce) {
    return verdict(
      'NO_VERSION_IN_FORCE',
      revision,
      { ...none, responseId },
      `No notice version in force at ${iso(at)} covers ${context.purposeKey}.`,
    );
  }
  const describing = rules.describingRevision[0];
  if (!describing) {
    return verdict(
      'REVISION_NOT_NOTIFIED',
      revision,
      { ...none, versionId: inForce.id, responseId },
      `${label(inForce)}, in force, describes an earlier revision of ${context.purposeKey}; no version in force at ${iso(at)} describes revision ${revision.number} (since ${iso(revision.createdAt)}).`,
    );
  }
  const candidates = facts.notifications.filter((notification) =>
    rules.notifiable.has(notification.versionId),
  );
  if (candidates.length === 0) {
    return verdict(
      'NOT_NOTIFIED',
      revision,
      { ...none, versionId: describing.id, responseId },
      `Not notified of ${label(describing)} (in force) or of an earlier version that said the same about ${context.purposeKey}.`,
    );
  }
  const countsFor = (versionId: string) => rules.notifiable.get(versionId)!;
  const startsAt = (reached: Date, versionId: string) =>
    processingMayStartAt(reached, rules.leadTimes.get(countsFor(versionId).id)!.days);
  const reached = reachedFirst(
    candidates.map((notification) => reachOf(notification, at, context.settings.reachEvidence)),
  );
  // The notification that lets processing start first (with one lead time: the one that reached first).
  const best = reached.sort((a, b) =>
    byTimeThenId(
      { time: startsAt(a.at, a.notification.versionId).getTime(), id: a.notification.id },
      { time: startsAt(b.at, b.notification.versionId).getTime(), id: b.notification.id },
    ),
  )[0];
  if (!best) {
    const latest = [...candidates].sort((a, b) =>
      byTimeThenId({ time: b.occurredAt.getTime(), id: b.id }, { time: a.occurredAt.getTime(), id: a.id }),
    )[0]!;
    const lastEvent = [...latest.events]
      .filter((event) => event.occurredAt.getTime() <= at.getTime())
      .sort((a, b) =>
        byTimeThenId({ time: b.occurredAt.getTime(), id: b.id }, { time: a.occurredAt.getTime(), id: a.id }),
      )[0];
    const counting =
      context.settings.reachEvidence[latest.channel as keyof typeof context.settings.reachEvidence];
    return verdict(
      'NOT_REACHED',
      revision,
      {
        versionId: countsFor(latest.versionId).id,
        notificationId: latest.id,
        eventId: lastEvent?.id ?? null,
        responseId,
      },
      `Notified ${candidates.length} time(s), but no event that shows reach (${latest.channel}: ${(counting ?? []).join(', ')}) recorded by ${iso(at)}${lastEvent ? ` (latest event: ${lastEvent.type})` : ''}.`,
    );
  }
  const version = countsFor(best.notification.versionId);
  const days = rules.leadTimes.get(version.id)!.days;
  const evidence = {
    versionId: version.id,
    notificationId: best.notification.id,
    eventId: best.eventId,
    responseId,
  };
  if (!leadTimeMet(best.at, at, days)) {
    return verdict(
      'LEAD_TIME_NOT_MET',
      revision,
      evidence,
      `First reached on ${iso(best.at)}; the notice period of ${label(version)} is ${days} days, so processing may start on ${iso(processingMayStartAt(best.at, days))}.`,
    );
  }
  const notified = context.versions.find((candidate) => candidate.id === best.notification.versionId)!;
  return verdict(
    'LEGITIMATE_INTERESTS_NOTIFIED',
    revision,
    evidence,
    `Reached on ${iso(best.at)} with ${label(notified)}, at least ${days} days before; no standing objection.`,
  );
}
