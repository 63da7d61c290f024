import type {
  Cart,
  EventSummary,
  LiveMessage,
  StaffMember,
  TerminalStatus,
} from '../../../shared/api/counter.ts';
import type { PrintQueueStatus } from '../../../shared/schemas/printing.ts';
import { ApiError, type ApiClient } from '../api/client.ts';
import { errorText } from '../i18n/error-text.ts';
import { type Locale, translate } from '../i18n/index.ts';
import {
  type AvailabilityModel,
  applyChanges,
  clockOffset,
  fromSnapshot,
  type SeatView,
  seatView,
} from './availability.ts';
import { printerProblem, prt } from '../printing/printing-texts.ts';
import { type SeatMapModel, seatMapModel } from './seat-map-model.ts';

export interface Notice {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
}

/** The last PIN refused at sign-in or kiosk exit: what the PIN field shows until the next try. */
export interface PinRefusal {
  for: 'sign-in' | 'kiosk-exit';
  /** Sign-in: whose PIN it was. */
  userId: number | null;
  code: 'BAD_PIN' | 'LOCKED_OUT';
  /** BAD_PIN { attemptsLeft } or LOCKED_OUT { until, scope }: errorText turns them into words. */
  details: unknown;
  /** Server time the lock ends; null for a wrong PIN with tries left. */
  lockedUntil: number | null;
}

export interface MapFocus {
  seq: number;
  zoneId: number | null;
  /** Seat-map indexes to show and ring; empty to show the whole zone. */
  seats: number[];
}

export interface CounterState {
  locale: Locale;
  users: StaffMember[];
  session: { sessionId: string; user: StaffMember } | null;
  events: EventSummary[];
  event: EventSummary | null;
  seatMap: SeatMapModel | null;
  availability: AvailabilityModel | null;
  /** Seats of the event this counter sells from its leases now (issue 14): shown as its own. */
  leasedHere: ReadonlySet<number>;
  /** serverNow = Date.now() + clockOffset. */
  clockOffset: number;
  cart: Cart | null;
  status: TerminalStatus | null;
  /** The print queue as the terminal reports it (signed-in staff only): state, jobs waiting, stopped jobs. */
  printer: PrintQueueStatus | null;
  live: 'connecting' | 'live' | 'lost';
  /** Enrolled terminals: whether other counters' changes reach this map (null: no server). */
  venueFeed: 'live' | 'down' | null;
  busy: boolean;
  /** Seats picked with Shift, to be held together, all or nothing (seat-map indexes). */
  pending: number[];
  notices: Notice[];
  /**
   * The payment dialog on the cart, while open. `prefill: 'cash-usd'` when Ctrl+Enter opened it: one
   * line of US dollars cash for the whole amount, ready to confirm. Nothing is charged until the
   * cashier confirms in the dialog.
   */
  checkout: { prefill: 'cash-usd' | null } | null;
  pinRefusal: PinRefusal | null;
  /**
   * start() has finished: a stored session was resumed, or there is none (a counter then lists its
   * staff; a kiosk starts a customer session).
   */
  started: boolean;
  /**
   * Where the map should move next: a zone chosen in the list, or the seats best-available just took
   * (shown and ringed, so the cashier sees what was held). `seq` tells one request from the next.
   */
  mapFocus: MapFocus | null;
  /** Bumped on every change, so views (and the canvas) know to redraw. */
  revision: number;
}

const STATUS_EVERY_MS = 5000;
const RESYNC_AFTER_MS = 1000;
const NOTICE_INFO_MS = 4000;
const NOTICE_ERROR_MS = 12_000;

/**
 * The renderer's one store: fed by the API client and the live change feed, read by components
 * through useSyncExternalStore. Business rules stay in the terminal; this only keeps a current copy
 * and turns refusals into notices.
 */
export class CounterStore {
  private state: CounterState = {
    locale: 'es',
    users: [],
    session: null,
    events: [],
    event: null,
    seatMap: null,
    availability: null,
    leasedHere: new Set(),
    clockOffset: 0,
    cart: null,
    status: null,
    printer: null,
    live: 'connecting',
    venueFeed: null,
    busy: false,
    pending: [],
    notices: [],
    checkout: null,
    pinRefusal: null,
    started: false,
    mapFocus: null,
    revision: 0,
  };
  private readonly listeners = new Set<() => void>();
  private stopLive: (() => void) | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  private nextNotice = 1;
  private expiredSeen = new Set<number>();

  constructor(
    private readonly api: ApiClient,
    private readonly now: () => number = () => Date.now(),
  ) {}

