import {
  existsSync,
  linkSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import {
  documentsOf,
  EscPosDecoder,
  elementsAsText,
} from '../../../electron/services/printing/escpos-decoder.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { saleNumberOf } from '../../../shared/schemas/printing.ts';
import { type PtyPrinter, ptyMissing, startPtyPrinter } from '../../support/pty-printer.ts';
import { T0 } from '../../support/temp-store.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Where the printer's bytes may go. A supervisor sets the printer's device path; before this rule,
 * any path was opened for appending, so a dotfile (~/.bashrc) got each ticket's bytes added to it.
 */

const DOTFILE_TEXT = 'export PATH="$HOME/bin:$PATH"\n';

let api: ApiFixture;
let supervisor: string;
let cashier: string;

async function sellOneSeat(index: number): Promise<string> {
  await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[index]] }, cashier);
  const sale = await api.call(
    'payments.checkout',
    { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
    cashier,
  );
  expect(sale.status).toBe(200);
  return sale.body.transactionId as string;
}

function textOf(bytes: Buffer): string {
  return documentsOf(new EscPosDecoder().push(bytes))
    .map((d) => elementsAsText(d.elements, 48))
    .join('\n');
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock: new ManualClock(T0) };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('a live store', () => {
  let dotfile: string;

  beforeAll(async () => {
    api = await startApi();
    supervisor = await api.signIn(api.users.supervisor, '9999');
    cashier = await api.signIn(api.users.cashier, '1234');
  });
  afterAll(() => api.close());
  beforeEach(() => {
    dotfile = join(api.dir, '.bashrc');
    writeFileSync(dotfile, DOTFILE_TEXT);
  });

  it('refuses a device path that is a dotfile: clear error, settings unchanged, nothing written', async () => {
    const before = await api.call('printer.settings.get', {}, supervisor);
    const refused = await api.call(
      'printer.settings.set',
      { connection: { kind: 'device', path: dotfile } },
      supervisor,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'PRINTER_TARGET',
      details: { path: dotfile, problem: 'not-a-device' },
    });
    expect((await api.call('printer.settings.get', {}, supervisor)).body).toEqual(before.body);
    await sellOneSeat(0);
    await api.terminal.printing.queue.drain();
    expect(readFileSync(dotfile, 'utf8')).toBe(DOTFILE_TEXT);
  });

  it('refuses a path where nothing is (and creates nothing), a relative path and a folder', async () => {
    const missing = join(api.dir, 'lp0');
    for (const [path, problem] of [
      [missing, 'missing'],
      ['dev/usb/lp0', 'relative'],
      [api.dir, 'not-a-device'],
    ] as const) {
      const refused = await api.call(
        'printer.settings.set',
        { connection: { kind: 'device', path } },
        supervisor,
      );
      expect(refused.body.error).toMatchObject({ code: 'PRINTER_TARGET', details: { problem } });
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses an explicit file target: files are for training stores only', async () => {
    const capture = join(api.dir, 'capture.prn');
    const refused = await api.call(
      'printer.settings.set',
      { connection: { kind: 'file', path: capture } },
      supervisor,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'PRINTER_TARGET',
      details: { path: capture, problem: 'file-live-store' },
    });
    expect(existsSync(capture)).toBe(false);
  });

  it('checks again when sending: a target that became a file, or a link to one, gets nothing', async () => {
    // Settings written before this rule, or a device node swapped for something else afterwards.
    const link = join(api.dir, 'lp-link');
    symlinkSync(dotfile, link);
    for (const path of [dotfile, link]) {
      api.terminal.db
        .prepare(
          `INSERT INTO printer_settings (id, settings, updated_at, updated_by) VALUES (1, ?, 0, 'test')
           ON CONFLICT (id) DO UPDATE SET settings = excluded.settings`,
        )
        .run(JSON.stringify({ connection: { kind: 'device', path } }));
      await sellOneSeat(path === dotfile ? 1 : 2);
      api.terminal.printing.queue.retryNow();
      expect(await api.terminal.printing.queue.drain()).toBe('failed');
      expect(readFileSync(dotfile, 'utf8')).toBe(DOTFILE_TEXT);
      const status = api.terminal.printing.status();
      expect(status.state).toBe('offline');
      expect(status.lastError).toMatch(/not a character device|symbolic link/);
      expect(status.pending).toBeGreaterThan(0);
    }
    // Put back a sound printer for the tests that follow: the jobs that waited are still there.
    api.terminal.db.prepare('DELETE FROM printer_settings').run();
  });

  it('the CLI refuses the same paths with exit code 1 and writes nothing', async () => {
    const result = await cli('printer-settings', '--db', api.file, '--printer', dotfile, '--json');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/not a character device/);
    expect(readFileSync(dotfile, 'utf8')).toBe(DOTFILE_TEXT);
    const file = await cli(
      'printer-settings',
      '--db',
      api.file,
      '--printer',
      `file:${join(api.dir, 'x.prn')}`,
    );
    expect(file.code).toBe(1);
    expect(file.err).toMatch(/training/);
  });

  describe.skipIf(ptyMissing)('a character device that is not a printer', () => {
    let pty: PtyPrinter;
    beforeAll(async () => {
      pty = await startPtyPrinter();
    });
    afterAll(() => pty?.close());

    it('a terminal session (a pseudo-terminal) is refused on a live store, whoever owns it', async () => {
      const refused = await api.call(
        'printer.settings.set',
        { connection: { kind: 'device', path: pty.path } },
        supervisor,
      );
      expect(refused.body.error).toMatchObject({
        code: 'PRINTER_TARGET',
        details: { problem: 'not-a-printer' },
      });
      const cli1 = await cli('printer-settings', '--db', api.file, '--printer', pty.path);
      expect(cli1.code).toBe(1);
      expect(pty.received().length).toBe(0);
    });
  });
});

