import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface RequestScope {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

const acceptableId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's X-Request-Id when it is sane, otherwise makes one. */
export function requestIdFrom(headerValue: string | null): string {
  return headerValue !== null && acceptableId.test(headerValue) ? headerValue : randomUUID();
}

/** Everything awaited inside `run` — resolvers, services, SQL — logs with this request's ID. */
export function runInRequestScope<T>(requestId: string, run: () => T): T {
  return storage.run({ requestId }, run);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
