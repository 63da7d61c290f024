import { PrinterSocket } from './printer-socket.ts';
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { type PrinterSettings, printerUri } from '../../../shared/schemas/printing.ts';
import {
  conditionFromAsb,
  conditionFromRealtime,
  DLE_EOT,
  GS_R_PAPER,
  isOffline,
  type PrinterCondition,
  StatusReplyReader,
} from './printer-status.ts';
import { StarTcpTransport } from './star-transport.ts';
import { openPrinterTarget, type PrinterTarget, type TargetRules, targetProblem } from './printer-target.ts';

/**
 * How bytes reach a printer. The queue asks one question per job: "did it print?"; the answer is
 * one of these outcomes, never a guess dressed up as success.
 *
 * - printed: the printer was ready, took the job, and confirmed it (`GS r` came back after it).
 * - sent: handed to a transport that cannot hear the printer (device file, OS spooler).
 * - not-ready: the printer reported paper out, cover open or an error BEFORE the job: nothing sent.
 * - no-reply: connected, but the printer did not answer its status: nothing sent. Silence is not "ready".
 * - unreachable: could not connect or write: nothing printed.
 * - interrupted: the job was sent and the printer then stopped (paper ran out, cover opened, cutter
 *   jammed) before confirming it. Part of it may be on paper and the rest in the printer's buffer.
 * - unconfirmed: the job was sent and no confirmation came back (the connection dropped, or the printer
 *   went silent): it may or may not have printed.
 */
export type SendOutcome =
  'printed' | 'sent' | 'not-ready' | 'no-reply' | 'unreachable' | 'interrupted' | 'unconfirmed';

export interface SendResult {
  outcome: SendOutcome;
  /** The printer's condition as last reported (before the job, or when it stopped). */
  condition?: PrinterCondition;
  error?: string;
}

export interface PrinterReport {
  reachable: boolean;
  /** The printer's full status (DLE EOT 1-4); null when it cannot tell or stayed silent. */
  condition: PrinterCondition | null;
  /** Connected, but the printer did not answer its status. */
  silent?: boolean;
  error?: string;
}

export interface PrinterTransport {
  /** For messages: tcp://host:port, a path or printer:NAME. */
  readonly description: string;
  /** Whether this transport hears the printer (confirms jobs, reports paper and cover). */
  readonly confirms: boolean;
  send(bytes: Uint8Array): Promise<SendResult>;
  status(): Promise<PrinterReport>;
}

export interface TcpOptions {
  connectTimeoutMs?: number;
  /** How long one real-time status reply may take; a printer answers DLE EOT within milliseconds. */
  statusTimeoutMs?: number;
  /** How long a job may take to print before it counts as unconfirmed: base + per KB sent. */
  printTimeoutMs?: number;
  printMsPerKb?: number;
  /** While waiting for a job's confirmation, how often to ask whether the printer stopped. */
  pollMs?: number;
}

/**
 * An ESC/POS printer on TCP (port 9100). One connection per job: reconnecting costs a millisecond and
 * survives a printer power cycle. Every job is preceded by the full real-time status (DLE EOT 1-4)
 * and followed by `GS r 1`, which the printer answers only once everything before it has printed;
 * while waiting, DLE EOT 1 tells whether it stopped instead.
 */
export class TcpTransport implements PrinterTransport {
  readonly description: string;
  readonly confirms = true;
  private readonly o: Required<TcpOptions>;

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

  async status(): Promise<PrinterReport> {
    let conn: Connection;
    try {
      conn = await Connection.open(this.host, this.port, this.o.connectTimeoutMs);
    } catch (e) {
      return { reachable: false, condition: null, error: (e as Error).message };
    }
    try {
      const condition = await this.readCondition(conn);
      if (condition) return { reachable: true, condition };
      if (conn.isClosed)
        return { reachable: false, condition: null, error: 'the printer dropped the connection' };
      return { reachable: true, condition: null, silent: true, error: 'the printer does not answer status' };
    } finally {
      conn.close();
    }
  }

