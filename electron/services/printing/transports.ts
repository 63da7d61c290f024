import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { type PrinterSettings, printerUri } from '../../../shared/schemas/printing.ts';
import { parsePaperStatus } from './escpos-decoder.ts';
import { openPrinterTarget, type PrinterTarget, type TargetRules, targetProblem } from './printer-target.ts';

/**
 * How bytes reach a printer. The queue asks one question per job: "did it print?"; the answer is
 * one of these outcomes, never a guess dressed up as success.
 *
 * - printed: sent, and the printer confirmed (status after the job: paper present).
 * - sent: written to a transport that cannot answer (device file, OS spooler, a Star printer).
 * - paper-out: the printer reported no paper BEFORE the job: nothing was sent.
 * - paper-out-after: the job was sent and the printer then reported no paper: it may be cut short.
 * - unreachable: could not connect or write: nothing printed.
 * - unconfirmed: the bytes left, but no confirmation came back: it may or may not have printed.
 */
export type SendOutcome =
  'printed' | 'sent' | 'paper-out' | 'paper-out-after' | 'unreachable' | 'unconfirmed';

export interface SendResult {
  outcome: SendOutcome;
  error?: string;
}

export interface PrinterReport {
  reachable: boolean;
  /** null when the printer type or transport cannot tell. */
  paperOut: boolean | null;
  nearEnd: boolean | null;
  error?: string;
}

export interface PrinterTransport {
  /** For messages: tcp://host:port, a path or printer:NAME. */
  readonly description: string;
  send(bytes: Uint8Array): Promise<SendResult>;
  status(): Promise<PrinterReport>;
}

/** ESC/POS real-time status: DLE EOT 4, the roll paper sensor. */
export const DLE_EOT_PAPER = Buffer.from([0x10, 0x04, 0x04]);
/** GS r 1: paper sensor status, answered in order, i.e. after the job before it was processed. */
export const GS_R_PAPER = Buffer.from([0x1d, 0x72, 0x01]);

/** GS r 1 reply: bits 2-3 paper end, bits 0-1 near end; bits 4 and 7 are always 0. */
export function parseTransmitPaperStatus(byte: number): {
  valid: boolean;
  paperOut: boolean;
  nearEnd: boolean;
} {
  if ((byte & 0x90) !== 0) return { valid: false, paperOut: false, nearEnd: false };
  return {
    valid: true,
    paperOut: (byte & 0x0c) !== 0,
    nearEnd: (byte & 0x03) !== 0,
  };
}

export interface TcpOptions {
  connectTimeoutMs?: number;
  /** How long a status reply may take; a busy printer answers DLE EOT within milliseconds. */
  statusTimeoutMs?: number;
  /** How long to wait for the after-job reply, per KB sent, beyond statusTimeoutMs. */
  printMsPerKb?: number;
  /** false for printers that do not speak ESC/POS status (Star line mode). */
  statusReplies?: boolean;
}

/** One TCP connection per job: reconnecting costs a millisecond and survives a printer power cycle. */
export class TcpTransport implements PrinterTransport {
  readonly description: string;
  private readonly o: Required<TcpOptions>;

  constructor(
    private readonly host: string,
    private readonly port: number,
    options: TcpOptions = {},
  ) {
    this.description = `tcp://${host}:${port}`;
    this.o = {
      connectTimeoutMs: options.connectTimeoutMs ?? 3000,
      statusTimeoutMs: options.statusTimeoutMs ?? 2000,
      printMsPerKb: options.printMsPerKb ?? 200,
      statusReplies: options.statusReplies ?? true,
    };
  }

  async status(): Promise<PrinterReport> {
    let conn: Connection;
    try {
      conn = await Connection.open(this.host, this.port, this.o.connectTimeoutMs);
    } catch (e) {
      return {
        reachable: false,
        paperOut: null,
        nearEnd: null,
        error: (e as Error).message,
      };
    }
    try {
      if (!this.o.statusReplies || this.answersRealtime === false) {
        return { reachable: true, paperOut: null, nearEnd: null };
      }
      const byte = await conn.ask(DLE_EOT_PAPER, this.o.statusTimeoutMs);
      if (byte === null) {
        // Dropped: as good as unplugged. Connected but silent: a printer that cannot tell.
        if (conn.isClosed)
          return { reachable: false, paperOut: null, nearEnd: null, error: 'no status reply' };
        return {
          reachable: true,
          paperOut: null,
          nearEnd: null,
          error: 'the printer does not answer status',
        };
      }
      this.answersRealtime = true;
      const paper = parsePaperStatus(byte);
      if (!paper.valid) {
        return { reachable: true, paperOut: null, nearEnd: null, error: `unexpected status byte ${byte}` };
      }
      return {
        reachable: true,
        paperOut: paper.paperOut,
        nearEnd: paper.nearEnd,
      };
    } finally {
      conn.close();
    }
  }

  /** Learned per printer: null until it answers or stays silent; a silent printer is never asked again. */
  private answersRealtime: boolean | null = null;
  private answersTransmit: boolean | null = null;

