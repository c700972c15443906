import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { rawPublicKey, verifierKey } from '../modules/transparency-log/checkpoint.js';
import {
  parseWitnessState,
  type WitnessState,
  witnessCheckpoint,
} from '../modules/transparency-log/witness.js';
import { codedFailure, verifierKeyOption } from './log-command.js';

export const witnessUsage = `Usage:
  witness keygen --key <private key file to create> --name <witness name>
  witness cosign --state <file> --key <private key file> --name <witness name> --log-key <verifier key | file>
                 (--log <URL of …/public/<slug>/log> | --checkpoint <file> [--proof <file>])`;

export interface WitnessEnvironment {
  readonly fetch: (url: string) => Promise<Response>;
  /** Seconds since the epoch. */
  readonly now: () => number;
}

const defaults: WitnessEnvironment = { fetch: (url) => fetch(url), now: () => Math.floor(Date.now() / 1000) };

async function fetchText(environment: WitnessEnvironment, url: string): Promise<string> {
  const response = await environment.fetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 200)}`);
  return body;
}

/**
 * A witness for a Notarium log, with its own key and state file: it cosigns a checkpoint only when
 * it is consistent with the last one it cosigned (docs/transparency-log.md#witnessing). Prints
 * the cosigned checkpoint. Exit 0 cosigned, 1 refused (coded), 2 a usage error.
 */
export async function runWitnessCommand(
  args: string[],
  environment: WitnessEnvironment = defaults,
): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      key: { type: 'string' },
      name: { type: 'string' },
      state: { type: 'string' },
      'log-key': { type: 'string' },
      log: { type: 'string' },
      checkpoint: { type: 'string' },
      proof: { type: 'string' },
    },
  });
  if (action === 'keygen' && values.key && values.name) {
    if (existsSync(values.key)) {
      process.stderr.write(`CONFLICT: ${values.key} exists; a witness key is never overwritten.\n`);
      return 1;
    }
    const pair = generateKeyPairSync('ed25519');
    await writeFile(values.key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    });
    process.stdout.write(`${verifierKey(values.name, 'cosignature', rawPublicKey(pair.publicKey))}\n`);
    return 0;
  }
  const source = values.log ?? values.checkpoint;
  if (
    action !== 'cosign' ||
    !values.state ||
    !values.key ||
    !values.name ||
    !values['log-key'] ||
    source === undefined ||
    (values.log !== undefined && (values.checkpoint !== undefined || values.proof !== undefined))
  ) {
    process.stderr.write(`${witnessUsage}\n`);
    return 2;
  }
  try {
    const logKey = await verifierKeyOption(values['log-key']);
    const privateKey = createPrivateKey(await readFile(values.key, 'utf8'));
    const state: WitnessState | null = existsSync(values.state)
      ? parseWitnessState(await readFile(values.state, 'utf8'))
      : null;
    const base = values.log?.replace(/\/+$/, '');
    const checkpoint =
      base !== undefined
        ? await fetchText(environment, `${base}/checkpoint`)
        : await readFile(source, 'utf8');
    let proof: unknown = null;
    if (values.proof !== undefined) proof = JSON.parse(await readFile(values.proof, 'utf8'));
    else if (base !== undefined && state !== null) {
      const size = Number(checkpoint.split('\n')[1]);
      if (Number.isSafeInteger(size) && size > state.treeSize)
        proof = JSON.parse(
          await fetchText(environment, `${base}/consistency?from=${state.treeSize}&to=${size}`),
        );
    }
    const result = witnessCheckpoint({
      state,
      checkpoint,
      logKey,
      proof,
      name: values.name,
      privateKey,
      now: environment.now(),
    });
    const temporary = `${values.state}.tmp`;
    await writeFile(temporary, `${JSON.stringify(result.state, null, 2)}\n`);
    await rename(temporary, values.state);
    process.stdout.write(result.cosigned);
    return 0;
  } catch (error) {
    const code = codedFailure(error);
    if (code !== null) return code;
    throw error;
  }
}
