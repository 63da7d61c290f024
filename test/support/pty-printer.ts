import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * A real character device that records what is written to it: the slave side of a pseudo-terminal
 * (/dev/pts/N) in raw mode, made by util-linux `script`, whose master copies every byte to our
 * pipe unchanged. What a USB or serial printer's device file is to the printing code, without one.
 */
export interface PtyPrinter {
  /** The device path, e.g. /dev/pts/3. */
  path: string;
  /** Every byte written to the device so far. */
  received: () => Buffer;
  /** Resolves once at least `n` bytes arrived (or rejects after `timeoutMs`). */
  waitFor: (n: number, timeoutMs?: number) => Promise<Buffer>;
  close: () => Promise<void>;
}

export const ptyMissing = process.platform !== 'linux' || spawnSync('script', ['--version']).status !== 0;

export async function startPtyPrinter(): Promise<PtyPrinter> {
  // `tty` names the device first; then the shell sleeps while the device is written to.
  const child: ChildProcess = spawn(
    'script',
    ['-q', '-c', 'stty raw -echo; tty; exec sleep 600', '/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  let bytes = Buffer.alloc(0);
  let headerLength = 0;
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    bytes = Buffer.concat([bytes, chunk]);
    for (const l of listeners) l();
  });
  const path = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('script did not name its tty')), 10_000);
    const check = () => {
      const text = bytes.toString('latin1');
      const match = /^(\/dev\/pts\/\d+)\n/.exec(text);
      if (!match) return;
      clearTimeout(timer);
      listeners.delete(check);
      headerLength = match[0].length;
      done(match[1]!);
    };
    listeners.add(check);
    child.once('exit', (code) => fail(new Error(`script exited with ${code}`)));
  });
  const received = () => bytes.subarray(headerLength);
  return {
    path,
    received,
    waitFor: (n, timeoutMs = 5000) =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`only ${received().length} of ${n} bytes reached ${path}`));
        }, timeoutMs);
        const check = () => {
          if (received().length < n) return;
          clearTimeout(timer);
          listeners.delete(check);
          done(received());
        };
        listeners.add(check);
        check();
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
