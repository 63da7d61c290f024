import { closeSync, constants, lstatSync, openSync, realpathSync, type Stats, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, isAbsolute, posix } from 'node:path';
import { TaquillaError } from '../../../shared/errors.ts';
import type { PrinterTargetProblem } from '../../../shared/schemas/printing.ts';

/**
 * Where a printer's bytes may be written on this PC. A supervisor types the device path, so the
 * terminal must never become a way to write into an arbitrary file or device:
 * - a `device` target is a printer's device file: a USB printer (/dev/usb/lp0), a parallel port
 *   (/dev/lp0), a serial port (/dev/ttyUSB0, /dev/ttyACM0, /dev/ttyS0), a Bluetooth serial port
 *   (/dev/rfcomm0), named directly or through the links udev keeps for serial devices
 *   (/dev/serial/by-id/…, /dev/serial/by-path/…) that resolve to one of those. On Linux the device's
 *   own number must be of that class too, so a console, a terminal session, the kernel log, a
 *   watchdog or /dev/mem is refused whatever it is called. On Windows a COM or LPT port. It is never
 *   created.
 * - on a training store only, two things that print nowhere real, for practice and tests:
 *   a pseudo-terminal (/dev/pts/N) that belongs to this user, and a `file` target (an ESC/POS capture,
 *   *.prn or *.escpos): a plain file with one name, this user's, in a folder reached without links
 *   that others cannot swap files in.
 * The rule is checked when the settings are saved (API and CLI) and again on the open descriptor
 * each time a job is sent, since the path may be swapped in between.
 */
export interface PrinterTarget {
  kind: 'device' | 'file';
  path: string;
}

