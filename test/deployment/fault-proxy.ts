import { createServer, type Server, Socket } from 'node:net';

/**
 * What the link between a counter and the server does:
 * - `pass`: bytes flow both ways;
 * - `stall`: connections are accepted but nothing passes either way (a link that is up but dead:
 *   a Wi-Fi bridge that lost its uplink, a saturated VPN); requests hang until their deadline;
 * - `refuse`: connections are refused at once (the cable is out, the instance is gone);
 * - `lose-replies`: requests reach the server, answers never come back (the worst partition: a sale
 *   recorded at the server whose cashier hears nothing).
 */
export type LinkMode = 'pass' | 'stall' | 'refuse' | 'lose-replies';

/**
 * A TCP proxy between one counter and one server instance. Stalling freezes the open connections
 * too (requests in flight hang, as on a real dead link); any other change cuts them, so a keep-alive
 * socket never outlives the link it was opened on.
 */
export class FaultProxy {
  private current: LinkMode = 'pass';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  port = 0;

  constructor(private readonly upstreamPort: () => number) {
    this.server = createServer((client) => this.accept(client));
  }

  get mode(): LinkMode {
    return this.current;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  /**
   * Changes the link. Refusing stops listening (the port answers "connection refused", as for an
   * instance that is gone); any other mode listens again on the same port.
   */
  async set(mode: LinkMode): Promise<void> {
    const was = this.current;
    this.setSockets(mode);
    if (mode === 'refuse' && was !== 'refuse') {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    } else if (mode !== 'refuse' && was === 'refuse') {
      await this.listen();
    }
  }

  private setSockets(mode: LinkMode): void {
    this.current = mode;
    if (mode === 'stall' || mode === 'lose-replies') {
      for (const { client, upstream } of this.pairs) {
        upstream.unpipe(client);
        // Whatever comes back now is lost in the dead link.
        upstream.on('data', () => undefined);
        if (mode === 'stall') {
          client.unpipe(upstream);
          client.on('data', () => undefined);
        }
      }
      if (mode === 'stall') this.pairs.clear();
      return;
    }
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.pairs.clear();
  }

  async close(): Promise<void> {
    await this.set('refuse');
  }

  private accept(client: Socket): void {
    if (this.current === 'refuse') {
      client.destroy();
      return;
    }
    this.sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => this.sockets.delete(client));
    // A stalled link swallows what it is sent and answers nothing.
    if (this.current === 'stall') return;
    const upstream = new Socket();
    this.sockets.add(upstream);
    upstream.connect(this.upstreamPort(), '127.0.0.1');
    client.pipe(upstream);
    if (this.current === 'lose-replies') upstream.on('data', () => undefined);
    else upstream.pipe(client);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(upstream);
      this.pairs.delete(pair);
    };
    upstream.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
  }
}