  async send(bytes: Uint8Array): Promise<SendResult> {
    let conn: Connection;
    try {
      conn = await Connection.open(this.host, this.port, this.o.connectTimeoutMs);
    } catch (e) {
      return { outcome: 'unreachable', error: (e as Error).message };
    }
    let written = false;
    try {
      const before = await this.readCondition(conn);
      if (!before) {
        if (conn.isClosed) return { outcome: 'unreachable', error: 'the printer dropped the connection' };
        return { outcome: 'no-reply', error: 'the printer does not answer status' };
      }
      if (isOffline(before)) return { outcome: 'not-ready', condition: before };
      written = true;
      await conn.write(Buffer.concat([bytes, GS_R_PAPER]));
      const wait = this.o.printTimeoutMs + Math.ceil(bytes.length / 1024) * this.o.printMsPerKb;
      for (let waited = 0; ; waited += this.o.pollMs) {
        const done = await conn.next('transmit', this.o.pollMs);
        if (done !== null) {
          return {
            outcome: 'printed',
            condition: { ...before, paperNearEnd: (done & 0x03) !== 0 },
          };
        }
        if (conn.isClosed) return { outcome: 'unconfirmed', error: 'the connection dropped during the job' };
        const now = await this.readCondition(conn);
        if (!now) {
          if (conn.isClosed)
            return { outcome: 'unconfirmed', error: 'the connection dropped during the job' };
          return { outcome: 'unconfirmed', error: 'the printer stopped answering during the job' };
        }
        if (isOffline(now)) return { outcome: 'interrupted', condition: now };
        if (waited >= wait) {
          return {
            outcome: 'unconfirmed',
            condition: now,
            error: `the printer did not confirm the job within ${Math.round(wait / 1000)} s`,
          };
        }
      }
    } catch (e) {
      return { outcome: written ? 'unconfirmed' : 'unreachable', error: (e as Error).message };
    } finally {
      conn.close();
    }
  }

  /**
   * DLE EOT 1, 2, 3 and 4 in one write: real-time replies come back in the order asked (they all
   * share one bit pattern, so order is what tells them apart); null if any goes unanswered or breaks
   * its fixed bits.
   */
  private async readCondition(conn: Connection): Promise<PrinterCondition | null> {
    await conn.write(Buffer.concat([DLE_EOT(1), DLE_EOT(2), DLE_EOT(3), DLE_EOT(4)]));
    const replies: number[] = [];
    for (let n = 0; n < 4; n++) {
      const reply = await conn.next('realtime', this.o.statusTimeoutMs);
      if (reply === null) return null;
      replies.push(reply);
    }
    return conditionFromRealtime(replies);
  }
}

/**
 * A socket with "give me the next reply of this kind" as a promise. Replies are sorted by their bit
 * patterns (StatusReplyReader), so status bytes a printer sends unasked (automatic status back) are
 * never taken for the answer to a question.
 */
class Connection extends PrinterSocket {
  private readonly reader = new StatusReplyReader();
  private readonly queues = { realtime: [] as number[], transmit: [] as number[] };
  private waiter: { kind: 'realtime' | 'transmit'; resolve: (b: number | null) => void } | null = null;
  /** The latest automatic status back, if the printer sends them. */
  lastAsb: PrinterCondition | null = null;

  static open(host: string, port: number, timeoutMs: number): Promise<Connection> {
    return connectPrinter(host, port, timeoutMs).then((socket) => new Connection(socket));
  }

  protected received(chunk: Buffer): void {
    for (const reply of this.reader.push(chunk)) {
      if (reply.kind === 'asb') this.lastAsb = conditionFromAsb(reply.bytes);
      else if (reply.kind === 'realtime' || reply.kind === 'transmit')
        this.queues[reply.kind].push(reply.byte);
    }
  }

