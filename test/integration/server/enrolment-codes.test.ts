import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

describe('enrolment codes as a supervisor types them (real server process)', () => {
  const tmp = tempDir('taquilla-enrol-');
  const db = join(tmp.dir, 'server.db');
  let server: ServerProcess;
  let tenantId: number;

  beforeAll(async () => {
    tenantId = serverCli<{ tenantId: number }>(['create-tenant', '--db', db, '--name', 'Teatro']).tenantId;
    // Twelve enrolments from one address in a minute: above the default limit of 10 (tested apart).
    server = await startServer(['--db', db, '--enrol-per-minute', '100']);
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  const enrol = (code: string) =>
    fetch(`${server.url}/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, terminalName: 'Caja' }),
    });

  it.each([
    ['without dashes', (c: string) => c.replace(/-/g, '')],
    ['in lower case', (c: string) => c.toLowerCase()],
    ['with spaces for dashes', (c: string) => c.replace(/-/g, ' ')],
    ['lower case, no dashes, spaces around', (c: string) => `  ${c.replace(/-/g, '').toLowerCase()} `],
    ['as printed', (c: string) => c],
  ])('a code typed %s enrols, once', async (_how, typed) => {
    const { code } = serverCli<{ code: string }>(['enrol-code', '--db', db, '--tenant', String(tenantId)]);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const first = await enrol(typed(code));
    expect(first.status, JSON.stringify(await first.clone().json())).toBe(200);
    expect(((await first.json()) as { result: { tenantId: number } }).result.tenantId).toBe(tenantId);
    expect((await enrol(code)).status).toBe(401);
  });

  it('a code with a wrong character is still refused', async () => {
    const { code } = serverCli<{ code: string }>(['enrol-code', '--db', db, '--tenant', String(tenantId)]);
    const wrong = `${code.slice(0, -1)}${code.endsWith('2') ? '3' : '2'}`;
    expect((await enrol(wrong)).status).toBe(401);
    expect((await enrol(code)).status).toBe(200);
  });
});
