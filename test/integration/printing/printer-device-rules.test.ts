import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { isPrinterDevice } from '../../../electron/services/printing/printer-target.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { type PtyPrinter, ptyMissing, startPtyPrinter } from '../../support/pty-printer.ts';
import { T0 } from '../../support/temp-store.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Red-team findings 6 and 7 (issue 11 follow-up). 6: a printer "device" could be any character
 * device — /dev/kmsg, /dev/console, /dev/tty1, /dev/ptmx, /dev/fuse, another terminal session's pty
 * (the test page's escape codes went into it), a link in world-writable /dev/shm. 7: a training
 * store's capture file followed a linked parent folder (a file appeared in /root), accepted another
 * user's 0666 file, and a trailing slash gave a raw EISDIR.
 */
let api: ApiFixture;
let supervisor: string;

async function setPrinter(connection: unknown): Promise<{ status: number; problem?: string; code?: string }> {
  const answer = await api.call('printer.settings.set', { connection }, supervisor);
  return {
    status: answer.status,
    code: answer.body.error?.code,
    problem: answer.body.error?.details?.problem,
  };
}

async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const io: CliIo = { out: () => {}, err: (l) => err.push(l), clock: new ManualClock(T0) };
  const code = await runCli(args, io);
  return { code, err: err.join('\n') };
}

const makedev = (major: number, minor: number) => ((minor & 0xfff00) << 12) | (major << 8) | (minor & 0xff);

describe("only a printer's device is a printer", () => {
  it('by name and by device number: a console or a terminal named like a printer is not one', () => {
    expect(isPrinterDevice('/dev/usb/lp0', makedev(180, 0))).toBe(true);
    expect(isPrinterDevice('/dev/lp0', makedev(6, 0))).toBe(true);
    expect(isPrinterDevice('/dev/ttyUSB0', makedev(188, 0))).toBe(true);
    expect(isPrinterDevice('/dev/ttyACM1', makedev(166, 1))).toBe(true);
    expect(isPrinterDevice('/dev/ttyS0', makedev(4, 64))).toBe(true);
    expect(isPrinterDevice('/dev/rfcomm0', makedev(216, 0))).toBe(true);
    // tty1 is (4, 1): a virtual console, even if a node named ttyS1 carried its number.
    expect(isPrinterDevice('/dev/ttyS1', makedev(4, 1))).toBe(false);
    // (180, 96) is a USB HID device, not a printer.
    expect(isPrinterDevice('/dev/usb/lp0', makedev(180, 96))).toBe(false);
    for (const path of ['/dev/kmsg', '/dev/console', '/dev/tty1', '/dev/ptmx', '/dev/pts/0', '/dev/mem'])
      expect(isPrinterDevice(path, makedev(188, 0)), path).toBe(false);
  });
});

