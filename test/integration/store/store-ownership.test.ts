import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { storeStartupProblem } from '../../../electron/store/store-health.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/**
 * Red-team finding 2 (issue 11 follow-up): a store must never adopt files another user planted in
 * its folder before it existed. The attacker here is the real `nobody` account, as the tester did it.
 */
const canSwitchUser =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', 'true']).status === 0;

const clock = new ManualClock(T0);
let dir: ReturnType<typeof tempDir>;
/** A folder like /tmp: anyone may add files, nobody may replace another's (mode 1777). */
let shared: string;

beforeEach(() => {
  dir = tempDir('taquilla-ownership-');
  chmodSync(dir.dir, 0o755);
  shared = join(dir.dir, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
});
afterEach(() => dir.remove());

function asNobody(script: string): void {
  execFileSync('su', ['nobody', '-s', '/bin/sh', '-c', script], { cwd: shared, stdio: 'pipe' });
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A key file as Taquilla writes one, with a key the attacker chose. */
const attackerKeyFile = JSON.stringify({
  taquilla: 'store-key',
  version: 1,
  wrap: 'none',
  key: randomBytes(32).toString('base64'),
});

describe.skipIf(!canSwitchUser)('a store never adopts files another user planted', () => {
  it('an empty store file and a key file planted in a shared folder are refused; nothing is written', async () => {
    const file = join(shared, 'c.db');
    asNobody(`: > c.db && printf '%s' '${attackerKeyFile}' > c.db.key && chmod 600 c.db.key`);
    const seeded = await cli('seed-demo', '--db', file);
    expect(seeded.code).toBe(1);
    expect(seeded.err.split('\n')).toHaveLength(1);
    expect(seeded.err).toMatch(/c\.db.*belongs to another user \(uid 65534\)/);
    expect(statSync(file).size).toBe(0);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(readFileSync(`${file}.key`, 'utf8')).toBe(attackerKeyFile);
    // The terminal (serve, the desktop app) refuses the same store before SQLite opens it.
    expect(() => createTerminal({ dbFile: file, clock })).toThrow(/belongs to another user/);
    let problem: string | null = null;
    try {
      createTerminal({ dbFile: file, clock });
    } catch (error) {
      problem = storeStartupProblem(error);
    }
    expect(problem).toMatch(/belongs to another user/);
  });

  it('a key file planted beside a store that does not exist yet is refused, and no store is created', async () => {
    const file = join(shared, 'c.db');
    asNobody(`printf '%s' '${attackerKeyFile}' > c.db.key && chmod 600 c.db.key`);
    const seeded = await cli('seed-demo', '--db', file);
    expect(seeded.code).toBe(1);
    expect(seeded.err).toMatch(/key file .*c\.db\.key.*belongs to another user/);
    expect(existsSync(file)).toBe(false);
  });

  it("a -wal or -shm planted beside this user's store is refused before SQLite reads it", async () => {
    const file = join(shared, 'c.db');
    expect((await cli('seed-demo', '--db', file)).code).toBe(0);
    for (const suffix of ['-wal', '-shm']) {
      expect(existsSync(file + suffix)).toBe(false);
      asNobody(`: > c.db${suffix} && chmod 666 c.db${suffix}`);
      const events = await cli('events', '--db', file);
      expect(events.code).toBe(1);
      expect(events.err).toMatch(new RegExp(`c\\.db${suffix}.*belongs to another user`));
      execFileSync('rm', [file + suffix]);
    }
    expect((await cli('events', '--db', file)).code).toBe(0);
  });

  it('a store in a shared folder with nothing planted is created, every file its own user’s alone', async () => {
    const file = join(shared, 'c.db');
    expect((await cli('seed-demo', '--db', file)).code).toBe(0);
    const terminal = createTerminal({ dbFile: file, clock });
    try {
      terminal.db.prepare('SELECT COUNT(*) FROM events').get();
      for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}.key`]) {
        expect(statSync(path).uid).toBe(0);
        expect(statSync(path).mode & 0o777).toBe(0o600);
      }
    } finally {
      terminal.close();
    }
    // ...and the other user can neither read it nor put a -wal of theirs beside it while it is open.
    expect(() => asNobody('cat c.db > /dev/null')).toThrow();
  });
});

describe('where a store may be created and what its key file may be', () => {
  it('refuses to create a store in a folder others can write without the sticky bit', async () => {
    const open = join(dir.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const result = await cli('seed-demo', '--db', join(open, 'c.db'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/other users can write that folder \(mode 777\)/);
    expect(existsSync(join(open, 'c.db'))).toBe(false);
  });

  it('refuses a key file that is a symbolic link, even to a file of its own user', async () => {
    const file = join(dir.dir, 'c.db');
    const elsewhere = join(dir.dir, 'elsewhere.key');
    writeFileSync(elsewhere, attackerKeyFile, { mode: 0o600 });
    symlinkSync(elsewhere, `${file}.key`);
    const result = await cli('seed-demo', '--db', file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/key file .*c\.db\.key: it is a symbolic link/);
    expect(existsSync(file)).toBe(false);
  });
});
