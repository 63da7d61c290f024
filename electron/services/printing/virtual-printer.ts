import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import {
  type DecodeEvent,
  EscPosDecoder,
  elementsAsText,
  type PrinterCondition,
  type PrintElement,
  statusReply,
  transmitStatusReply,
} from './escpos-decoder.ts';

/**
 * The built-in printer: an ESC/POS listener on 127.0.0.1 that decodes what it receives and keeps
 * each cut document. It answers DLE EOT / GS r status requests like a real Epson, and can simulate
 * the two things that go wrong at a counter: the paper runs out, or the cable comes loose.
 *
 * While out of paper it prints nothing: a document in progress when the paper ends is lost
 * (`truncated`), as on a real printer that stops mid-ticket.
 */
export interface PrintedDocument {
  /** 1, 2, 3... in the order they were cut. */
  index: number;
  elements: PrintElement[];
  text: string;
  receivedAt: number;
}

export interface VirtualPrinterOptions {
  port?: number;
  host?: string;
  paperWidth?: 58 | 80;
  /** Paper ends when the next document starts after this many more cut documents. */
  paperOutAfter?: number;
}

export class VirtualPrinter extends EventEmitter<{
  document: [PrintedDocument];
  truncated: [PrintElement[]];
}> {
  readonly documents: PrintedDocument[] = [];
  /** Documents lost because the paper ran out while they printed. */
  readonly truncated: PrintElement[][] = [];
  readonly unknownCommands: number[][] = [];
  readonly condition: PrinterCondition = {
    paperOut: false,
    paperNearEnd: false,
    coverOpen: false,
    offline: false,
  };
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private disconnected = false;
  private paperLeft: number | null;
  readonly columns: number;
  private boundPort = 0;

  constructor(private readonly options: VirtualPrinterOptions = {}) {
    super();
    this.columns = (options.paperWidth ?? 80) === 80 ? 48 : 32;
    this.paperLeft = options.paperOutAfter ?? null;
  }

  get port(): number {
    return this.boundPort;
  }

  get uri(): string {
    return `tcp://127.0.0.1:${this.boundPort}`;
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
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Paper out (true) or a new roll loaded (false). */
  setPaperOut(out: boolean): void {
    this.condition.paperOut = out;
    if (!out) this.paperLeft = null;
  }

  /** The paper will run out when the document after the next `n` cut ones starts. */
  paperOutAfter(n: number): void {
    this.paperLeft = n;
  }

  /** Simulates a loose cable: open connections drop and new ones are cut at once. */
  setDisconnected(disconnected: boolean): void {
    this.disconnected = disconnected;
    if (disconnected) for (const s of this.sockets) s.destroy();
  }

  /** Tickets (documents) whose text contains `needle`. */
  find(needle: string): PrintedDocument[] {
    return this.documents.filter((d) => d.text.includes(needle));
  }

  private accept(socket: Socket): void {
    if (this.disconnected) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const decoder = new EscPosDecoder();
    let current: PrintElement[] = [];
    let lost = false;
    socket.on('data', (chunk: Buffer) => {
      if (this.disconnected) {
        socket.destroy();
        return;
      }
      const replies: number[] = [];
      for (const event of decoder.push(chunk))
        this.handle(
          event,
          replies,
          () => current,
          (v) => (current = v),
          (v) => (lost = v),
          () => lost,
        );
      if (replies.length && !socket.destroyed) socket.write(Buffer.from(replies));
    });
    const finish = () => {
      this.sockets.delete(socket);
      for (const event of decoder.flush())
        this.handle(
          event,
          [],
          () => current,
          (v) => (current = v),
          (v) => (lost = v),
          () => lost,
        );
      // Bytes left without a cut stay on the paper unfinished: a real printer would show them.
      if (current.length) {
        if (!lost) this.truncated.push(current);
        current = [];
      }
    };
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
  }

  private handle(
    event: DecodeEvent,
    replies: number[],
    get: () => PrintElement[],
    set: (v: PrintElement[]) => void,
    setLost: (v: boolean) => void,
    isLost: () => boolean,
  ): void {
    switch (event.kind) {
      case 'status-request':
        replies.push(
          event.realtime
            ? statusReply(event.n, this.condition)
            : transmitStatusReply(event.n, this.condition),
        );
        return;
      case 'element': {
        const printsInk = event.element.kind !== 'feed';
        if (printsInk && this.paperLeft === 0 && !this.condition.paperOut) {
          // The roll ends as this document starts: what reached the paper is cut short.
          this.condition.paperOut = true;
          this.paperLeft = null;
          this.truncated.push([...get(), event.element]);
          this.emit('truncated', [...get(), event.element]);
          setLost(true);
          set([]);
          return;
        }
        if (this.condition.paperOut) {
          if (!isLost() && get().length) this.truncated.push(get());
          setLost(true);
          set([]);
          return;
        }
        get().push(event.element);
        return;
      }
      case 'cut': {
        const elements = get();
        set([]);
        if (isLost()) {
          setLost(false);
          return;
        }
        if (this.condition.paperOut || elements.length === 0) return;
        const doc: PrintedDocument = {
          index: this.documents.length + 1,
          elements,
          text: elementsAsText(elements, this.columns),
          receivedAt: Date.now(),
        };
        this.documents.push(doc);
        if (this.paperLeft !== null && this.paperLeft > 0) this.paperLeft -= 1;
        this.emit('document', doc);
        return;
      }
      case 'unknown':
        this.unknownCommands.push(event.bytes);
        return;
      default:
        return;
    }
  }
}
