import type { Db } from '../../electron/store/database.ts';

/** A sale whose `complete` resolved at a terminal: the cashier took the money and printed tickets. */
export interface AckedSale {
  terminal: number;
  transactionId: string;
  /** Sold from an offline lease: reported later through the outbox under its own server id. */
  leased: boolean;
  op: number;
}

/** What the checks read: the server's store (the authority) and every terminal's own file. */
export interface InvariantView {
  tenantId: number;
  terminals: { index: number; db: Db; serverNow: () => number }[];
  sales: readonly AckedSale[];
  /** Runs a read on the server's store (`?` placeholders; SQLite or PostgreSQL). */
  serverRows: <T>(sql: string, params?: unknown[]) => Promise<T[]>;
  /**
   * Idempotency keys of acknowledged items a server restore took away (they were answered after
   * the backup was taken): their records are legitimately gone; what they sold is re-sent.
   */
  lostKeys?: ReadonlySet<string>;
}

export interface CheckResult {
  /** Individual assertions evaluated (rows, sales, outbox items...). */
  checks: number;
  /** Broken promises: a seat sold twice, capacity exceeded, a sale lost or applied twice... */
  violations: string[];
  /**
   * A terminal's store behind the server: the server holds a sale the terminal does not show (or
   * shows differently). Nothing is double-sold or lost at the authority, but the terminal could not
   * print or take payment for it. Violations in strict runs (the default); findings with --lenient.
   */
  divergences: string[];
}

interface Sold {
  seats: number[];
  /** zone id -> standing places */
  general: Map<number, number>;
}

const num = (v: unknown): number => Number(v);

function soldOf(rows: { transaction_id: string; seat_id: unknown; zone_id: unknown; quantity: unknown }[]) {
  const sold = new Map<string, Sold>();
  for (const r of rows) {
    let s = sold.get(r.transaction_id);
    if (!s) sold.set(r.transaction_id, (s = { seats: [], general: new Map() }));
    if (r.seat_id === null)
      s.general.set(num(r.zone_id), (s.general.get(num(r.zone_id)) ?? 0) + num(r.quantity));
    else s.seats.push(num(r.seat_id));
  }
  for (const s of sold.values()) s.seats.sort((a, b) => a - b);
  return sold;
}

function describeSale(s: Sold): string {
  const general = [...s.general].map(([zone, n]) => `${n} in zone ${zone}`);
  return [`seats ${s.seats.join(',') || '-'}`, ...general].join(' + ');
}

function sameSale(a: Sold | undefined, b: Sold | undefined): boolean {
  if (!a || !b) return false;
  if (a.seats.join(',') !== b.seats.join(',')) return false;
  if (a.general.size !== b.general.size) return false;
  for (const [zone, n] of a.general) if (b.general.get(zone) !== n) return false;
  return true;
}

/** What the terminal's store says about a sale it lacks: which of its carts holds those seats instead. */
function localStory(view: InvariantView, sale: AckedSale, atServer: Sold | undefined): string {
  const db = view.terminals.find((t) => t.index === sale.terminal)?.db;
  if (!db) return '';
  const own = db
    .prepare<[string], { status: string; session_id: string }>(
      'SELECT status, session_id FROM transactions WHERE id = ?',
    )
    .get(sale.transactionId);
  const seats = atServer?.seats ?? [];
  const holders = db
    .prepare<[string], { transaction_id: string; status: string; session_id: string }>(
      `SELECT t.transaction_id, x.status, x.session_id FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
       WHERE t.seat_id IN (SELECT value FROM json_each(?)) AND t.status IN ('ACTIVE', 'COMPLETED')`,
    )
    .all(JSON.stringify(seats));
  const under = holders.map((h) => `${h.transaction_id} ${h.status} ${h.session_id}`).join(', ');
  return ` [local: ${own ? `${own.status} in ${own.session_id}` : 'absent'}; server seats ${seats.join(',') || '-'}${
    under ? `; locally under ${under}` : ''
  }]`;
}

/**
 * The promises of the product, checked across the server and every terminal. `final` adds the ones
 * that only hold once every terminal is back online and has synced (outbox drained, stores agree).
 */
