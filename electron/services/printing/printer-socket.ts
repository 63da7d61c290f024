import type { Socket } from 'node:net';

/**
 * A printer's TCP socket with its replies read as they come: the part every printer language shares
 * (ESC/POS in transports.ts, Star Line in star-transport.ts). A subclass reads the bytes (`received`)
 * and hands answers to whoever waits (`deliver`, also called when the socket ends, so a waiter gets
 * null rather than waiting for its timeout).
 */
export abstract class PrinterSocket {
  protected closed: Error | null = null;

  protected constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received(chunk);
      this.deliver();
    });
    const end = (e?: Error) => {
      this.closed = e ?? new Error('the printer closed the connection');
      this.deliver();
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  /** Bytes from the printer, in order. */
  protected abstract received(chunk: Buffer): void;
  /** Gives a waiter its answer if one has come, or null if the socket has ended. */
  protected abstract deliver(): void;

  get isClosed(): boolean {
    return this.closed !== null;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      this.socket.write(bytes, (e) => (e ? reject(e) : resolve()));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon?.();
  }
}