  // ---- store plumbing --------------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): CounterState => this.state;

  private set(patch: Partial<CounterState>): void {
    this.state = { ...this.state, ...patch, revision: this.state.revision + 1 };
    for (const listener of this.listeners) listener();
  }

  serverNow(): number {
    return this.now() + this.state.clockOffset;
  }

  t(key: Parameters<typeof translate>[1], params?: Record<string, string | number>): string {
    return translate(this.state.locale, key, params);
  }

  // ---- start, sign-in, events ------------------------------------------------------------------

  async start(): Promise<void> {
    this.timers.push(setInterval(() => this.tick(), 250));
    this.timers.push(setInterval(() => void this.refreshStatus(), STATUS_EVERY_MS));
    await this.refreshStatus();
    try {
      const me = await this.api.call('session.me', {});
      this.set({ session: { sessionId: me.sessionId, user: me.user } });
      void this.refreshPrinter();
      await this.loadEvents();
    } catch {
      this.api.setSession(null);
      // A kiosk lists no staff: its customers sign in by themselves (kiosk.start).
      if (!this.state.status?.kiosk) await this.loadUsers();
    }
    this.set({ started: true });
  }

  setLocale(locale: Locale): void {
    document.documentElement.lang = locale === 'es' ? 'es-VE' : 'en';
    this.set({ locale });
  }

  async loadUsers(): Promise<void> {
    await this.run(async () => this.set({ users: await this.api.call('session.users', {}) }));
  }

  async signIn(userId: number, pin: string): Promise<boolean> {
    return this.run(
      async () => {
        const signed = await this.api.call('session.signIn', { userId, pin });
        this.api.setSession(signed.sessionToken);
        this.set({
          session: { sessionId: signed.sessionId, user: signed.user },
          clockOffset: clockOffset(signed.serverTime, this.now()),
          notices: [],
          pinRefusal: null,
        });
        await this.loadEvents();
        void this.refreshStatus();
      },
      { pin: { for: 'sign-in', userId } },
    );
  }

  async signOut(): Promise<void> {
    await this.run(async () => {
      await this.api.call('session.signOut', {});
    });
    this.leaveEvent();
    this.api.setSession(null);
    this.set({ session: null, events: [], printer: null });
    await this.loadUsers();
  }

  async loadEvents(): Promise<void> {
    const events = await this.api.call('events.list', {});
    this.set({ events });
  }

  async chooseEvent(eventId: number): Promise<void> {
    const event = this.state.events.find((e) => e.id === eventId) ?? null;
    if (!event) return;
    this.leaveEvent();
    this.set({ event, busy: true });
    await this.run(async () => {
      const map = await this.api.call('events.seatMap', { eventId });
      this.set({ seatMap: seatMapModel(map) });
      await this.resync();
      await this.refreshCart();
    });
    this.set({ busy: false });
  }

  leaveEvent(): void {
    this.stopLive?.();
    this.stopLive = null;
    this.set({
      event: null,
      seatMap: null,
      availability: null,
      leasedHere: new Set(),
      cart: null,
      notices: [],
      pending: [],
      checkout: null,
      mapFocus: null,
    });
  }

  /** Moves the map back to the whole venue (a kiosk leaving its zone). */
  showAll(): void {
    if (!this.state.seatMap) return;
    this.set({ mapFocus: { seq: (this.state.mapFocus?.seq ?? 0) + 1, zoneId: null, seats: [] } });
  }

  /** Moves the map to a zone (the zone list, a kiosk's zone choice). */
  showZone(zoneId: number): void {
    if (!this.state.seatMap?.zoneById.has(zoneId)) return;
    this.set({ mapFocus: { seq: (this.state.mapFocus?.seq ?? 0) + 1, zoneId, seats: [] } });
  }

  // ---- availability and live feed --------------------------------------------------------------

  /** A fresh snapshot, then the live feed from its version. Also the answer to a `reset`. */
  private async resync(): Promise<void> {
    const event = this.state.event;
    if (!event) return;
    this.stopLive?.();
    this.stopLive = null;
    this.set({ live: 'connecting' });
    const snapshot = await this.api.call('availability.snapshot', { eventId: event.id });
    if (this.state.event?.id !== event.id) return;
    this.set({ availability: fromSnapshot(snapshot), clockOffset: clockOffset(snapshot.at, this.now()) });
    await this.refreshLeased();
    this.stopLive = this.api.live(
      event.id,
      snapshot.version,
      (message) => this.onLive(event.id, message),
      () => {
        this.set({ live: 'lost' });
        setTimeout(() => void this.resync().catch(() => this.set({ live: 'lost' })), RESYNC_AFTER_MS);
      },
    );
  }

