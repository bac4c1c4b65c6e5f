/**
 * Plain TCP listeners that are not Redis: one that counts connections and never answers, one that
 * answers like a web server. They prove rscript's behaviour when the URL points at the wrong thing.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FakeListener {
  port: number;
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Listens on a free loopback port; `onSocket` decides what each connection gets. */
export async function listen(onSocket: (socket: Socket) => void = () => undefined): Promise<FakeListener> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return {
    port: address.port,
    url: `redis://127.0.0.1:${address.port}`,
    connections: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections and never answers (a firewall that lets SYN through, a hung server). */
export const silentListener = () => listen();

/** Answers every connection like an HTTP server would, then hangs up. */
export const httpListener = () =>
  listen((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));

export interface Chunk {
  from: 'client' | 'server';
  data: Buffer;
}

export interface RecordingProxy extends FakeListener {
  /** Every chunk that crossed the proxy, in order, as the sockets delivered it. */
  chunks: Chunk[];
}

/**
 * A TCP proxy to a real server that records the traffic in order. It shows how commands reach the
 * server: sent one after the other's reply, or written together (pipelined).
 */
export async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const chunks: Chunk[] = [];
  const listener = await listen((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('data', (data: Buffer) => {
      chunks.push({ from: 'client', data });
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      chunks.push({ from: 'server', data });
      client.write(data);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return { ...listener, chunks };
}
