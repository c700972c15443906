/**
 * `Promise.withResolvers` (ES2024) where the runtime lacks it (Node.js 20). Without it,
 * `@whatwg-node/promise-helpers` builds each deferred promise as an object literal with `resolve`
 * and `reject` getters, and V8 keeps what such an object's getters reach alive through every
 * young-generation collection until the next full one (ADR 0050). graphql-tools makes one per
 * execution and the server adapter one per request.
 */
export function installPromiseWithResolvers(): void {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((settle, fail) => {
        resolve = settle;
        reject = fail;
      });
      return { promise, resolve, reject };
    },
  });
}
