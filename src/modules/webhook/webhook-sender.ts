import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { endpointUrlProblem, isForbiddenAddress } from './webhook-url.policy.js';

export interface SendOptions {
  /** How long an attempt may take, connection included; then it counts as failed. */
  readonly timeoutMs: number;
  /** Lets endpoints reach loopback and private networks (development, tests). */
  readonly allowPrivateNetworks: boolean;
}

export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status: number | null; readonly error: string };

/**
 * Resolves like the system does, and refuses the connection when any address of the name is
 * private or reserved: checked on the address actually connected to, so a name that changes its
 * answer between creation and delivery (DNS rebinding) cannot reach the inside.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((entry) => isForbiddenAddress(entry.address));
    if (refused || addresses.length === 0) {
      return callback(new Error(`${hostname} resolves to a private or reserved address`), '', 0);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** One POST of a signed body. Never follows redirects; reads at most the status line and drains the rest. */
export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendOutcome> {
  const problem = endpointUrlProblem(url, options.allowPrivateNetworks);
  if (problem !== null) return Promise.resolve({ ok: false, status: null, error: `URL ${problem}` });
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const outgoing = request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        ...(options.allowPrivateNetworks ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        response.on('end', () =>
          settle(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, status, error: `answered HTTP ${status}` },
          ),
        );
        response.on('error', (error) => settle({ ok: false, status, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      settle({ ok: false, status: null, error: `no answer within ${options.timeoutMs} ms` });
      outgoing.destroy();
    }, options.timeoutMs);
    outgoing.on('error', (error) => settle({ ok: false, status: null, error: error.message }));
    outgoing.end(body);
  });
}
