import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';
import { type ServerProcess, serverCli, serverCliRaw, startServer } from './server-process.ts';

function getStatus(url: string, options: { ca?: Buffer; secret?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = options.secret ? { authorization: `Bearer ${options.secret}` } : {};
    const request = url.startsWith('https')
      ? httpsGet(url, { ca: options.ca, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
      : httpGet(url, { headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
    request.on('error', reject);
  });
}

describe('TLS and where the server reads its secrets (real processes)', () => {
  const tmp = tempDir('taquilla-tls-');
  const db = join(tmp.dir, 'server.db');
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    tmp.remove();
  });

  it('serves HTTPS with --tls-cert/--tls-key: a client that trusts the certificate gets in, plain HTTP does not', async () => {
    const cert = join(tmp.dir, 'cert.pem');
    const key = join(tmp.dir, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
        '-subj',
        '/CN=taquilla-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]),
      { stdio: 'ignore' },
    );
    const admin = serverCli<{ secret: string }>(['create-tenant', '--db', db, '--name', 'Teatro']);
    const server = await startServer(['--db', db, '--tls-cert', cert, '--tls-key', key]);
    servers.push(server);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(cert);
    const check = (url: string, secret?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsGet(
          url,
          {
            ca,
            headers: secret ? { authorization: `Bearer ${secret}` } : {},
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
      });
    expect(await check(`${server.url}/health`)).toBe(200);
    expect(await check(`${server.url}/v1/whoami`, admin.secret)).toBe(200);
    // an untrusted certificate is refused by the client; plain HTTP gets no HTTP answer
    await expect(getStatus(`${server.url}/health`)).rejects.toThrow(/self.signed|certificate/i);
    await expect(getStatus(`${server.url.replace('https', 'http')}/health`)).rejects.toThrow();
  });

  it('--tls-cert without --tls-key is bad usage, with a one-line reason', () => {
    const result = serverCliRaw(['--db', db, '--tls-cert', join(tmp.dir, 'cert.pem'), '--port', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--tls-cert and --tls-key go together/);
  });

  it('plain HTTP beyond loopback is served, with a warning in the log naming TLS and the reverse proxy', async () => {
    const server = await startServer(['--db', db, '--host', '0.0.0.0']);
    servers.push(server);
    const warning = server
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 40);
    expect(warning?.msg).toMatch(/plain HTTP on 0\.0\.0\.0.*--tls-cert.*reverse proxy/);
    expect(await getStatus(`http://127.0.0.1:${server.port}/health`)).toBe(200);
  });

  const url = process.env.TAQUILLA_PG_URL;
  it.skipIf(!url)(
    'the PostgreSQL URL comes from a file or the environment; a password on the command line is warned about',
    async () => {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const file = join(tmp.dir, 'pg-url');
      writeFileSync(file, `${url}\n`, { mode: 0o600 });
      const password = new URL(url!).password;
      try {
        const fromFile = serverCliRaw([
          'create-tenant',
          '--pg-url-file',
          file,
          '--pg-schema',
          schema,
          '--name',
          'A',
        ]);
        expect(fromFile.status).toBe(0);
        expect(fromFile.stderr).toBe('');
        const result = execFileSync(
          process.execPath,
          [
            join(import.meta.dirname, '../../../bin/taquilla-server.js'),
            'terminals',
            '--pg-schema',
            schema,
            '--tenant',
            '1',
          ],
          { env: { ...process.env, TAQUILLA_SERVER_PG_URL: url }, encoding: 'utf8' },
        );
        expect(JSON.parse(result)).toMatchObject({ tenantId: 1 });
        const onArgv = serverCliRaw(['terminals', '--pg', url!, '--pg-schema', schema, '--tenant', '1']);
        expect(onArgv.status).toBe(0);
        expect(onArgv.stderr).toMatch(
          /warning: the password in --pg is visible.*--pg-url-file.*TAQUILLA_SERVER_PG_URL/,
        );
        // A server started from the file shows no password in its command line.
        const server = await startServer(['--pg-url-file', file, '--pg-schema', schema]);
        servers.push(server);
        const cmdline = readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8');
        expect(cmdline).not.toContain(url);
        expect(cmdline).not.toContain(`:${password}@`);
        expect(await getStatus(`${server.url}/ready`)).toBe(200);
      } finally {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  );
});
