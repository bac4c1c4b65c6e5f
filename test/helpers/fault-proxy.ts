/**
 * A TCP proxy in front of a real redis-server that stops passing the server's replies back once the
 * client has sent a chosen command. It makes "the server stops answering in the middle of a load"
 * deterministic: the test knows the client is mid-command, then freezes, kills or waits.
 * The server is real; only the network path is broken.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface FaultProxy {
  port: number;
  url: string;
  /** Resolves when a client has sent a command matching `holdRepliesAfter`. */
  triggered: Promise<void>;
  close(): Promise<void>;
}

/**
 * Forwards everything both ways until the client's bytes match `holdRepliesAfter` (for example
 * /\$4\r\nLOAD\r\n/ for SCRIPT LOAD); from then on the client's bytes still reach the server but no
 * reply comes back. When the server closes (it was killed), the client's socket is closed too.
 */
export async function startFaultProxy(upstreamPort: number, holdRepliesAfter: RegExp): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let fire: () => void = () => undefined;
  const triggered = new Promise<void>((r) => (fire = r));
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let holding = false;
    // A command can straddle two chunks: keep the end of the previous one.
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      if (!holding) {
        const text = tail + chunk.toString('latin1');
        if (holdRepliesAfter.test(text)) {
          holding = true;
          fire();
        }
        tail = text.slice(-64);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!holding) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return {
    port: address.port,
    url: `redis://127.0.0.1:${address.port}`,
    triggered,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