  async send(bytes: Uint8Array): Promise<SendResult> {
    let conn: Connection;
    try {
      conn = await Connection.open(this.host, this.port, this.o.connectTimeoutMs);
    } catch (e) {
      return { outcome: 'unreachable', error: (e as Error).message };
    }
    let written = false;
    try {
      const asks = this.o.statusReplies && this.answersRealtime !== false;
      if (asks) {
        const before = await conn.ask(DLE_EOT_PAPER, this.o.statusTimeoutMs);
        if (before === null) {
          if (conn.isClosed) return { outcome: 'unreachable', error: 'the printer dropped the connection' };
          // Connected but mute: a printer without ESC/POS status. Print without questions from now on,
          // or every job would be "unconfirmed" and printed again and again.
          this.answersRealtime = false;
        } else {
          this.answersRealtime = true;
          const paper = parsePaperStatus(before);
          if (paper.valid && paper.paperOut) return { outcome: 'paper-out' };
        }
      }
      written = true;
      if (!this.o.statusReplies || this.answersRealtime === false) {
        await conn.write(bytes);
        return { outcome: 'sent' };
      }
      if (this.answersTransmit !== false) {
        const wait = this.o.statusTimeoutMs + Math.ceil(bytes.length / 1024) * this.o.printMsPerKb;
        const after = await conn.ask(Buffer.concat([bytes, GS_R_PAPER]), wait);
        if (after !== null) {
          this.answersTransmit = true;
          const paper = parseTransmitPaperStatus(after);
          if (!paper.valid) return { outcome: 'sent', error: `unexpected status byte ${after}` };
          return { outcome: paper.paperOut ? 'paper-out-after' : 'printed' };
        }
        if (conn.isClosed) return { outcome: 'unconfirmed', error: 'the connection dropped during the job' };
        // It answers DLE EOT but not GS r: from now on check the paper sensor after each job instead.
        this.answersTransmit = false;
      } else {
        await conn.write(bytes);
      }
      const again = await conn.ask(DLE_EOT_PAPER, this.o.statusTimeoutMs);
      if (again === null)
        return { outcome: 'unconfirmed', error: 'the printer did not answer after the job' };
      const paper = parsePaperStatus(again);
      if (paper.valid && paper.paperOut) return { outcome: 'paper-out-after' };
      return { outcome: 'sent' };
    } catch (e) {
      return { outcome: written ? 'unconfirmed' : 'unreachable', error: (e as Error).message };
    } finally {
      conn.close();
    }
  }
}

/** A socket with "write these bytes and give me the next reply byte" as a promise. */
class Connection {
  private replies: number[] = [];
  private waiter: ((byte: number | null) => void) | null = null;
  private closed: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.replies.push(b);
      this.deliver();
    });
    const end = (e?: Error) => {
      this.closed = e ?? new Error('the printer closed the connection');
      this.deliver();
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  static open(host: string, port: number, timeoutMs: number): Promise<Connection> {
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
        resolve(new Connection(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed !== null;
  }

  private deliver(): void {
    if (!this.waiter) return;
    if (this.replies.length > 0) {
      const w = this.waiter;
      this.waiter = null;
      w(this.replies.shift()!);
    } else if (this.closed) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      this.socket.write(bytes, (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Writes `bytes` and resolves with the next byte the printer sends, or null on timeout/close. */
  async ask(bytes: Uint8Array, timeoutMs: number): Promise<number | null> {
    this.replies = [];
    const reply = new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
    await this.write(bytes);
    this.deliver();
    return reply;
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon?.();
  }
}

/**
 * A USB or serial printer as a device file (or, on a training store, a capture file). It cannot
 * answer status, so "sent" is all we know. Every job opens the target afresh through
 * printer-target.ts, which refuses anything but what the rule allows: nothing is written then.
 */
export class DeviceTransport implements PrinterTransport {
  readonly description: string;
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
    if (problem)
      return { reachable: false, paperOut: null, nearEnd: null, error: `${this.target.path}: ${problem}` };
    return { reachable: true, paperOut: null, nearEnd: null };
  }
}

/** The arguments for a raw job to the OS spooler (CUPS). Kept apart so it is testable without lp. */
export function lpArguments(printerName: string): string[] {
  return ['-d', printerName, '-o', 'raw', '-s'];
}

export class OsPrinterTransport implements PrinterTransport {
  readonly description: string;

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
    return { reachable: true, paperOut: null, nearEnd: null };
  }
}

export function transportFor(
  settings: PrinterSettings,
  tcpOptions: TcpOptions = {},
  rules: TargetRules = { training: false },
): PrinterTransport {
  const c = settings.connection;
  if (c.kind === 'tcp') {
    // Star printers in line mode do not answer ESC/POS status commands.
    return new TcpTransport(c.host, c.port, {
      statusReplies: settings.type !== 'star',
      ...tcpOptions,
    });
  }
  if (c.kind === 'device' || c.kind === 'file') return new DeviceTransport(c, rules);
  return new OsPrinterTransport(c.name);
}

export { printerUri };
