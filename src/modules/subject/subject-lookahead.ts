import {
  type FieldNode,
  type GraphQLResolveInfo,
  getArgumentValues,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { selectsColumnsOnly } from '../../db/row-selection.js';
import { Prisma } from '../../generated/prisma/client.js';

/** The one proof or eligibility lookup a `subject(ref)` selection makes, read before it resolves. */
export type SubjectLookahead =
  | { readonly kind: 'proof'; readonly noticeKey: string; readonly version: number }
  | { readonly kind: 'eligibility'; readonly purposeKey: string; readonly at: Date | null };

const lookupFields = new Set(['notificationProof', 'eligibility']);

const subjectColumns = new Set<string>(Object.values(Prisma.SubjectScalarFieldEnum));

/** Whether the selection asks only the subject's own columns: what a `Subject` row read with `to_jsonb` answers. */
export function selectsSubjectColumnsOnly(query: { include?: object; select?: object }): boolean {
  return selectsColumnsOnly(query, subjectColumns);
}

/**
 * When a `subject(ref)` selection asks for exactly one `notificationProof` or `eligibility` (at
 * any depth of fragments on the subject), that field's arguments as the executor will coerce them,
 * so that the subject and the facts of that lookup can be read in one statement. Null otherwise:
 * the subject is then looked up alone, and each lookup field reads its own facts.
 */
export function subjectLookahead(info: GraphQLResolveInfo): SubjectLookahead | null {
  const subjectType = info.schema.getType('Subject');
  if (!isObjectType(subjectType)) return null;
  const found: FieldNode[] = [];
  const spread = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (lookupFields.has(selection.name.value)) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value;
        if (on === undefined || on === 'Subject') walk(selection.selectionSet);
      } else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment?.typeCondition.name.value === 'Subject') walk(fragment.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) if (node.selectionSet) walk(node.selectionSet);
  const [field] = found;
  if (found.length !== 1 || field === undefined) return null;
  const definition = subjectType.getFields()[field.name.value];
  if (definition === undefined) return null;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(definition, field, info.variableValues);
  } catch {
    return null; // The field itself will report the bad argument.
  }
  if (field.name.value === 'notificationProof') {
    const { noticeKey, version } = args;
    return typeof noticeKey === 'string' && typeof version === 'number'
      ? { kind: 'proof', noticeKey, version }
      : null;
  }
  const { purposeKey, at } = args;
  if (typeof purposeKey !== 'string' || !(at === undefined || at === null || at instanceof Date)) return null;
  return { kind: 'eligibility', purposeKey, at: at ?? null };
}
