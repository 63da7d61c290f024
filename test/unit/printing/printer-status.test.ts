import { describe, expect, it } from 'vitest';
import {
  asbBytes,
  conditionFromAsb,
  conditionFromRealtime,
  isOffline,
  type PrinterCondition,
  READY_CONDITION,
  realtimeStatusByte,
  StatusReplyReader,
  stateOf,
  transmitStatusByte,
} from '../../../electron/services/printing/printer-status.ts';

const ready = READY_CONDITION;
const realtime = (c: PrinterCondition): number[] => [1, 2, 3, 4].map((n) => realtimeStatusByte(n, c));

describe('ESC/POS status bytes (Epson manual layout)', () => {
  it('DLE EOT 1-4 of a ready printer carry only the fixed bits 1 and 4', () => {
    expect(realtime(ready)).toEqual([0x12, 0x12, 0x12, 0x12]);
    expect(conditionFromRealtime(realtime(ready))).toEqual(ready);
  });

  it('each fault is reported where the manual puts it and read back the same', () => {
    const faults: [Partial<PrinterCondition>, number[]][] = [
      // DLE EOT 1 offline bit 3; 2 paper-end stop bit 5; 4 paper end bits 5-6.
      [{ paperOut: true }, [0x1a, 0x32, 0x12, 0x72]],
      // DLE EOT 2 cover open bit 2.
      [{ coverOpen: true }, [0x1a, 0x16, 0x12, 0x12]],
      // DLE EOT 2 error bit 6; DLE EOT 3 autocutter error bit 3.
      [{ cutterError: true }, [0x1a, 0x52, 0x1a, 0x12]],
      [{ unrecoverableError: true }, [0x1a, 0x52, 0x32, 0x12]],
      // Near end: still online; DLE EOT 4 bits 2-3.
      [{ paperNearEnd: true }, [0x12, 0x12, 0x12, 0x1e]],
      [{ drawerOpen: true }, [0x16, 0x12, 0x12, 0x12]],
    ];
    for (const [fault, bytes] of faults) {
      const c = { ...ready, ...fault };
      expect(realtime(c)).toEqual(bytes);
      expect(conditionFromRealtime(bytes)).toEqual(c);
      expect(conditionFromAsb(asbBytes(c))).toEqual(c);
    }
    expect(isOffline({ ...ready, paperNearEnd: true })).toBe(false);
    expect(stateOf({ ...ready, paperOut: true, coverOpen: true })).toBe('cover-open');
  });

  it('a reply that breaks the fixed bits is not a status', () => {
    expect(conditionFromRealtime([0x12, 0x12, 0x12, 0x41])).toBeNull();
    expect(conditionFromRealtime([0x12, 0x12, 0x12])).toBeNull();
  });

  it('GS r 1 reports paper end in bits 2-3 and near end in bits 0-1', () => {
    expect(transmitStatusByte(1, ready)).toBe(0);
    expect(transmitStatusByte(1, { ...ready, paperOut: true, paperNearEnd: true })).toBe(0x0f);
  });

  it('unasked automatic status back is told apart from real-time and GS r replies by its bit pattern', () => {
    const reader = new StatusReplyReader();
    const out = { ...ready, paperOut: true };
    // ASB (4 bytes, its last three look like GS r replies), then DLE EOT 4, then GS r 1, split anyhow.
    const stream = [...asbBytes(out), realtimeStatusByte(4, ready), transmitStatusByte(1, ready)];
    const replies = [
      ...reader.push(Uint8Array.from(stream.slice(0, 2))),
      ...reader.push(Uint8Array.from(stream.slice(2))),
    ];
    expect(replies).toEqual([
      { kind: 'asb', bytes: asbBytes(out) },
      { kind: 'realtime', byte: 0x12 },
      { kind: 'transmit', byte: 0x00 },
    ]);
    expect(reader.push(Uint8Array.from([0x92]))).toEqual([{ kind: 'stray', byte: 0x92 }]);
  });
});