  private onLive(eventId: number, message: LiveMessage): void {
    if (this.state.event?.id !== eventId) return;
    if (message.type === 'clock') {
      const { status } = this.state;
      this.set({
        clockOffset: clockOffset(message.at, this.now()),
        live: 'live',
        venueFeed: message.venueFeed ?? null,
        ...(status && message.network ? { status: { ...status, network: message.network } } : {}),
      });
      return;
    }
    const { availability, seatMap } = this.state;
    if (!availability || !seatMap) return;
    if (!applyChanges(availability, message.changes, seatMap.indexOf)) {
      void this.resync();
      return;
    }
    const patch: Partial<CounterState> = { live: 'live' };
    if (!message.changes.reset) patch.clockOffset = clockOffset(message.changes.at, this.now());
    this.set(patch);
  }

  /** Called often: countdowns move, and holds that ran out by server time leave the cart. */
  private tick(): void {
    const cart = this.state.cart;
    if (!cart || cart.tickets.length === 0) {
      if (this.state.availability) this.set({});
      return;
    }
    const now = this.serverNow();
    const expired = cart.tickets.filter((t) => t.reservedUntil <= now && !this.expiredSeen.has(t.ticketId));
    if (expired.length > 0) {
      for (const t of expired) this.expiredSeen.add(t.ticketId);
      this.notify('error', this.t('notice.expired', { seats: expired.map((t) => t.label).join(', ') }));
      void this.refreshCart();
    }
    this.set({});
  }

  async refreshStatus(): Promise<void> {
    try {
      const status = await this.api.call('terminal.status', {});
      // Also keeps server time current on screens without a live feed (a PIN lock's end).
      this.set({
        status,
        venueFeed: status.venueFeed,
        clockOffset: clockOffset(status.serverTime, this.now()),
      });
    } catch {
      this.set({ status: null });
    }
    await this.refreshPrinter();
    await this.refreshLeased();
  }

  /** The seats this counter's leases sell now (they come and go with the lease keeper's heartbeat). */
  async refreshLeased(): Promise<void> {
    const event = this.state.event;
    const role = this.state.session?.user.role;
    if (!event || (role !== 'cashier' && role !== 'supervisor')) {
      if (this.state.leasedHere.size > 0) this.set({ leasedHere: new Set() });
      return;
    }
    try {
      const { seatIds } = await this.api.call('leases.seats', { eventId: event.id });
      if (this.state.event?.id === event.id) this.set({ leasedHere: new Set(seatIds) });
    } catch {
      // The map keeps what it showed; the next status refresh asks again.
    }
  }

  /** The print queue's state, for the printer notice (kiosk customers are not shown it). */
  async refreshPrinter(): Promise<PrintQueueStatus | null> {
    const role = this.state.session?.user.role;
    if (!role || role === 'kiosk') {
      if (this.state.printer) this.set({ printer: null });
      return null;
    }
    try {
      const printer = await this.api.call('printer.status', {});
      this.set({ printer });
      return printer;
    } catch {
      return this.state.printer;
    }
  }

  /** "Reconectar": the terminal asks the server now; the status bar shows what it found. */
  async reconnect(): Promise<void> {
    await this.run(async () => {
      const found = await this.api.call('sync.reconnect', {});
      const status = this.state.status;
      this.set({
        venueFeed: found.venueFeed,
        ...(status ? { status: { ...status, network: found.network, venueFeed: found.venueFeed } } : {}),
      });
      if (found.network === 'online') this.notify('success', this.t('status.reconnected'));
    });
  }

  async refreshCart(): Promise<void> {
    const event = this.state.event;
    if (!event || !this.state.session) return;
    const cart = await this.api.call('cart.get', { eventId: event.id });
    if (this.state.event?.id === event.id)
      this.set({ cart, clockOffset: clockOffset(cart.serverTime, this.now()) });
  }

  // ---- selling ---------------------------------------------------------------------------------

  /** What a seat is for this cashier right now. */
  viewOf(index: number): SeatView {
    return this.seatViews()(index);
  }

  /** A reader of seat states at one instant: what a frame of the map uses for 50,000 seats. */
  seatViews(): (index: number) => SeatView {
    const { availability, seatMap, session, leasedHere } = this.state;
    if (!availability || !seatMap) return () => 'free';
    const now = this.serverNow();
    const ids = seatMap.map.seats.id;
    const me = session?.sessionId ?? null;
    return (index) => seatView(availability, index, ids[index]!, now, me, leasedHere);
  }

