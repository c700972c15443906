import { byTimeThenId, reachedFirst, reachOf } from './common.policy.js';
import type { NotificationFact, PurposeContext, TransparencyFinding } from './eligibility.facts.js';
import type { PurposeRules } from './purpose-rules.js';

const notInformed: TransparencyFinding = {
  status: 'NONE',
  versionId: null,
  notificationId: null,
  eventId: null,
  since: null,
  reached: false,
};

/**
 * Was the person informed of the purpose (Art. 13/14), as of `at`? Of a version in force that
 * covers it (CURRENT), only of other versions covering it (OTHER_VERSION_ONLY), or not at all
 * (NONE). Among the notifications that decide the status, the one that reached the person first
 * is named, with its first reach; when none reached, the first one sent, with when it was sent.
 * `notifications` are those that happened by `at`.
 */
export function transparencyFinding(
  context: PurposeContext,
  rules: PurposeRules,
  notifications: readonly NotificationFact[],
): TransparencyFinding {
  const covering = notifications.filter((notification) => rules.covering.has(notification.versionId));
  const current = new Set(rules.inForce.map((version) => version.id));
  const ofCurrent = covering.filter((notification) => current.has(notification.versionId));
  const pool = ofCurrent.length > 0 ? ofCurrent : covering;
  if (pool.length === 0) return notInformed;
  const status = ofCurrent.length > 0 ? 'CURRENT' : 'OTHER_VERSION_ONLY';
  const [first] = reachedFirst(
    pool.map((notification) => reachOf(notification, context.at, context.settings.reachEvidence)),
  );
  if (first) {
    return {
      status,
      versionId: first.notification.versionId,
      notificationId: first.notification.id,
      eventId: first.eventId,
      since: first.at,
      reached: true,
    };
  }
  const sent = [...pool].sort((a, b) =>
    byTimeThenId({ time: a.occurredAt.getTime(), id: a.id }, { time: b.occurredAt.getTime(), id: b.id }),
  )[0]!;
  return {
    status,
    versionId: sent.versionId,
    notificationId: sent.id,
    eventId: null,
    since: sent.occurredAt,
    reached: false,
  };
}