  protected deliver(): void {
    const w = this.waiter;
    if (!w) return;
    const queue = this.queues[w.kind];
    if (queue.length > 0) {
      this.waiter = null;
      w.resolve(queue.shift()!);
    } else if (this.closed) {
      this.waiter = null;
      w.resolve(null);
    }
  }

  /** The next reply of `kind`, or null on timeout or when the connection closes. */
  next(kind: 'realtime' | 'transmit', timeoutMs: number): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = {
        kind,
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
      };
      this.deliver();
    });
  }
}

/**
 * A USB or serial printer as a device file (or, on a training store, a capture file). It cannot
 * answer status, so "sent" is all we know. Every job opens the target afresh through
 * printer-target.ts, which refuses anything but what the rule allows: nothing is written then.
 */
export class DeviceTransport implements PrinterTransport {
  readonly description: string;
  readonly confirms = false;
  private readonly target: PrinterTarget;

  constructor(
    target: PrinterTarget | string,
    private readonly rules: TargetRules = { training: false },
  ) {
    this.target = typeof target === 'string' ? { kind: 'device', path: target } : target;
    this.description = this.target.kind === 'file' ? `file:${this.target.path}` : this.target.path;
  }

  async send(bytes: Uint8Array): Promise<SendResult> {
    let handle;
    try {
      handle = await openPrinterTarget(this.target, this.rules);
    } catch (e) {
      return { outcome: 'unreachable', error: (e as Error).message };
    }
    let written = 0;
    try {
      // A device may take a job in several writes.
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
      return { outcome: 'sent' };
    } catch (e) {
      return { outcome: written > 0 ? 'unconfirmed' : 'unreachable', error: (e as Error).message };
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async status(): Promise<PrinterReport> {
    let problem: string | null;
    try {
      problem = targetProblem(this.target, this.rules);
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem) return { reachable: false, condition: null, error: `${this.target.path}: ${problem}` };
    return { reachable: true, condition: null };
  }
}

/** The arguments for a raw job to the OS spooler (CUPS). Kept apart so it is testable without lp. */
export function lpArguments(printerName: string): string[] {
  return ['-d', printerName, '-o', 'raw', '-s'];
}

export class OsPrinterTransport implements PrinterTransport {
  readonly description: string;
  readonly confirms = false;

  constructor(
    private readonly name: string,
    private readonly command = 'lp',
  ) {
    this.description = `printer:${name}`;
  }

  send(bytes: Uint8Array): Promise<SendResult> {
    return new Promise((resolve) => {
      const child = spawn(this.command, lpArguments(this.name), {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.once('error', (e) => resolve({ outcome: 'unreachable', error: e.message }));
      child.once('close', (code) =>
        resolve(
          code === 0
            ? { outcome: 'sent' }
            : {
                outcome: 'unreachable',
                error: stderr.trim() || `lp exited ${code}`,
              },
        ),
      );
      child.stdin.end(bytes);
    });
  }

  async status(): Promise<PrinterReport> {
    return { reachable: true, condition: null };
  }
}

export function transportFor(
  settings: PrinterSettings,
  tcpOptions: TcpOptions = {},
  rules: TargetRules = { training: false },
): PrinterTransport {
  const c = settings.connection;
  if (c.kind === 'tcp') {
    // Star printers in Star Line mode answer Star status (ESC ACK SOH, the ETB counter), not DLE EOT.
    if (settings.type === 'star') return new StarTcpTransport(c.host, c.port, tcpOptions);
    return new TcpTransport(c.host, c.port, tcpOptions);
  }
  if (c.kind === 'device' || c.kind === 'file') return new DeviceTransport(c, rules);
  return new OsPrinterTransport(c.name);
}

export { printerUri };

/**
 * A TCP connection to a printer (Nagle off: status questions are a few bytes), or an error naming
 * the address when it does not answer within `timeoutMs`. Shared by the ESC/POS and Star transports.
 */
export function connectPrinter(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.connect(port, host, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
