import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { type DecodeEvent, EscPosDecoder, elementsAsText, type PrintElement } from './escpos-decoder.ts';
import { StarLineDecoder } from './star-line-decoder.ts';
import { starStatusBytes } from './star-status.ts';
import {
  asbBytes,
  isOffline,
  type PrinterCondition,
  READY_CONDITION,
  realtimeStatusByte,
  transmitStatusByte,
} from './printer-status.ts';

/**
 * The built-in printer: a listener on 127.0.0.1 that decodes what it receives and keeps each cut
 * document, and that behaves the way the Epson, Citizen and Star manuals say a real printer does:
 *
 * - Real-time status (`DLE EOT n`) is answered the moment it arrives, even while offline.
 * - Paper end, an open cover or a cutter error take it offline: it stops in the middle of whatever it
 *   was printing, keeps the rest in its buffer, and answers no `GS r` until the fault is cleared; then
 *   it carries on from where it stopped (the rest of the ticket comes out on the new roll).
 * - Automatic status back (`GS a n`, or from power-up with `asb: true`) sends four status bytes
 *   unasked whenever the status changes.
 *
 * One buffer for the printer, as on the real thing: data from a connection that has closed still
 * prints, in order, before data from the next one.
 *
 * In Star Line mode (`commandSet: 'star-line'`) it answers as a Star printer on its Ethernet interface
 * does (STAR Line Mode Command Specifications, Appendix 2): `ESC ACK SOH` is answered on arrival, even
 * while offline, with a status block (9 bytes, header 2 bit 7 set, then a two-byte length 0); `ETB` is
 * executed in order, only once everything before it has printed and never while offline, and adds one
 * to the ETB counter (`ESC RS E n` and `CAN` set it to 0); with automatic status on (`asb`, or
 * `ESC RS a n`) a block is sent unasked on every change and after every ETB. DLE EOT and GS r are
 * not Star commands: a Star printer does not answer them.
 */
export interface PrintedDocument {
  /** 1, 2, 3... in the order they came out. */
  index: number;
  elements: PrintElement[];
  text: string;
  receivedAt: number;
  /** The printer stopped (paper end, cover, cutter) while this document was on the head. */
  interrupted: boolean;
  /** false when the cutter jammed: the document came out but was not cut. */
  cut: boolean;
}

export interface VirtualPrinterOptions {
  port?: number;
  host?: string;
  paperWidth?: 58 | 80;
  /** Font A columns: 48 or 42 on 80 mm paper, 32 on 58 mm. */
  columns?: number;
  /** Automatic status back on from power-up (a memory switch) for every connection. */
  asb?: boolean;
  /**
   * 'star-line': a Star printer in Star Line mode (decodes Star commands; answers Star status,
   * `ESC ACK SOH` and the ETB counter, and no ESC/POS status).
   */
  commandSet?: 'escpos' | 'star-line';
  /** How long each printed element (a line, a QR...) takes, in ms; 0 (default) prints at once. */
  msPerElement?: number;
}

interface Connection {
  socket: Socket;
  asb: boolean;
}

interface Queued {
  event: DecodeEvent;
  from: Connection;
}

