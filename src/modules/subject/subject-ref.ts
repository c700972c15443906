import { createHmac } from 'node:crypto';

/**
 * Subjects are stored only as HMAC-SHA-256 of the controller's own user reference, keyed with a
 * per-controller key derived from the master secret. The raw reference never reaches the
 * database or the logs, and references of one controller cannot be matched against another's.
 */
export class SubjectRefHasher {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly masterSecret: string) {}

  private keyFor(controllerId: string): Buffer {
    let key = this.keys.get(controllerId);
    if (!key) {
      key = createHmac('sha256', this.masterSecret)
        .update(`notarium/subject-ref/v1/${controllerId}`)
        .digest();
      this.keys.set(controllerId, key);
    }
    return key;
  }

  hash(controllerId: string, subjectRef: string): string {
    return createHmac('sha256', this.keyFor(controllerId)).update(subjectRef, 'utf8').digest('base64url');
  }
}
