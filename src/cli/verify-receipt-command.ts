import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseJwks, ReceiptError, verifyReceipt } from '../modules/consent-record/receipt-jws.js';

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const usage = 'Usage: verify-receipt <receipt | file> (--jwks <JWKS file> | --public-key <PEM file>)';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new ReceiptError('RECEIPT_MALFORMED', `Cannot read the ${what} ${path}.`);
  }
}

/**
 * Verifies a consent receipt offline (no database): prints its claims and exits 0, or prints
 * one coded line (RECEIPT_MALFORMED, RECEIPT_UNKNOWN_KID, RECEIPT_BAD_SIGNATURE) and exits 1.
 * Exit 2: wrong usage.
 */
export async function runVerifyReceiptCommand(args: string[]): Promise<number> {
  const options = { jwks: { type: 'string' }, 'public-key': { type: 'string' } } as const;
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>
  >;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [input] = positionals;
  if (
    input === undefined ||
    positionals.length > 1 ||
    (values.jwks === undefined) === (values['public-key'] === undefined)
  ) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  try {
    const receipt = compactJws.test(input) ? input : await readText(input, 'receipt file');
    const keys =
      values.jwks !== undefined
        ? parseJwks(await readText(values.jwks, 'key set'))
        : { publicKeyPem: await readText(values['public-key']!, 'public key') };
    const { kid, claims } = verifyReceipt(receipt, keys);
    process.stdout.write(`Receipt valid: signed by ${kid}\n${JSON.stringify(claims, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ReceiptError) {
      process.stderr.write(`${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
