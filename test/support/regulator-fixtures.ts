import type { RequestScope } from '../../src/modules/regulator/regulator.scope.js';

/** A request's criteria: the ones given, every other one not given. */
export function scopeOf(criteria: Partial<RequestScope>): RequestScope {
  return { subjectRefHashes: null, noticeKeys: null, from: null, to: null, ...criteria };
}
