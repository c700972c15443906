import { z } from 'zod';
import { type ReachEvidence, reachEvidence } from '../notification/reach.policy.js';
import type { EligibilitySettings } from './eligibility.facts.js';
import type { PurposeRules } from './purpose-rules.js';

/** What `EligibilityManifest.settings` holds: the settings a manifest's decision used. */
export interface StoredSettings {
  /** Per channel, the event types that counted as reach. */
  readonly reachEvidence: ReachEvidence;
  /** The controller's notice period then: the lead time of versions without a frozen one. */
  readonly minimumNoticeDays: number;
  /** The lead time applied per version in force that describes the revision (legitimate interests). */
  readonly leadTimes: readonly {
    readonly versionId: string;
    readonly days: number;
    readonly frozen: boolean;
  }[];
}

const storedSchema = z.object({
  reachEvidence: z.record(z.string(), z.array(z.string())),
  minimumNoticeDays: z.number().int(),
  leadTimes: z.array(z.object({ versionId: z.string(), days: z.number().int(), frozen: z.boolean() })),
});

/** The controller's current settings. */
export function controllerSettings(controller: {
  readonly reachEvidence: unknown;
  readonly minimumNoticeDays: number;
}): EligibilitySettings {
  return {
    reachEvidence: reachEvidence(controller.reachEvidence),
    minimumNoticeDays: controller.minimumNoticeDays,
  };
}

/** The settings a decision used, to store with a manifest. */
export function settingsToStore(settings: EligibilitySettings, rules: PurposeRules): StoredSettings {
  return {
    reachEvidence: settings.reachEvidence,
    minimumNoticeDays: settings.minimumNoticeDays,
    leadTimes: [...rules.leadTimes].map(([versionId, { days, frozen }]) => ({ versionId, days, frozen })),
  };
}

/** A manifest's stored settings; null for a manifest stored before settings were (or unreadable). */
export function storedSettings(json: unknown): StoredSettings | null {
  const parsed = storedSchema.safeParse(json);
  if (!parsed.success) return null;
  return { ...parsed.data, reachEvidence: reachEvidence(parsed.data.reachEvidence) };
}

/** The settings to recompute a manifest with: the stored ones, lead times included. */
export function settingsFromStore(stored: StoredSettings): EligibilitySettings {
  return {
    reachEvidence: stored.reachEvidence,
    minimumNoticeDays: stored.minimumNoticeDays,
    leadTimes: new Map(stored.leadTimes.map((item) => [item.versionId, item.days])),
  };
}
