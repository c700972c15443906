/** The load generator's thread (see load-thread.ts): sends prepared bodies when told to. */
import { parentPort } from 'node:worker_threads';
import { threadCpuSeconds } from './cpu-usage.js';
import { httpSender, ingest } from './http-load.js';

export type LoadMessage =
  | { type: 'bodies'; name: string; bodies: string[] }
  | {
      type: 'run';
      url: string;
      key: string;
      name: string;
      from: number;
      to: number;
      rows: number;
      inFlight: number;
    };

const port = parentPort!;
const stored = new Map<string, string[]>();
const senders = new Map<string, ReturnType<typeof httpSender>>();

port.on('message', async (message: LoadMessage) => {
  if (message.type === 'bodies') {
    stored.set(message.name, message.bodies);
    return;
  }
  try {
    const send = senders.get(message.url) ?? httpSender(message.url);
    senders.set(message.url, send);
    const bodies = stored.get(message.name)!.slice(message.from, message.to);
    const cpu = threadCpuSeconds();
    const result = await ingest(send, message.key, bodies, message.rows, message.inFlight);
    port.postMessage({ type: 'done', result, cpu: threadCpuSeconds() - cpu });
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});
port.postMessage({ type: 'ready' });
