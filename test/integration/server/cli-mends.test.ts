import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';
import { EXAMPLE_EVENT } from '../../support/venue-example.ts';
import { serverCli, serverCliRaw, startServer } from './server-process.ts';

/**
 * The command lines' refusals (issue 14 review): each names what is wrong in words an operator can
 * act on — never the argument parser's "ambiguous" or a raw file error — and writes nothing.
 */
const TAQUILLA = fileURLToPath(new URL('../../../bin/taquilla.js', import.meta.url));

function taquilla(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TAQUILLA, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: { dir: string; remove: () => void };
let db: string[];
let admin: { tenantId: number; credentialId: number; secret: string };
let tenant: string[];
let eventId: number;
let zones: { zoneId: number; code: string }[];

beforeAll(() => {
  tmp = tempDir('taquilla-cli-mends-');
  db = ['--db', join(tmp.dir, 'server.db')];
  admin = serverCli(['create-tenant', ...db, '--name', 'Teatro']);
  tenant = ['--tenant', String(admin.tenantId)];
  const event = serverCli<{ eventId: number; zones: { zoneId: number; code: string }[] }>([
    'define-event',
    ...db,
    ...tenant,
    '--file',
    EXAMPLE_EVENT,
  ]);
  eventId = event.eventId;
  zones = event.zones;
});
afterAll(() => tmp?.remove());

describe('taquilla-server command refusals', () => {
  it('a negative number to a numeric option is refused with the option’s own rule, not "ambiguous"', () => {
    const refused = serverCliRaw(['enrol-code', ...db, ...tenant, '--minutes', '-5']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).not.toMatch(/ambiguous/);
    expect(refused.stderr).toContain("--minutes must be a whole number from 1 to 10080 (7 days), got '-5'");
    const audit = serverCliRaw(['audit', ...db, ...tenant, '--limit', '-1']);
    expect(audit.status).toBe(2);
    expect(audit.stderr).toContain("--limit must be a positive whole number, got '-1'");
  });

  it('a value that begins with a dash (a ticket key id is base64url) is read as the value', () => {
    const found = serverCliRaw(['audit', ...db, ...tenant, '--entity', '-jS5K0sO']);
    expect(found.stderr).toBe('');
    expect(found.status).toBe(0);
    expect(JSON.parse(found.stdout.trim().split('\n').pop()!)).toMatchObject({ entries: [] });
    // An option after an option that takes a value is still an option (the value is missing).
    const missing = serverCliRaw(['audit', ...db, '--entity', ...tenant]);
    expect(missing.status).toBe(2);
  });

  it('enrol-code --minutes is bounded (at most 7 days), as the admin API is', () => {
    const refused = serverCliRaw(['enrol-code', ...db, ...tenant, '--minutes', '999999']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('from 1 to 10080 (7 days)');
    expect(
      serverCli<{ code: string }>(['enrol-code', ...db, ...tenant, '--minutes', '10080']).code,
    ).toBeTruthy();
  });

  it('over the admin API, an admin revoking its own credential must say force: true', async () => {
    const server = await startServer(db);
    try {
      const revoke = (body: object) =>
        fetch(`${server.url}/v1/admin/revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const refused = await revoke({ credentialId: admin.credentialId });
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as {
        error: { code: string; details: { issues: { path: string }[] } };
      };
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.details.issues.map((i) => i.path)).toEqual(['force']);
    } finally {
      await server.stop();
    }
  });

  it('revoking an admin credential needs --force; with it, it is revoked', () => {
    const refused = serverCliRaw(['revoke', ...db, ...tenant, '--credential', String(admin.credentialId)]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/is the tenant's admin credential.*--force/);
    const terminals = serverCli<{ credentials: { credentialId: number; revokedAt: number | null }[] }>([
      'terminals',
      ...db,
      ...tenant,
    ]);
    expect(terminals.credentials.find((c) => c.credentialId === admin.credentialId)?.revokedAt).toBeNull();
    expect(
      serverCli(['revoke', ...db, ...tenant, '--credential', String(admin.credentialId), '--force']),
    ).toEqual({ revoked: admin.credentialId });
  });

  it('lease-policy names every problem at once, from the one policy schema, and refuses nonsense numbers', () => {
    const seats = zones.find((z) => z.code === 'PLA')!.zoneId;
    const policy = ['lease-policy', ...db, ...tenant, '--event', String(eventId)];
    const many = serverCliRaw([...policy, '--seats', `${seats}:0`, '--minutes', '2', '--min', 'x']);
    expect(many.status).toBe(1);
    expect(many.stderr).toContain('VALIDATION');
    for (const flag of ['--seats', '--minutes', '--min']) expect(many.stderr).toContain(flag);
    // One ticket number for three places: the counter could not number its tickets.
    const numbers = serverCliRaw([...policy, '--seats', `${seats}:3`, '--minutes', '30', '--numbers', '1']);
    expect(numbers.status).toBe(1);
    expect(numbers.stderr).toContain('--numbers');
    expect(numbers.stderr).toContain('at least 3');
    expect(serverCli<{ policies: unknown[] }>(policy).policies).toEqual([]);
  });

  it('a policy stored before --numbers had to cover its places is still read (with the default block)', () => {
    const seats = zones.find((z) => z.code === 'PLA')!.zoneId;
    const policy = ['lease-policy', ...db, ...tenant, '--event', String(eventId)];
    serverCli([...policy, '--seats', `${seats}:4`, '--minutes', '30']);
    // As an older server wrote it: one number for four places.
    const file = new Database(db[1]!);
    file.prepare("UPDATE lease_policies SET policy = json_set(policy, '$.ticketNumbers', 1)").run();
    file.close();
    const read = serverCli<{ policies: { policy: { ticketNumbers?: number; seats: unknown[] } }[] }>(policy);
    expect(read.policies).toHaveLength(1);
    expect(read.policies[0]!.policy.ticketNumbers).toBeUndefined();
    expect(read.policies[0]!.policy.seats).toEqual([{ zoneId: seats, count: 4 }]);
    serverCli([...policy, '--remove']);
  });
});

describe('taquilla verify-ticket --keyset with a bad file', () => {
  const verify = (file: string) => taquilla(['verify-ticket', '--code', 'TQ1.x.y', '--keyset', file]);

  it('says what is wrong with the file: missing, not JSON, not a keyset', () => {
    const missing = verify(join(tmp.dir, 'nowhere.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no keyset file at');
    expect(missing.stderr).toContain('taquilla-server keyset export');
    expect(missing.stderr).not.toContain('ENOENT');

    const notJson = join(tmp.dir, 'not.json');
    writeFileSync(notJson, 'hola');
    const garbled = verify(notJson);
    expect(garbled.status).toBe(2);
    expect(garbled.stderr).toContain('is not JSON');

    const wrong = join(tmp.dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ format: 'something', keys: 'none' }));
    const shape = verify(wrong);
    expect(shape.status).toBe(2);
    expect(shape.stderr).toContain('is not a venue keyset');
    expect(shape.stderr).toContain('keys');
    expect(shape.stderr).not.toContain('"code"');
  });

  it('a negative number is refused with the option’s rule, not the parser’s "ambiguous"', () => {
    // The value reaches the command (which first finds there is no store to work on).
    const r = taquilla(['leases', '--db', join(tmp.dir, 'none.db'), '--acquire', '--event', '-3']);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/ambiguous/);
    expect(r.stderr).toContain('no database at');
  });
});
