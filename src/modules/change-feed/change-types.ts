/**
 * Every type of change event, with what it means. Adding a type is one entry here plus one
 * `emitChange` call in the transaction of the change (docs/change-feed.md#adding-an-event-type):
 * the table stores the type as text, so no migration is needed, and the GraphQL enum and the
 * webhook filters follow this list.
 */
export const changeTypes = {
  'notice.version.published': 'A notice version was published (it gets its number and content hash).',
  'notice.version.retired': 'A published notice version was retired: it no longer takes effect.',
  'purpose.revised': 'A purpose got a new revision.',
  'campaign.milestone.reached':
    "A campaign's recorded or delivered notifications reached 25, 50, 75 or 100 % of its planned size.",
  'regulator.request.opened': 'A regulator request was opened.',
} as const;

export type ChangeType = keyof typeof changeTypes;

export const changeTypeNames = Object.keys(changeTypes) as ChangeType[];

/** `notice.version.published` ⇄ `NOTICE_VERSION_PUBLISHED` (the GraphQL enum value). */
export function changeTypeEnumValue(type: ChangeType): string {
  return type.toUpperCase().replaceAll('.', '_');
}

export function isChangeType(value: string): value is ChangeType {
  return Object.hasOwn(changeTypes, value);
}