describe('a training store', () => {
  beforeAll(async () => {
    api = await startApi({ training: true });
    supervisor = await api.signIn(api.users.supervisor, '9999');
    cashier = await api.signIn(api.users.cashier, '1234');
  });
  afterAll(() => api.close());
  afterEach(() => api.terminal.db.prepare('DELETE FROM printer_settings').run());

  it('prints to an explicit capture file (*.prn): created 0600, each job appended, marked as training', async () => {
    const capture = join(api.dir, 'capture.prn');
    const set = await api.call(
      'printer.settings.set',
      { connection: { kind: 'file', path: capture } },
      supervisor,
    );
    expect(set.status).toBe(200);
    expect(statSync(capture).mode & 0o777).toBe(0o600);
    await sellOneSeat(0);
    expect(await api.terminal.printing.queue.drain()).toBe('idle');
    const first = readFileSync(capture);
    expect(textOf(first)).toContain('ENTRENAMIENTO');
    await sellOneSeat(1);
    await api.terminal.printing.queue.drain();
    const both = readFileSync(capture);
    expect(both.length).toBeGreaterThan(first.length);
    expect(both.subarray(0, first.length).equals(first)).toBe(true);
  });

  it('refuses a file target that is not a capture file by name: a dotfile, a script', async () => {
    const dotfile = join(api.dir, '.profile');
    writeFileSync(dotfile, DOTFILE_TEXT);
    for (const path of [dotfile, join(api.dir, 'run.sh')]) {
      const refused = await api.call(
        'printer.settings.set',
        { connection: { kind: 'file', path } },
        supervisor,
      );
      expect(refused.body.error).toMatchObject({
        code: 'PRINTER_TARGET',
        details: { path, problem: 'file-name' },
      });
    }
    expect(readFileSync(dotfile, 'utf8')).toBe(DOTFILE_TEXT);
    expect(existsSync(join(api.dir, 'run.sh'))).toBe(false);
  });

  it('refuses a capture file that is a symbolic or a hard link, when set and when sending', async () => {
    const victim = join(api.dir, '.bash_profile');
    writeFileSync(victim, DOTFILE_TEXT);
    const soft = join(api.dir, 'soft.prn');
    symlinkSync(victim, soft);
    const hard = join(api.dir, 'hard.prn');
    linkSync(victim, hard);
    for (const path of [soft, hard]) {
      const refused = await api.call(
        'printer.settings.set',
        { connection: { kind: 'file', path } },
        supervisor,
      );
      expect(refused.body.error).toMatchObject({
        code: 'PRINTER_TARGET',
        details: { path, problem: 'file-not-plain' },
      });
    }
    // A sound capture file, swapped afterwards for a link to the victim: nothing is appended.
    const capture = join(api.dir, 'swap.prn');
    expect(
      (await api.call('printer.settings.set', { connection: { kind: 'file', path: capture } }, supervisor))
        .status,
    ).toBe(200);
    unlinkSync(capture);
    symlinkSync(victim, capture);
    await sellOneSeat(2);
    expect(await api.terminal.printing.queue.drain()).toBe('failed');
    expect(readFileSync(victim, 'utf8')).toBe(DOTFILE_TEXT);
    unlinkSync(capture);
    renameSync(hard, capture);
    await api.terminal.printing.queue.drain();
    expect(readFileSync(victim, 'utf8')).toBe(DOTFILE_TEXT);
  });

  it("the CLI's print-queue --drain knows the store's mode: it prints to the capture file, marked", async () => {
    const capture = join(api.dir, 'cli.prn');
    await api.call('printer.settings.set', { connection: { kind: 'file', path: capture } }, supervisor);
    const transactionId = await sellOneSeat(3);
    const drained = await cli('print-queue', '--db', api.file, '--drain', '--json');
    expect(drained.code).toBe(0);
    const text = textOf(readFileSync(capture));
    expect(text).toContain(saleNumberOf(transactionId));
    expect(text).toContain('ENTRENAMIENTO');
  });
  describe.skipIf(ptyMissing)("a pseudo-terminal of this user's: the training store's test printer", () => {
    let pty: PtyPrinter;
    beforeAll(async () => {
      pty = await startPtyPrinter();
    });
    afterAll(() => pty?.close());

    it('is accepted, and a sale prints on it byte for byte, marked as training', async () => {
      const set = await api.call(
        'printer.settings.set',
        { connection: { kind: 'device', path: pty.path } },
        supervisor,
      );
      expect(set.status).toBe(200);
      const cli1 = await cli('printer-settings', '--db', api.file, '--json');
      expect(JSON.parse(cli1.out).connection).toEqual({ kind: 'device', path: pty.path });
      const transactionId = await sellOneSeat(5);
      expect(await api.terminal.printing.queue.drain()).toBe('idle');
      // The sale number as printed: upper case (layouts.ts).
      const number = saleNumberOf(transactionId);
      await pty.waitFor(200);
      for (let i = 0; i < 50 && !textOf(pty.received()).includes(number); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const text = textOf(pty.received());
      expect(text).toContain('Fila A  Asiento 6');
      expect(text).toContain(number);
      expect(text).toContain('ENTRENAMIENTO');
    });

    it('but not through a symbolic link (it could be swapped for a link to a file)', async () => {
      const link = join(api.dir, 'printer');
      symlinkSync(pty.path, link);
      const refused = await api.call(
        'printer.settings.set',
        { connection: { kind: 'device', path: link } },
        supervisor,
      );
      expect(refused.body.error).toMatchObject({ code: 'PRINTER_TARGET', details: { problem: 'symlink' } });
    });
  });
});