export async function checkInvariants(view: InvariantView, final: boolean): Promise<CheckResult> {
  const violations: string[] = [];
  const divergences: string[] = [];
  let checks = 0;
  const tenant = [view.tenantId];

  // 1. The authority: no seat with two live tickets (held, reserved or sold).
  const doubled = await view.serverRows<{ event_id: unknown; seat_id: unknown; n: unknown }>(
    `SELECT event_id, seat_id, COUNT(*) AS n FROM tickets
     WHERE tenant_id = ? AND seat_id IS NOT NULL AND status IN ('ACTIVE', 'COMPLETED')
     GROUP BY event_id, seat_id HAVING COUNT(*) > 1`,
    tenant,
  );
  checks += 1;
  for (const d of doubled) {
    violations.push(
      `server: seat ${num(d.seat_id)} of event ${num(d.event_id)} has ${num(d.n)} live tickets`,
    );
  }

  // 2. General admission never over capacity, and the zone's counter agrees with its tickets.
  const zones = await view.serverRows<{
    event_id: unknown;
    id: unknown;
    capacity: unknown;
    used: unknown;
    sold: unknown;
    live: unknown;
  }>(
    `SELECT z.event_id, z.id, z.capacity, z.used,
       COALESCE((SELECT SUM(t.quantity) FROM tickets t WHERE t.tenant_id = z.tenant_id AND t.event_id = z.event_id
         AND t.zone_id = z.id AND t.seat_id IS NULL AND t.status = 'COMPLETED'), 0) AS sold,
       COALESCE((SELECT SUM(t.quantity) FROM tickets t WHERE t.tenant_id = z.tenant_id AND t.event_id = z.event_id
         AND t.zone_id = z.id AND t.seat_id IS NULL AND t.status IN ('ACTIVE', 'COMPLETED')), 0) AS live
     FROM zones z WHERE z.tenant_id = ? AND z.kind = 'general'`,
    tenant,
  );
  for (const z of zones) {
    checks += 1;
    const where = `server: standing zone ${num(z.id)} of event ${num(z.event_id)}`;
    if (num(z.sold) > num(z.capacity)) violations.push(`${where} sold ${num(z.sold)} of ${num(z.capacity)}`);
    if (num(z.used) > num(z.capacity)) violations.push(`${where} uses ${num(z.used)} of ${num(z.capacity)}`);
    if (num(z.used) !== num(z.live)) {
      violations.push(
        `${where}: counter says ${num(z.used)} in use, its live tickets add up to ${num(z.live)}`,
      );
    }
  }

  // 3. Server sales and the idempotency records that produced the offline ones.
  const serverSold = soldOf(
    await view.serverRows(
      `SELECT t.transaction_id, t.seat_id, t.zone_id, t.quantity FROM tickets t
       WHERE t.tenant_id = ? AND t.status = 'COMPLETED'`,
      tenant,
    ),
  );
  const serverTx = new Map(
    (
      await view.serverRows<{ id: string; status: string; session_id: string }>(
        'SELECT id, status, session_id FROM transactions WHERE tenant_id = ?',
        tenant,
      )
    ).map((t) => [t.id, t]),
  );
  const idem = await view.serverRows<{ key: string; status: unknown; body: string }>(
    'SELECT key, status, body FROM idempotency WHERE tenant_id = ?',
    tenant,
  );
  const serverKeys = new Set(idem.map((r) => r.key));
  const saleApplications = new Map<string, Set<string>>();
  const referencedLeaseTx = new Set<string>();
  for (const row of idem) {
    if (num(row.status) !== 200 || !row.body.includes('"saleId"')) continue;
    const result = (JSON.parse(row.body) as { result?: { saleId?: string; transactionId?: string } }).result;
    if (!result?.saleId || !result.transactionId) continue;
    let set = saleApplications.get(result.saleId);
    if (!set) saleApplications.set(result.saleId, (set = new Set()));
    set.add(result.transactionId);
    referencedLeaseTx.add(result.transactionId);
  }
  for (const [saleId, txs] of saleApplications) {
    checks += 1;
    if (txs.size > 1) violations.push(`server: offline sale ${saleId} applied ${txs.size} times`);
  }
  for (const tx of serverTx.values()) {
    if (tx.status !== 'COMPLETED' || !tx.session_id.startsWith('lease:')) continue;
    checks += 1;
    if (!referencedLeaseTx.has(tx.id)) {
      violations.push(`server: offline sale transaction ${tx.id} has no idempotency record (applied twice?)`);
    }
  }

  // 4. Every terminal: its sales are at the server (or on its conflict list), its outbox is applied.
  const effectiveSeats = new Map<number, string[]>();
  const effectiveGeneral = new Map<number, number>();
  const allKeys = new Map<string, number>();
  const locallySold = new Map<number, Set<string>>();
  /** Per terminal: sales on its conflict list (refused offline or on re-sending; open or resolved). */
  const conflictedBy = new Map<number, Set<string>>();
  /** Per terminal: sales a restore lost that it has queued to re-send and not yet sent. */
  const resendingBy = new Map<number, Set<string>>();
  const addOwner = (terminal: number, txId: string, sale: Sold) => {
    for (const seat of sale.seats) {
      const owners = effectiveSeats.get(seat) ?? [];
      owners.push(`t${terminal}:${txId}`);
      effectiveSeats.set(seat, owners);
    }
    for (const [zone, n] of sale.general) effectiveGeneral.set(zone, (effectiveGeneral.get(zone) ?? 0) + n);
  };
  for (const t of view.terminals) {
    const db = t.db;
    const localSold = soldOf(
      db
        .prepare<[], { transaction_id: string; seat_id: number | null; zone_id: number; quantity: number }>(
          "SELECT transaction_id, seat_id, zone_id, quantity FROM reserved_tickets WHERE status = 'COMPLETED'",
        )
        .all(),
    );
    locallySold.set(t.index, new Set(localSold.keys()));
    const leasedCarts = new Set(
      db
        .prepare<[], { transaction_id: string }>('SELECT transaction_id FROM sync_lease_carts')
        .all()
        .map((r) => r.transaction_id),
    );
    const outbox = db
      .prepare<
        [],
        {
          id: number;
          idempotency_key: string;
          op: string;
          body: string;
          acked_at: number | null;
          reply_status: number | null;
          reply: string | null;
        }
      >('SELECT id, idempotency_key, op, body, acked_at, reply_status, reply FROM sync_outbox')
      .all();
    const conflicts = db
      .prepare<[], { outbox_id: number; body: string }>('SELECT outbox_id, body FROM sync_conflicts')
      .all();
    const conflicted = new Set<string>();
    for (const c of conflicts) {
      const body = JSON.parse(c.body) as { saleId?: string; transactionId?: string };
      if (body.saleId) conflicted.add(body.saleId);
      if (body.transactionId) conflicted.add(body.transactionId);
    }
    conflictedBy.set(t.index, conflicted);
    const resending = new Set<string>();
    resendingBy.set(t.index, resending);
    const reports = new Map<string, (typeof outbox)[number]>();
    /** The latest re-sending of each sale (after a restore; or of an offline sale whose lease it lost). */
    const recoveries = new Map<string, (typeof outbox)[number]>();
    let pending = 0;
    for (const item of outbox) {
      checks += 1;
      allKeys.set(item.idempotency_key, (allKeys.get(item.idempotency_key) ?? 0) + 1);
      if (item.op === 'leaseSale') reports.set((JSON.parse(item.body) as { saleId: string }).saleId, item);
      if (item.op === 'recoverSale') {
        const body = JSON.parse(item.body) as { saleId?: string; transactionId: string };
        recoveries.set(body.saleId ?? body.transactionId, item);
      }
      if (item.acked_at === null) {
        pending += 1;
        if (item.op === 'recoverSale') {
          const body = JSON.parse(item.body) as { saleId?: string; transactionId: string };
          resending.add(body.saleId ?? body.transactionId);
        }
        continue;
      }
      // A schema refusal (400) is answered before the store, and a withdrawn item (0) never left the
      // terminal; anything else is stored under its key — unless a restore took its record away.
      if (
        item.reply_status !== 400 &&
        item.reply_status !== 0 &&
        !serverKeys.has(item.idempotency_key) &&
        !view.lostKeys?.has(item.idempotency_key)
      ) {
        violations.push(
          `terminal ${t.index}: outbox item ${item.id} (${item.op}) acknowledged, unknown at server`,
        );
      }
    }
    if (final && pending > 0) violations.push(`terminal ${t.index}: ${pending} outbox items never drained`);

    for (const [txId, localSale] of localSold) {
      let sale = localSale;
      checks += 1;
      const where = `terminal ${t.index}: sale ${txId}`;
      if (conflicted.has(txId)) {
        // On the supervisor's list: not counted as sold — unless the server holds it after all (a
        // conflict accepted with override, re-sent after a later restore and taken back): then it is
        // a sale like any other, in the checks across terminals too.
        const report = reports.get(txId);
        const serverId = leasedCarts.has(txId)
          ? (JSON.parse(report?.reply ?? '{}') as { result?: { transactionId?: string } }).result
              ?.transactionId
          : txId;
        if (!serverId || !sameSale(sale, serverSold.get(serverId))) continue;
        addOwner(t.index, txId, sale);
        continue;
      }
      // Lost by a restore and queued to re-send: checked once it is sent (the final check: it was).
      if (resending.has(txId) && !final) continue;
      if (leasedCarts.has(txId)) {
        const report = reports.get(txId);
        if (!report) {
          violations.push(`${where} sold from a lease has no report in the outbox`);
          continue;
        }
        if (report.acked_at === null) {
          if (final) violations.push(`${where} was never reported`);
          continue;
        }
        // Refused UNKNOWN_LEASE by a server restored from before its lease: re-sent as a recovered sale.
        const resent = report.reply_status === 404 ? recoveries.get(txId) : undefined;
        if (resent && resent.acked_at === null) {
          if (final) violations.push(`${where} was re-sent and never answered`);
          continue;
        }
        const answer = resent ?? report;
        if (answer.reply_status !== 200) {
          violations.push(`${where} was refused (${answer.reply_status}) and is not on the conflict list`);
          continue;
        }
        const serverId =
          (JSON.parse(answer.reply ?? '{}') as { result?: { transactionId?: string } }).result
            ?.transactionId ?? txId;
        if (!serverId || !sameSale(sale, serverSold.get(serverId))) {
          violations.push(
            `${where} was acknowledged, but the server's sale ${serverId} differs or is missing`,
          );
          continue;
        }
      } else if (!sameSale(sale, serverSold.get(txId))) {
        const atServer = serverSold.get(txId);
        if (!atServer) {
          violations.push(`${where} is not sold at the server (${serverTx.get(txId)?.status ?? 'absent'})`);
          continue;
        }
        divergences.push(`${where}: ${describeSale(sale)} here, ${describeSale(atServer)} at the server`);
        // The server's sale is the truth for the checks across terminals.
        sale = atServer;
      }
      addOwner(t.index, txId, sale);
    }
  }
  for (const [key, n] of allKeys) {
    if (n > 1) violations.push(`idempotency key ${key} used by ${n} outbox items`);
  }
  for (const [seat, owners] of effectiveSeats) {
    checks += 1;
    if (owners.length > 1) violations.push(`seat ${seat} sold twice across terminals: ${owners.join(', ')}`);
  }

  // 5. Every sale a cashier saw succeed is at the server, exactly as the terminal recorded it.
  for (const sale of view.sales) {
    checks += 1;
    // A conflict (refused on re-sending after a restore, or an offline sale refused) is the
    // supervisor's to refund or accept: recorded, not lost. Not yet re-sent: checked once it is.
    if (conflictedBy.get(sale.terminal)?.has(sale.transactionId)) continue;
    if (resendingBy.get(sale.terminal)?.has(sale.transactionId) && !final) continue;
    if (!locallySold.get(sale.terminal)?.has(sale.transactionId)) {
      divergences.push(
        `terminal ${sale.terminal}: acknowledged sale ${sale.transactionId} (op ${sale.op}) missing locally` +
          localStory(view, sale, serverSold.get(sale.transactionId)),
      );
    }
    if (!sale.leased && serverTx.get(sale.transactionId)?.status !== 'COMPLETED') {
      violations.push(`server: acknowledged sale ${sale.transactionId} (op ${sale.op}) is not COMPLETED`);
    }
  }

  if (final) {
    // 6. After the final sync, local and central stores agree on what is sold.
    const serverSeats = new Map<number, string>();
    const serverGeneral = new Map<number, number>();
    for (const [txId, sale] of serverSold) {
      for (const seat of sale.seats) serverSeats.set(seat, txId);
      for (const [zone, n] of sale.general) serverGeneral.set(zone, (serverGeneral.get(zone) ?? 0) + n);
    }
    for (const [seat, txId] of serverSeats) {
      checks += 1;
      if (!effectiveSeats.has(seat))
        divergences.push(`seat ${seat} sold at the server (${txId}) but on no terminal`);
    }
    for (const seat of effectiveSeats.keys()) {
      checks += 1;
      if (!serverSeats.has(seat)) violations.push(`seat ${seat} sold on a terminal but not at the server`);
    }
    for (const zone of new Set([...serverGeneral.keys(), ...effectiveGeneral.keys()])) {
      checks += 1;
      const s = serverGeneral.get(zone) ?? 0;
      const l = effectiveGeneral.get(zone) ?? 0;
      if (s < l) violations.push(`standing zone ${zone}: server sold ${s}, terminals sold ${l}`);
      else if (s > l) divergences.push(`standing zone ${zone}: server sold ${s}, terminals show ${l}`);
    }
    // 7. Once everyone has heard the server's clock, no seat is held live on two terminals.
    const holders = new Map<number, number[]>();
    for (const t of view.terminals) {
      const rows = t.db
        .prepare<[number], { seat_id: number }>(
          `SELECT DISTINCT seat_id FROM reserved_tickets
           WHERE seat_id IS NOT NULL AND status = 'ACTIVE' AND reserved_until > ?`,
        )
        .all(t.serverNow());
      for (const r of rows) holders.set(r.seat_id, [...(holders.get(r.seat_id) ?? []), t.index]);
    }
    for (const [seat, who] of holders) {
      checks += 1;
      if (who.length > 1) violations.push(`seat ${seat} held live on terminals ${who.join(', ')}`);
    }
  }
  return { checks, violations, divergences };
}