  /** Click or Enter on a seat: hold it when free, release it when it is mine, explain otherwise. */
  async toggleSeat(index: number): Promise<void> {
    const { event, seatMap } = this.state;
    if (!event || !seatMap) return;
    const seatId = seatMap.map.seats.id[index]!;
    const label = seatMap.map.seats.label[index]!;
    // The cart is this session's own word on what it holds; the live feed may still be on its way.
    const inCart = this.state.cart?.tickets.some(
      (t) => t.seatId === seatId && t.reservedUntil > this.serverNow(),
    );
    if (inCart || this.viewOf(index) === 'mine') {
      await this.run(async () => {
        await this.api.call('holds.releaseSeats', { eventId: event.id, seatIds: [seatId] });
        await this.refreshCart();
      });
      return;
    }
    await this.holdSeats([seatId], [label]);
  }

  /** Shift+click: add a free seat to (or take it out of) the group to hold together. */
  togglePending(index: number): void {
    const pending = this.state.pending;
    if (pending.includes(index)) this.set({ pending: pending.filter((i) => i !== index) });
    else if (this.viewOf(index) === 'free' || this.viewOf(index) === 'leased')
      this.set({ pending: [...pending, index] });
  }

  clearPending(): void {
    if (this.state.pending.length > 0) this.set({ pending: [] });
  }

  /** Holds the Shift-picked group in one request: every seat or none of them. */
  async holdPending(): Promise<boolean> {
    const { pending, seatMap } = this.state;
    if (!seatMap || pending.length === 0) return false;
    const ok = await this.holdSeats(
      pending.map((i) => seatMap.map.seats.id[i]!),
      pending.map((i) => seatMap.map.seats.label[i]!),
    );
    if (ok) this.set({ pending: [] });
    return ok;
  }

  /** Several seats at once, all or nothing. */
  async holdSeats(seatIds: number[], labels: string[]): Promise<boolean> {
    const event = this.state.event;
    if (!event) return false;
    return this.run(async () => {
      await this.api.call('holds.seats', { eventId: event.id, seatIds });
      await this.refreshCart();
      // The cart shows a clicked seat at once; only a multi-seat hold is worth a message (at the
      // counter: a kiosk's customer sees the seats ringed on the map and named in the cart).
      if (labels.length > 1 && !this.state.status?.kiosk)
        this.notify('info', this.t('notice.held', { seats: labels.join(', ') }));
    });
  }

  async holdGeneral(zoneId: number, quantity: number): Promise<boolean> {
    const event = this.state.event;
    if (!event) return false;
    return this.run(async () => {
      await this.api.call('holds.general', { eventId: event.id, zoneId, quantity });
      await this.refreshCart();
    });
  }

  async bestAvailable(zoneId: number, quantity: number): Promise<boolean> {
    const event = this.state.event;
    if (!event) return false;
    return this.run(
      async () => {
        const result = await this.api.call('holds.bestAvailable', { eventId: event.id, zoneId, quantity });
        const indexOf = this.state.seatMap?.indexOf;
        const seats = result.tickets.flatMap((t) => {
          const index = t.seatId === null ? undefined : indexOf?.get(t.seatId);
          return index === undefined ? [] : [index];
        });
        // The pick may be anywhere in the zone: the map goes there and rings it.
        this.set({ mapFocus: { seq: (this.state.mapFocus?.seq ?? 0) + 1, zoneId, seats } });
        await this.refreshCart();
        if (!this.state.status?.kiosk)
          this.notify(
            'info',
            this.t('notice.held', { seats: result.tickets.map((t) => t.label).join(', ') }),
          );
      },
      { together: true },
    );
  }

  async removeTicket(ticket: Cart['tickets'][number]): Promise<void> {
    const event = this.state.event;
    if (!event) return;
    await this.run(async () => {
      if (ticket.seatId !== null) {
        await this.api.call('holds.releaseSeats', { eventId: event.id, seatIds: [ticket.seatId] });
      } else {
        await this.api.call('holds.releaseGeneral', { eventId: event.id, zoneId: ticket.zoneId });
      }
      await this.refreshCart();
    });
  }

  /** The customer needs more time: every hold of the cart gets a fresh period (capped). */
  async extendHolds(): Promise<void> {
    const event = this.state.event;
    if (!event) return;
    await this.run(async () => {
      await this.api.call('holds.extend', { eventId: event.id });
      await this.refreshCart();
    });
  }

