import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/taquilla-server.js', import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop: () => Promise<void>;
  /** SIGKILL: a crash, not a shutdown. */
  kill: () => Promise<void>;
  /** Everything the process printed so far (its log lines are JSON on stdout). */
  output: () => { stdout: string; stderr: string };
}

/** Starts a real `taquilla-server` process on loopback; `port` 0 lets the OS choose a free one. */
export async function startServer(
  storeArgs: string[],
  port = 0,
  /** false: the documented short form, `taquilla-server --db FILE --port N`. */
  withCommand = true,
  /** Added to the environment (secrets an operator keeps out of argv). */
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const command = withCommand ? ['serve'] : [];
  const child = spawn(process.execPath, [BIN, ...command, ...storeArgs, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (https?:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${err}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test that fails before its cleanup must not leave a server running.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    output: () => ({ stdout: out, stderr: err }),
  };
}

/** Runs a one-shot `taquilla-server` admin command and parses its JSON line. */
export function serverCli<T>(args: string[]): T {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`taquilla-server ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/** Runs a `taquilla-server` command that may be refused: exit status, stdout and stderr. */
export function serverCliRaw(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