export interface TargetRules {
  /** The store's mode: only a training store may print into a file or a pseudo-terminal. */
  training: boolean;
  platform?: NodeJS.Platform;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NOCTTY = constants.O_NOCTTY ?? 0;
const CAPTURE_NAME = /^[^.].*\.(prn|escpos)$/i;
const WINDOWS_PORT = /^(\\\\\.\\)?(COM[1-9]\d{0,2}|LPT[1-9])$/i;
const STICKY = 0o1000;

/** A printer's device file, as the kernel names it. */
const PRINTER_DEVICE = /^\/dev\/(?:usb\/lp\d+|lp\d+|tty(?:USB|ACM|S)\d+|rfcomm\d+)$/;
/** The links udev keeps to serial devices: followed, as long as they end at a printer's device. */
const SERIAL_LINK = /^\/dev\/serial\/by-(?:id|path)\/[^/]+$/;
/** A pseudo-terminal's device: a training store's test printer only. */
const PSEUDO_TERMINAL = /^\/dev\/pts\/\d+$/;

/**
 * Linux device numbers of printers (Documentation/admin-guide/devices.txt): parallel printers (6),
 * USB printers (180, minors 0–15; the rest of 180 are scanners and HID), serial ports ttyS (4,
 * minors 64–255; 0–63 are the virtual consoles), USB serial (188), USB modems/ACM (166), Bluetooth
 * RFCOMM (216).
 */
const LINUX_PRINTER_NUMBERS: readonly { major: number; minors?: readonly [number, number] }[] = [
  { major: 6 },
  { major: 180, minors: [0, 15] },
  { major: 4, minors: [64, 255] },
  { major: 188 },
  { major: 166 },
  { major: 216 },
];
/** Unix98 pseudo-terminal slaves (/dev/pts/N). */
const LINUX_PTY_MAJORS = [136, 143] as const;

const MESSAGES: Record<PrinterTargetProblem, string> = {
  missing: 'there is nothing at this path',
  relative: 'a printer path starts at the root (/dev/...)',
  'not-a-device': 'not a character device (the device file of a USB or serial printer)',
  symlink: 'a symbolic link: name the device itself, or its link under /dev/serial/by-id',
  'not-a-printer':
    "not a printer's device (only USB, parallel, serial and Bluetooth ports: /dev/usb/lp0, /dev/ttyUSB0, ...)",
  'not-a-port': 'not a COM or LPT port (a shared printer is printer:NAME)',
  'file-live-store': 'printing into a file is for training stores only',
  'file-name': 'a capture file is named *.prn or *.escpos, its path written plainly',
  'file-not-plain': 'the capture file must be a plain file with one name, not a link or a folder',
  'file-folder': "the capture file's folder is reached through a link, or others can swap files in it",
  'file-owner': 'the capture file belongs to another user',
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

function currentUid(): number | null {
  return process.platform !== 'win32' && typeof process.getuid === 'function' ? process.getuid() : null;
}

/** Written the one plain way: absolute, no `.`/`..`, no doubled or trailing slash. */
function plainPath(path: string): boolean {
  return posix.normalize(path) === path && !path.endsWith('/');
}

/** A plain file with one name: what a capture file must be on disk. */
function plainFile(stats: Stats): boolean {
  return stats.isFile() && stats.nlink === 1;
}

/** Linux's major and minor device numbers of a device file (glibc's encoding of st_rdev). */
function deviceNumber(rdev: number): { major: number; minor: number } {
  const high = Math.floor(rdev / 2 ** 32);
  const low = rdev % 2 ** 32;
  return {
    major: ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0),
    minor: (low & 0xff) | ((low >>> 12) & 0xfff00),
  };
}

function linuxPrinterNumber(rdev: number): boolean {
  const { major, minor } = deviceNumber(rdev);
  return LINUX_PRINTER_NUMBERS.some(
    (c) => c.major === major && (!c.minors || (minor >= c.minors[0] && minor <= c.minors[1])),
  );
}

/**
 * Linux: whether a character device at `realPath` (links resolved) with device number `rdev` is a
 * printer's: a printer's name and a printer's device number, both.
 */
export function isPrinterDevice(realPath: string, rdev: number): boolean {
  return PRINTER_DEVICE.test(realPath) && linuxPrinterNumber(rdev);
}

function linuxPseudoTerminal(stats: Stats): boolean {
  const { major } = deviceNumber(stats.rdev);
  return major >= LINUX_PTY_MAJORS[0] && major <= LINUX_PTY_MAJORS[1];
}

/**
 * What kind of device the opened or resolved character device is, by its real path's name and (on
 * Linux) its device number: a printer, a training store's own pseudo-terminal, or neither.
 */
function deviceProblem(realPath: string, stats: Stats, rules: TargetRules): PrinterTargetProblem | null {
  if (!stats.isCharacterDevice()) return 'not-a-device';
  const linux = (rules.platform ?? process.platform) === 'linux';
  if (PRINTER_DEVICE.test(realPath)) return !linux || linuxPrinterNumber(stats.rdev) ? null : 'not-a-printer';
  const uid = currentUid();
  const ownPseudoTerminal =
    rules.training &&
    PSEUDO_TERMINAL.test(realPath) &&
    (!linux || linuxPseudoTerminal(stats)) &&
    (uid === null || stats.uid === uid);
  return ownPseudoTerminal ? null : 'not-a-printer';
}

/** The folder of a capture file: reached without links, this user's or root's, not open to others. */
function folderProblem(path: string): PrinterTargetProblem | null {
  const folder = dirname(path);
  let stats: Stats;
  try {
    if (realpathSync(folder) !== folder) return 'file-folder';
    stats = statSync(folder);
  } catch (error) {
    if (missing(error)) return 'missing';
    throw error;
  }
  const uid = currentUid();
  if (uid === null) return null;
  if (stats.uid !== uid && stats.uid !== 0) return 'file-folder';
  if ((stats.mode & 0o022) !== 0 && (stats.mode & STICKY) === 0) return 'file-folder';
  return null;
}

function captureFileProblem(stats: Stats): PrinterTargetProblem | null {
  if (!plainFile(stats)) return 'file-not-plain';
  const uid = currentUid();
  return uid !== null && stats.uid !== uid ? 'file-owner' : null;
}

/** What is wrong with the target as it is on disk now (null: acceptable), without changing anything. */
export function targetProblem(target: PrinterTarget, rules: TargetRules): PrinterTargetProblem | null {
  const { path } = target;
  if (target.kind === 'file') {
    if (!rules.training) return 'file-live-store';
    if (!isAbsolute(path)) return 'relative';
    if (!plainPath(path) || !CAPTURE_NAME.test(basename(path))) return 'file-name';
    const folder = folderProblem(path);
    if (folder) return folder;
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      // A capture file that is not there yet is created when the settings are saved or a job sent.
      if (missing(error)) return null;
      throw error;
    }
    return captureFileProblem(stats);
  }
  if ((rules.platform ?? process.platform) === 'win32') return WINDOWS_PORT.test(path) ? null : 'not-a-port';
  if (!isAbsolute(path)) return 'relative';
  if (!plainPath(path)) return 'not-a-printer';
  let real = path;
  let stats: Stats;
  try {
    stats = lstatSync(path);
    if (stats.isSymbolicLink()) {
      if (!SERIAL_LINK.test(path)) return 'symlink';
      real = realpathSync(path);
      stats = statSync(real);
    }
  } catch (error) {
    if (missing(error)) return 'missing';
    throw error;
  }
  return deviceProblem(real, stats, rules);
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
    if (code === 'EISDIR') throw refused(target.path, 'file-not-plain');
    throw error;
  }
}

/**
 * Send time: opens the target for writing and proves, on the open descriptor, that it is what the
 * rule allows, so a path swapped since the settings were saved gets nothing. Creates nothing (a
 * capture file is made when the settings are saved), never follows a link to a capture file.
 * Throws PRINTER_TARGET (nothing written).
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
      // Never created here: the settings made it (checkPrinterTarget), in a folder checked then.
      handle = await open(path, constants.O_WRONLY | constants.O_APPEND | O_NOFOLLOW);
    } else {
      const follow = windows || SERIAL_LINK.test(path);
      handle = await open(path, constants.O_WRONLY | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (missing(error)) throw refused(path, 'missing');
    if (code === 'ELOOP') throw refused(path, target.kind === 'file' ? 'file-not-plain' : 'symlink');
    if (code === 'EISDIR') throw refused(path, target.kind === 'file' ? 'file-not-plain' : 'not-a-device');
    throw error;
  }
  if (windows && target.kind === 'device') return handle;
  const stats = await handle.stat();
  let late: PrinterTargetProblem | null;
  if (target.kind === 'file') {
    // The folder once more: a link put in its place since the check would have been followed.
    late = captureFileProblem(stats) ?? folderProblem(path);
  } else {
    late = deviceProblem(SERIAL_LINK.test(path) ? realpathSync(path) : path, stats, rules);
  }
  if (late) {
    await handle.close();
    throw refused(path, late);
  }
  return handle;
}
