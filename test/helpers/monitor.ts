/**
 * What a server received, argument for argument: a `MONITOR` connection of the test's own (a plain
 * socket), so that a test checks what was sent rather than what rscript says it sent.
 * @see https://redis.io/commands/monitor/
 */
import { connect, type Socket } from 'node:net';

export interface Monitor {
  /** Every command the server reported so far, as its arguments (`['SCRIPT', 'FLUSH', 'ASYNC']`). */
  commands(): string[][];
  /** The commands whose first arguments are `prefix` (case-insensitive), in the order received. */
  matching(...prefix: string[]): string[][];
  /**
   * Waits until the server has reported every command it ran before this call: sends a marker
   * (`ECHO`) on a connection of its own and waits for it on the feed, which the server writes in order.
   */
  sync(): Promise<void>;
  close(): void;
}

/** Opens a MONITOR connection to 127.0.0.1:`port` and resolves once the server has said OK. */
export async function startMonitor(port: number): Promise<Monitor> {
  const seen: string[][] = [];
  const socket = await open(port);
  let buffer = '';
  let ready: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line === '+OK') ready();
      else if (line.startsWith('+')) seen.push(parseLine(line));
    }
  });
  socket.write('MONITOR\r\n');
  await started;
  let markers = 0;
  return {
    commands: () => seen.slice(),
    matching: (...prefix) => seen.filter((args) => prefix.every((p, i) => args[i]?.toUpperCase() === p.toUpperCase())),
    async sync() {
      const token = `monitor-sync-${process.pid}-${++markers}`;
      const other = await open(port);
      other.end(`*2\r\n$4\r\nECHO\r\n$${token.length}\r\n${token}\r\n`);
      other.resume();
      for (let i = 0; i < 400; i++) {
        if (seen.some((args) => args[0] === 'ECHO' && args[1] === token)) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`MONITOR on port ${port}: the marker never came back`);
    },
    close: () => socket.destroy(),
  };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** `+1700000000.123456 [0 127.0.0.1:5555] "SCRIPT" "FLUSH" "ASYNC"` -> ['SCRIPT', 'FLUSH', 'ASYNC']. */
export function parseLine(line: string): string[] {
  const args: string[] = [];
  for (const m of line.slice(line.indexOf(']') + 1).matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    args.push(
      m[1]!.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) =>
        e.length === 3
          ? String.fromCharCode(parseInt(e.slice(1), 16))
          : (({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' } as Record<string, string>)[e] ?? e),
      ),
    );
  }
  return args;
}