export class VirtualPrinter extends EventEmitter<{
  document: [PrintedDocument];
  /** The printer went offline (a fault) or came back. */
  condition: [PrinterCondition];
}> {
  readonly documents: PrintedDocument[] = [];
  readonly unknownCommands: number[][] = [];
  /** Drawer kicks received (pin 0 = connector pin 2, 1 = pin 5). */
  readonly drawerKicks: number[] = [];
  /** Every status request answered, in order (what the terminal asked). */
  readonly statusRequests: { n: number; realtime: boolean }[] = [];
  /** Bytes received, answered or not (a mute printer counts them too). */
  bytesReceived = 0;
  private cond: PrinterCondition = { ...READY_CONDITION };
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private disconnected = false;
  private mute = false;
  private cutterJam = false;
  /** While a line is being printed slowly (msPerElement), the timer that prints the next. */
  private printing: NodeJS.Timeout | null = null;
  /** Star ETB counter (0-31) and whether an ETB ran since the last block was sent. */
  private etbCounter = 0;
  private etbExecuted = false;
  private readonly star: boolean;
  /** Paper left: whole documents, then printed elements of the next one. */
  private paperLeft: { documents: number; elements: number } | null = null;
  private readonly decoder: EscPosDecoder | StarLineDecoder;
  /** Decoded but not yet executed: what waits in the buffer while the printer is offline. */
  private readonly buffer: Queued[] = [];
  private current: PrintElement[] = [];
  private currentInterrupted = false;
  readonly columns: number;
  private boundPort = 0;

  constructor(private readonly options: VirtualPrinterOptions = {}) {
    super();
    this.columns = options.columns ?? ((options.paperWidth ?? 80) === 80 ? 48 : 32);
    this.star = options.commandSet === 'star-line';
    this.decoder = this.star ? new StarLineDecoder() : new EscPosDecoder();
  }

  get port(): number {
    return this.boundPort;
  }

  get uri(): string {
    return `tcp://127.0.0.1:${this.boundPort}`;
  }

  /** The printer's condition as its status bytes report it (a copy). */
  get condition(): PrinterCondition {
    return { ...this.cond };
  }

  get offline(): boolean {
    return isOffline(this.cond);
  }

  /** Elements printed since the last cut (a document still on the head). */
  get onTheHead(): PrintElement[] {
    return [...this.current];
  }

  /** Commands received but not executed yet (waiting for the printer to come back online). */
  get buffered(): number {
    return this.buffer.length;
  }

  async start(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    return this.boundPort;
  }

  async stop(): Promise<void> {
    if (this.printing) clearTimeout(this.printing);
    this.printing = null;
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Paper end (true) or a new roll loaded (false). */
  setPaperOut(out: boolean): void {
    if (!out) this.paperLeft = null;
    this.change({ paperOut: out });
  }

  setPaperNearEnd(nearEnd: boolean): void {
    this.change({ paperNearEnd: nearEnd });
  }

  setCoverOpen(open: boolean): void {
    this.change({ coverOpen: open });
  }

  /** The next cut jams the cutter: the document comes out uncut and the printer goes offline. */
  jamCutterOnNextCut(): void {
    this.cutterJam = true;
  }

  /** The jam is cleared (cover opened and closed): the printer carries on. */
  clearCutterError(): void {
    this.cutterJam = false;
    this.change({ cutterError: false });
  }

  /** The paper ends after `documents` more cut documents and `elements` printed elements of the next. */
  paperOutAfter(documents: number, elements = 0): void {
    this.paperLeft = { documents, elements };
  }

  /**
   * A device that accepts connections and data but neither answers nor prints: a hung printer, or
   * something on port 9100 that is not a printer. What it receives is lost.
   */
  setMute(mute: boolean): void {
    this.mute = mute;
  }

  /** Simulates a loose cable: open connections drop and new ones are cut at once. */
  setDisconnected(disconnected: boolean): void {
    this.disconnected = disconnected;
    if (disconnected) for (const c of this.connections) c.socket.destroy();
  }

  /** Documents whose text contains `needle`. */
  find(needle: string): PrintedDocument[] {
    return this.documents.filter((d) => d.text.includes(needle));
  }

  private change(patch: Partial<PrinterCondition>): void {
    const before = JSON.stringify(this.cond);
    this.cond = { ...this.cond, ...patch };
    if (JSON.stringify(this.cond) === before) return;
    this.emit('condition', this.condition);
    for (const c of this.connections) if (c.asb) this.sendAsb(c);
    this.run();
  }

  /** The unasked status: four ESC/POS ASB bytes, or a Star status block. */
  private sendAsb(to: Connection): void {
    this.reply(to, this.star ? this.starBlock() : asbBytes(this.cond));
  }

  private starBlock(): number[] {
    const block = starStatusBytes(this.cond, this.etbCounter, {
      ethernet: true,
      etbExecuted: this.etbExecuted,
    });
    // Cleared once sent to the host (Star spec, printer status 1 bit 1).
    if (!this.mute) this.etbExecuted = false;
    return block;
  }

  private reply(to: Connection, bytes: number[]): void {
    if (this.mute || to.socket.destroyed || !to.socket.writable) return;
    to.socket.write(Buffer.from(bytes));
  }

  private accept(socket: Socket): void {
    if (this.disconnected) {
      socket.destroy();
      return;
    }
    const conn: Connection = { socket, asb: this.options.asb === true };
    this.connections.add(conn);
    if (conn.asb) this.sendAsb(conn);
    socket.on('data', (chunk: Buffer) => {
      if (this.disconnected) {
        socket.destroy();
        return;
      }
      this.bytesReceived += chunk.length;
      if (this.mute) return;
      for (const event of this.decoder.push(chunk)) {
        if (event.kind === 'status-request' && event.realtime) {
          // Real-time: answered on arrival, whatever the printer is busy with or stuck on.
          this.statusRequests.push({ n: event.n, realtime: true });
          this.reply(conn, [realtimeStatusByte(event.n, this.cond)]);
        } else if (event.kind === 'star-status-request') {
          this.statusRequests.push({ n: 0, realtime: true });
          this.reply(conn, this.starBlock());
        } else this.buffer.push({ event, from: conn });
      }
      this.run();
    });
    // Closing the connection does not empty the printer's buffer: what was received still prints.
    socket.on('close', () => this.connections.delete(conn));
    socket.on('error', () => socket.destroy());
  }

  /** Executes buffered commands while the printer is online. */
  private run(): void {
    if (this.printing) return;
    while (this.buffer.length > 0 && !isOffline(this.cond)) {
      const next = this.buffer.shift()!;
      if (!this.execute(next)) {
        // It stopped on this command: it is the first thing done when the printer comes back.
        this.buffer.unshift(next);
        return;
      }
      const ms = this.options.msPerElement ?? 0;
      if (ms > 0 && next.event.kind === 'element') {
        // The head is busy with this line: the next command waits (ETB and GS r with it).
        this.printing = setTimeout(() => {
          this.printing = null;
          this.run();
        }, ms);
        return;
      }
    }
  }

  /** Returns false when the printer went offline instead of executing the command. */
  private execute({ event, from }: Queued): boolean {
    switch (event.kind) {
      case 'element': {
        const ink = event.element.kind !== 'feed';
        const left = this.paperLeft;
        if (ink && left && left.documents === 0) {
          if (left.elements === 0) {
            this.paperLeft = null;
            if (this.current.length > 0) this.currentInterrupted = true;
            this.change({ paperOut: true });
            return false;
          }
          left.elements -= 1;
        }
        this.current.push(event.element);
        return true;
      }
      case 'cut': {
        if (this.current.length === 0) return true;
        const jammed = this.cutterJam;
        const doc: PrintedDocument = {
          index: this.documents.length + 1,
          elements: this.current,
          text: elementsAsText(this.current, this.columns),
          receivedAt: Date.now(),
          interrupted: this.currentInterrupted,
          cut: !jammed,
        };
        this.current = [];
        this.currentInterrupted = false;
        this.documents.push(doc);
        if (this.paperLeft && this.paperLeft.documents > 0) this.paperLeft.documents -= 1;
        this.emit('document', doc);
        if (jammed) {
          this.cutterJam = false;
          this.change({ cutterError: true });
        }
        return true;
      }
      case 'status-request':
        this.statusRequests.push({ n: event.n, realtime: false });
        this.reply(from, [transmitStatusByte(event.n, this.cond)]);
        return true;
      case 'asb-setting':
        from.asb = (event.n & 0x0f) !== 0;
        if (from.asb) this.sendAsb(from);
        return true;
      case 'etb':
        // Reached only online, after everything before it printed (run() stops while offline).
        this.etbCounter = (this.etbCounter + 1) & 0x1f;
        this.etbExecuted = true;
        for (const c of this.connections) if (c.asb) this.sendAsb(c);
        return true;
      case 'etb-reset':
        this.etbCounter = 0;
        this.etbExecuted = false;
        return true;
      case 'drawer':
        this.drawerKicks.push(event.pin);
        return true;
      case 'unknown':
        this.unknownCommands.push(event.bytes);
        return true;
      default:
        return true;
    }
  }
}
