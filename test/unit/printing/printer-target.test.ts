import { describe, expect, it } from 'vitest';
import { targetProblem } from '../../../electron/services/printing/printer-target.ts';
import { parsePrinterUri, printerUri } from '../../../shared/schemas/printing.ts';

describe('printer targets by rule (the disk is checked in test/integration/printing/printer-targets)', () => {
  it('on Windows a device is a COM or LPT port; anything else, a file path above all, is refused', () => {
    const win = { training: false, platform: 'win32' as const };
    for (const port of ['COM3', 'com12', '\\\\.\\COM10', 'LPT1']) {
      expect(targetProblem({ kind: 'device', path: port }, win)).toBeNull();
    }
    for (const path of ['C:\\Users\\caja\\.bashrc', 'COM0', 'COM3.txt', '\\\\server\\TM-T20', 'NUL']) {
      expect(targetProblem({ kind: 'device', path }, win)).toBe('not-a-port');
    }
  });

  it('a file target is refused on a live store before the disk is even looked at', () => {
    expect(targetProblem({ kind: 'file', path: '/tmp/x.prn' }, { training: false })).toBe('file-live-store');
    expect(targetProblem({ kind: 'file', path: 'x.prn' }, { training: true })).toBe('relative');
    expect(targetProblem({ kind: 'file', path: '/tmp/.x.prn' }, { training: true })).toBe('file-name');
    expect(targetProblem({ kind: 'file', path: '/tmp/x.txt' }, { training: true })).toBe('file-name');
  });

  it('the command line names a capture file file:PATH, and a bare path stays a device', () => {
    expect(parsePrinterUri('file:/tmp/caja.prn')).toEqual({ kind: 'file', path: '/tmp/caja.prn' });
    expect(printerUri({ kind: 'file', path: '/tmp/caja.prn' })).toBe('file:/tmp/caja.prn');
    expect(parsePrinterUri('/home/caja/.bashrc')).toEqual({ kind: 'device', path: '/home/caja/.bashrc' });
  });
});
