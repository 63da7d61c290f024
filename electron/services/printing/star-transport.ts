import { PrinterSocket } from './printer-socket.ts';
import { isOffline } from './printer-status.ts';
import {
  STAR_ETB,
  STAR_ETB_RESET,
  STAR_STATUS_REQUEST,
  type StarStatus,
  StarStatusReader,
} from './star-status.ts';
import {
  connectPrinter,
  type PrinterReport,
  type PrinterTransport,
  type SendResult,
  type TcpOptions,
} from './transports.ts';

/**
 * A Star printer in Star Line mode on TCP (port 9100), confirmed the way Star's specification allows:
 *
 * 1. `ESC ACK SOH` before the job: the status block (answered on reception, even while offline).
 *    Silence is `no-reply`, offline (paper end, cover open, cutter error...) is `not-ready`: nothing
 *    is sent. The block's ETB counter is noted.
 * 2. The job, then `ESC RS E 0` (counter to 0) and one `ETB` (two if the counter read 1). The printer
 *    executes `ETB` only once everything before it has printed, and then adds one to its ETB counter;
 *    it never does while offline. So the counter reaches the target only after the job printed.
 * 3. `ESC ACK SOH` again, at once and then up to every pollMs: the job is printed when the counter
 *    reads the target; if the printer went offline first it is interrupted; silence or a dropped
 *    connection leaves it unconfirmed. Never DONE on a guess.
 *
 * The ETB counter belongs to the printer, not to the connection: if a job of ours was left
 * unconfirmed (the printer stopped on it), its ETB may still be waiting in the printer's buffer and
 * would move the counter for the next job. So before the next job this transport waits, up to the
 * print timeout, for that earlier ETB to be executed (the rest of the earlier job printed).
 *
 * Status blocks that arrive unasked (ASB on) before a question are never taken as its answer.
 */