  async clearCart(): Promise<void> {
    const event = this.state.event;
    if (!event) return;
    await this.run(async () => {
      await this.api.call('holds.clear', { eventId: event.id });
      await this.refreshCart();
    });
  }

  /**
   * After a sale: if the printer cannot print its tickets now, the cashier hears it with the sale's
   * confirmation (the tickets wait in the queue and print by themselves once it is fixed).
   */
  async confirmPrinting(): Promise<void> {
    // The worker tries the sale's jobs a moment after it commits: ask again while they wait unanswered.
    for (const wait of [0, 1000, 2000]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const printer = await this.refreshPrinter();
      if (!printer) return;
      const problem = printerProblem(this.state.locale, printer);
      if (problem) {
        this.notify('error', prt(this.state.locale, 'printer.afterSale', { problem }));
        return;
      }
      if (printer.pending === 0) return;
    }
  }

  /**
   * Opens the payment dialog on the cart: the "Cobrar" button, or Ctrl+Enter with the whole amount
   * as US dollars cash filled in. One key never sells: the dialog takes the money only when the
   * cashier confirms it there. Does nothing on the kiosk, without live tickets, or when already open.
   */
  openCheckout(prefill: 'cash-usd' | null = null): void {
    const { event, session, cart, checkout, status } = this.state;
    if (!event || !session || checkout || status?.kiosk) return;
    const now = this.serverNow();
    if (!cart?.tickets.some((t) => t.reservedUntil > now)) return;
    this.set({ checkout: { prefill } });
  }

  closeCheckout(): void {
    if (this.state.checkout) this.set({ checkout: null });
  }

  /** The refusal is shown in the dialog itself (pinRefusal), not as a notice behind it. */
  async exitKiosk(pin: string): Promise<boolean> {
    return this.run(
      async () => {
        await this.api.exitKiosk(pin);
        this.set({ pinRefusal: null });
        // In Electron the app has quit by now; a browser kiosk has no window to leave.
        if (this.api.transport === 'http') this.notify('info', this.t('kiosk.exitAccepted'));
      },
      { pin: { for: 'kiosk-exit', userId: null } },
    );
  }

  clearPinRefusal(): void {
    if (this.state.pinRefusal) this.set({ pinRefusal: null });
  }

  // ---- notices ---------------------------------------------------------------------------------

  notify(kind: Notice['kind'], text: string): void {
    const notice = { id: this.nextNotice++, kind, text };
    this.set({ notices: [...this.state.notices.slice(-2), notice] });
    // Confirmations fade; refusals stay long enough to be read aloud to the customer.
    setTimeout(() => this.dismiss(notice.id), kind === 'error' ? NOTICE_ERROR_MS : NOTICE_INFO_MS);
  }

  dismiss(id?: number): void {
    if (id !== undefined && !this.state.notices.some((n) => n.id === id)) return;
    this.set({ notices: id === undefined ? [] : this.state.notices.filter((n) => n.id !== id) });
  }

  /** Runs an API action; a refusal becomes a notice in the cashier's language. */
  private async run(
    action: () => Promise<void>,
    context: { together?: boolean; pin?: Pick<PinRefusal, 'for' | 'userId'> } = {},
  ): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      if (error instanceof ApiError) {
        const details =
          error.code === 'ZONE_FULL' && context.together
            ? { ...(error.details as object), together: true }
            : error.details;
        const text = errorText(this.state.locale, error.code, error.message, details);
        const pinCode = error.code === 'BAD_PIN' || error.code === 'LOCKED_OUT' ? error.code : null;
        if (context.pin && pinCode) {
          const until = (details as { until?: unknown } | null)?.until;
          this.set({
            pinRefusal: {
              ...context.pin,
              code: pinCode,
              details,
              lockedUntil: pinCode === 'LOCKED_OUT' && typeof until === 'number' ? until : null,
            },
          });
        }
        if (context.pin?.for !== 'kiosk-exit' || !pinCode) this.notify('error', text);
        if (error.code === 'NOT_SIGNED_IN' && this.state.session) {
          this.api.setSession(null);
          this.leaveEvent();
          this.set({ session: null });
          void this.loadUsers();
        }
        if (error.code === 'HOLD_EXPIRED' || error.code === 'SEAT_TAKEN')
          void this.refreshCart().catch(() => {});
      } else {
        this.notify('error', errorText(this.state.locale, 'other', String(error), {}));
      }
      return false;
    }
  }

  dispose(): void {
    this.stopLive?.();
    for (const timer of this.timers) clearInterval(timer);
  }
}
