import { closeSync, constants, lstatSync, openSync, type Stats, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { TaquillaError } from '../../../shared/errors.ts';
import type { PrinterTargetProblem } from '../../../shared/schemas/printing.ts';

/**
 * Where a printer's bytes may be written on this PC. A supervisor types the device path, so the
 * terminal must never become a way to write into an arbitrary file:
 * - a `device` target is a character device (a USB or serial printer: /dev/usb/lp0, /dev/ttyUSB0),
 *   named directly or through a link kept by the system under /dev (/dev/serial/by-id/…); on
 *   Windows a COM or LPT port. It is never created.
 * - a `file` target (an ESC/POS capture, *.prn or *.escpos) exists only on a training store, and is a
 *   plain file with one name: not a symbolic link, not a hard link to another file.
 * The rule is checked when the settings are saved (API and CLI) and again on the open descriptor
 * each time a job is sent, since the path may be swapped in between.
 */
export interface PrinterTarget {
  kind: 'device' | 'file';
  path: string;
}

export interface TargetRules {
  /** The store's mode: only a training store may print into a file. */
  training: boolean;
  platform?: NodeJS.Platform;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NOCTTY = constants.O_NOCTTY ?? 0;
const CAPTURE_NAME = /^[^.].*\.(prn|escpos)$/i;
const WINDOWS_PORT = /^(\\\\\.\\)?(COM[1-9]\d{0,2}|LPT[1-9])$/i;

const MESSAGES: Record<PrinterTargetProblem, string> = {
  missing: 'there is nothing at this path',
  relative: 'a printer path starts at the root (/dev/...)',
  'not-a-device': 'not a character device (the device file of a USB or serial printer)',
  symlink: 'a symbolic link outside /dev: name the device itself',
  'not-a-port': 'not a COM or LPT port (a shared printer is printer:NAME)',
  'file-live-store': 'printing into a file is for training stores only',
  'file-name': 'a capture file is named *.prn or *.escpos',
  'file-not-plain': 'the capture file must be a plain file with one name, not a link',
};

function refused(path: string, problem: PrinterTargetProblem): TaquillaError<'PRINTER_TARGET'> {
  return new TaquillaError('PRINTER_TARGET', `Printer ${path}: ${MESSAGES[problem]}; nothing was written`, {
    path,
    problem,
  });
}

function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function underDev(path: string): boolean {
  return path.startsWith('/dev/') && !path.split('/').includes('..');
}

/** A plain file with one name: what a capture file must be on disk. */
function plainFile(stats: Stats): boolean {
  return stats.isFile() && stats.nlink === 1;
}

/** What is wrong with the target as it is on disk now (null: acceptable), without changing anything. */
export function targetProblem(target: PrinterTarget, rules: TargetRules): PrinterTargetProblem | null {
  const { path } = target;
  if (target.kind === 'file') {
    if (!rules.training) return 'file-live-store';
    if (!isAbsolute(path)) return 'relative';
    if (!CAPTURE_NAME.test(basename(path))) return 'file-name';
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      // A capture file that is not there yet is created when the settings are saved or a job sent.
      if (missing(error)) return null;
      throw error;
    }
    return plainFile(stats) ? null : 'file-not-plain';
  }
  if ((rules.platform ?? process.platform) === 'win32') return WINDOWS_PORT.test(path) ? null : 'not-a-port';
  if (!isAbsolute(path)) return 'relative';
  let stats: Stats;
  try {
    stats = lstatSync(path);
    if (stats.isSymbolicLink()) {
      if (!underDev(path)) return 'symlink';
      stats = statSync(path);
    }
  } catch (error) {
    if (missing(error)) return 'missing';
    throw error;
  }
  return stats.isCharacterDevice() ? null : 'not-a-device';
}

/**
 * Settings time: throws PRINTER_TARGET when the terminal would refuse to print there. A capture file
 * that does not exist yet is created empty, 0600, so the saved settings point at a file that is ours.
 */
export function checkPrinterTarget(target: PrinterTarget, rules: TargetRules): void {
  const problem = targetProblem(target, rules);
  if (problem) throw refused(target.path, problem);
  if (target.kind !== 'file') return;
  try {
    closeSync(
      openSync(target.path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600),
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (missing(error)) throw refused(target.path, 'missing');
    throw error;
  }
}

/**
 * Send time: opens the target for writing and proves, on the open descriptor, that it is what the
 * rule allows, so a path swapped since the settings were saved gets nothing. Never creates a device
 * file, never follows a link to a capture file. Throws PRINTER_TARGET (nothing written).
 */
export async function openPrinterTarget(target: PrinterTarget, rules: TargetRules): Promise<FileHandle> {
  const { path } = target;
  const windows = (rules.platform ?? process.platform) === 'win32';
  // Checked before opening as well: opening a named pipe for writing would wait for a reader.
  const problem = targetProblem(target, rules);
  if (problem) throw refused(path, problem);
  let handle: FileHandle;
  try {
    if (target.kind === 'file') {
      handle = await open(
        path,
        constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW,
        0o600,
      );
    } else {
      const follow = windows || underDev(path);
      handle = await open(path, constants.O_WRONLY | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (missing(error)) throw refused(path, 'missing');
    if (code === 'ELOOP') throw refused(path, target.kind === 'file' ? 'file-not-plain' : 'symlink');
    throw error;
  }
  if (windows && target.kind === 'device') return handle;
  const stats = await handle.stat();
  const sound = target.kind === 'file' ? plainFile(stats) : stats.isCharacterDevice();
  if (!sound) {
    await handle.close();
    throw refused(path, target.kind === 'file' ? 'file-not-plain' : 'not-a-device');
  }
  return handle;
}