export class StarTcpTransport implements PrinterTransport {
  readonly description: string;
  readonly confirms = true;
  private readonly o: Required<TcpOptions>;
  /** Per printer (host:port): the counter value an unconfirmed job's ETB will set. */
  private static readonly unsettled = new Map<string, number>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    options: TcpOptions = {},
  ) {
    this.description = `tcp://${host}:${port}`;
    this.o = {
      connectTimeoutMs: options.connectTimeoutMs ?? 3000,
      statusTimeoutMs: options.statusTimeoutMs ?? 1500,
      printTimeoutMs: options.printTimeoutMs ?? 15_000,
      printMsPerKb: options.printMsPerKb ?? 1000,
      pollMs: options.pollMs ?? 250,
    };
  }

  private get key(): string {
    return `${this.host}:${this.port}`;
  }

  async status(): Promise<PrinterReport> {
    let conn: StarConnection;
    try {
      conn = await StarConnection.open(this.host, this.port, this.o.connectTimeoutMs);
    } catch (e) {
      return { reachable: false, condition: null, error: (e as Error).message };
    }
    try {
      const status = await conn.ask(this.o.statusTimeoutMs);
      if (status) return { reachable: true, condition: status.condition };
      if (conn.isClosed)
        return { reachable: false, condition: null, error: 'the printer dropped the connection' };
      return { reachable: true, condition: null, silent: true, error: 'the printer does not answer status' };
    } finally {
      conn.close();
    }
  }

  async send(bytes: Uint8Array): Promise<SendResult> {
    let conn: StarConnection;
    try {
      conn = await StarConnection.open(this.host, this.port, this.o.connectTimeoutMs);
    } catch (e) {
      return { outcome: 'unreachable', error: (e as Error).message };
    }
    let written = false;
    let target = 0;
    try {
      let before = await conn.ask(this.o.statusTimeoutMs);
      if (!before) return this.silence(conn);
      if (notReady(before)) return { outcome: 'not-ready', condition: before.condition };
      const earlier = StarTcpTransport.unsettled.get(this.key);
      if (earlier !== undefined) {
        // The rest of an earlier job may still be printing: its ETB comes first.
        const settled = await this.waitFor(conn, earlier, this.o.printTimeoutMs, true);
        if (!settled.status) return this.silence(conn);
        if (settled.reached === false && notReady(settled.status))
          return { outcome: 'not-ready', condition: settled.status.condition };
        StarTcpTransport.unsettled.delete(this.key);
        before = settled.status;
      }
      // The job may reset the counter itself (CAN, as Star Line jobs start): after it, the counter
      // is set to 0 and ETB brings it to a target that differs from what it reads now, so the
      // value it shows before the job ends is never mistaken for the end.
      target = before.etbCounter === 1 ? 2 : 1;
      written = true;
      await conn.write(Buffer.concat([bytes, STAR_ETB_RESET, ...Array<Buffer>(target).fill(STAR_ETB)]));
      const wait = this.o.printTimeoutMs + Math.ceil(bytes.length / 1024) * this.o.printMsPerKb;
      const done = await this.waitFor(conn, target, wait, true);
      if (done.reached) return { outcome: 'printed', condition: done.status!.condition };
      StarTcpTransport.unsettled.set(this.key, target);
      if (!done.status) {
        return {
          outcome: 'unconfirmed',
          error: conn.isClosed
            ? 'the connection dropped during the job'
            : 'the printer stopped answering during the job',
        };
      }
      if (notReady(done.status)) return { outcome: 'interrupted', condition: done.status.condition };
      return {
        outcome: 'unconfirmed',
        condition: done.status.condition,
        error: `the printer did not confirm the job within ${Math.round(wait / 1000)} s`,
      };
    } catch (e) {
      if (written) StarTcpTransport.unsettled.set(this.key, target);
      return { outcome: written ? 'unconfirmed' : 'unreachable', error: (e as Error).message };
    } finally {
      conn.close();
    }
  }

  private silence(conn: StarConnection): SendResult {
    if (conn.isClosed) return { outcome: 'unreachable', error: 'the printer dropped the connection' };
    return { outcome: 'no-reply', error: 'the printer does not answer status' };
  }

  /**
   * Asks until the ETB counter reads `target` (reached), the printer stops (`stopOnOffline`), it
   * goes silent (status null) or `withinMs` passes. Asks at once, then after 1 ms doubling to pollMs.
   */
  private async waitFor(
    conn: StarConnection,
    target: number,
    withinMs: number,
    stopOnOffline = false,
  ): Promise<{ reached: boolean; status: StarStatus | null }> {
    let delay = 1;
    for (let waited = 0; ;) {
      const status = await conn.ask(this.o.statusTimeoutMs);
      if (!status) return { reached: false, status: null };
      if (status.etbCounter === target) return { reached: true, status };
      if (stopOnOffline && notReady(status)) return { reached: false, status };
      if (waited >= withinMs) return { reached: false, status };
      await new Promise((r) => setTimeout(r, delay));
      waited += delay;
      delay = Math.min(this.o.pollMs, delay * 2);
    }
  }
}

const notReady = (s: StarStatus): boolean => s.offline || isOffline(s.condition);

/** A socket with "ask for the status and give me the answer" as a promise. */
class StarConnection extends PrinterSocket {
  private readonly reader = new StarStatusReader();
  private readonly blocks: StarStatus[] = [];
  private waiter: ((s: StarStatus | null) => void) | null = null;

  static open(host: string, port: number, timeoutMs: number): Promise<StarConnection> {
    return connectPrinter(host, port, timeoutMs).then((socket) => new StarConnection(socket));
  }

  protected received(chunk: Buffer): void {
    for (const reply of this.reader.push(chunk)) {
      // Strays (noise, XON/XOFF, a broken block) are never an answer.
      if (reply.kind === 'status') this.blocks.push(reply.status);
    }
  }

  protected deliver(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.blocks.length > 0) {
      this.waiter = null;
      w(this.blocks.shift()!);
    } else if (this.closed) {
      this.waiter = null;
      w(null);
    }
  }

  /**
   * `ESC ACK SOH` and the first status block that arrives after it; blocks that came before the
   * question (unasked) are dropped, never taken as its answer. Null on timeout or a closed connection.
   */
  async ask(timeoutMs: number): Promise<StarStatus | null> {
    this.blocks.length = 0;
    if (this.closed) return null;
    await this.write(STAR_STATUS_REQUEST);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (s) => {
        clearTimeout(timer);
        resolve(s);
      };
      this.deliver();
    });
  }
}