describe.skipIf(process.platform !== 'linux')('a live store', () => {
  beforeAll(async () => {
    api = await startApi();
    supervisor = await api.signIn(api.users.supervisor, '9999');
  });
  afterAll(() => api.close());

  it('refuses the kernel log, the console, a virtual terminal, ptmx, fuse, null: not printers', async () => {
    const devices = [
      '/dev/kmsg',
      '/dev/console',
      '/dev/tty1',
      '/dev/ptmx',
      '/dev/fuse',
      '/dev/null',
      '/dev/full',
    ];
    for (const path of [...devices, '/dev/watchdog', '/dev/port', '/dev/mem'].filter((p) => existsSync(p))) {
      expect(await setPrinter({ kind: 'device', path }), path).toMatchObject({
        status: 400,
        code: 'PRINTER_TARGET',
        problem: 'not-a-printer',
      });
    }
    const byCli = await cli('printer-settings', '--db', api.file, '--printer', '/dev/kmsg');
    expect(byCli.code).toBe(1);
    expect(byCli.err).toMatch(/not a printer's device/);
  });

  it('refuses a link in world-writable /dev/shm, and a path written with ..', async () => {
    const link = `/dev/shm/taquilla-printer-${process.pid}`;
    symlinkSync('/dev/kmsg', link);
    try {
      expect(await setPrinter({ kind: 'device', path: link })).toMatchObject({ problem: 'symlink' });
    } finally {
      rmSync(link, { force: true });
    }
    expect(await setPrinter({ kind: 'device', path: '/dev/usb/../kmsg' })).toMatchObject({
      problem: 'not-a-printer',
    });
  });

  describe.skipIf(ptyMissing)("another session's terminal", () => {
    let pty: PtyPrinter;
    beforeAll(async () => {
      pty = await startPtyPrinter();
    });
    afterAll(() => pty?.close());

    it('gets no test page: refused when set, and when a stored setting points at it', async () => {
      expect(await setPrinter({ kind: 'device', path: pty.path })).toMatchObject({
        problem: 'not-a-printer',
      });
      // Settings written before this rule: the job is refused on the open descriptor.
      api.terminal.db
        .prepare(
          `INSERT INTO printer_settings (id, settings, updated_at, updated_by) VALUES (1, ?, 0, 'test')
           ON CONFLICT (id) DO UPDATE SET settings = excluded.settings`,
        )
        .run(JSON.stringify({ connection: { kind: 'device', path: pty.path } }));
      const page = await api.call('printer.testPage', {}, supervisor);
      expect(page.body).toMatchObject({
        outcome: 'unreachable',
        message: expect.stringMatching(/not a printer's device/),
      });
      expect(pty.received().length).toBe(0);
      api.terminal.db.prepare('DELETE FROM printer_settings').run();
    });
  });
});

describe.skipIf(process.platform !== 'linux')('a training store', () => {
  let folder: string;
  beforeAll(async () => {
    api = await startApi({ training: true });
    supervisor = await api.signIn(api.users.supervisor, '9999');
  });
  afterAll(() => api.close());
  afterEach(() => {
    api.terminal.db.prepare('DELETE FROM printer_settings').run();
    rmSync(folder, { recursive: true, force: true });
  });

  function freshFolder(): string {
    folder = join(api.dir, `f${Date.now()}${Math.random().toString(36).slice(2)}`);
    mkdirSync(folder, { mode: 0o700 });
    return folder;
  }

  it('a capture file behind a linked folder is refused, and nothing is created where the link points', async () => {
    const base = freshFolder();
    const victim = join(base, 'root-home');
    mkdirSync(victim, { mode: 0o700 });
    mkdirSync(join(base, 'x'));
    symlinkSync(victim, join(base, 'x', 'rootlink'));
    const path = join(base, 'x', 'rootlink', 'pwned.prn');
    expect(await setPrinter({ kind: 'file', path })).toMatchObject({ status: 400, problem: 'file-folder' });
    expect(readdirSync(victim)).toEqual([]);
  });

  it('a folder linked in after the settings were saved gets nothing at send time', async () => {
    const base = freshFolder();
    const victim = join(base, 'root-home');
    mkdirSync(victim, { mode: 0o700 });
    const spool = join(base, 'spool');
    mkdirSync(spool, { mode: 0o700 });
    const path = join(spool, 'caja.prn');
    expect((await setPrinter({ kind: 'file', path })).status).toBe(200);
    rmSync(spool, { recursive: true });
    symlinkSync(victim, spool);
    writeFileSync(join(victim, 'caja.prn'), '', { mode: 0o600 });
    const page = await api.call('printer.testPage', {}, supervisor);
    expect(page.body).toMatchObject({ outcome: 'unreachable', message: expect.stringMatching(/folder/) });
    expect(readdirSync(victim)).toEqual(['caja.prn']);
    expect(statSync(join(victim, 'caja.prn')).size).toBe(0);
  });

  it("another user's capture file, even one anyone may write, is refused", async () => {
    const path = join(freshFolder(), 'shared.prn');
    writeFileSync(path, '');
    chmodSync(path, 0o666);
    chownSync(path, 65534, 65534);
    expect(await setPrinter({ kind: 'file', path })).toMatchObject({ problem: 'file-owner' });
  });

  it('a capture file in a folder others can write (no sticky bit) is refused', async () => {
    const open = freshFolder();
    chmodSync(open, 0o777);
    expect(await setPrinter({ kind: 'file', path: join(open, 'caja.prn') })).toMatchObject({
      problem: 'file-folder',
    });
    expect(readdirSync(open)).toEqual([]);
  });

  it('a trailing slash or a folder named like a capture file is a PRINTER_TARGET refusal, not EISDIR', async () => {
    const base = freshFolder();
    expect(await setPrinter({ kind: 'file', path: `${join(base, 'x.prn')}/` })).toMatchObject({
      status: 400,
      problem: 'file-name',
    });
    mkdirSync(join(base, 'dir.prn'));
    expect(await setPrinter({ kind: 'file', path: join(base, 'dir.prn') })).toMatchObject({
      status: 400,
      problem: 'file-not-plain',
    });
    const byCli = await cli(
      'printer-settings',
      '--db',
      api.file,
      '--printer',
      `file:${join(base, 'y.prn')}/`,
    );
    expect(byCli.code).toBe(1);
    expect(byCli.err).toMatch(/PRINTER_TARGET/);
  });

  describe.skipIf(ptyMissing)('a pseudo-terminal', () => {
    let pty: PtyPrinter;
    beforeAll(async () => {
      pty = await startPtyPrinter();
    });
    afterAll(() => pty?.close());

    it("is the training store's test printer only while it is this user's own", async () => {
      folder = freshFolder();
      expect((await setPrinter({ kind: 'device', path: pty.path })).status).toBe(200);
      api.terminal.db.prepare('DELETE FROM printer_settings').run();
      chownSync(pty.path, 65534, 5);
      expect(await setPrinter({ kind: 'device', path: pty.path })).toMatchObject({
        problem: 'not-a-printer',
      });
    });
  });
});
