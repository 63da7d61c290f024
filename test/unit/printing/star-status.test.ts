import { describe, expect, it } from 'vitest';
import {
  type PrinterCondition,
  READY_CONDITION,
  stateOf,
} from '../../../electron/services/printing/printer-status.ts';
import { StarLineDecoder } from '../../../electron/services/printing/star-line-decoder.ts';
import {
  type StarReply,
  StarStatusReader,
  starBlockLength,
  starHeader1,
  starStatusBytes,
  starStatusFrom,
} from '../../../electron/services/printing/star-status.ts';

const ready = READY_CONDITION;
const statuses = (replies: StarReply[]) => replies.flatMap((r) => (r.kind === 'status' ? [r.status] : []));
const strays = (replies: StarReply[]) => replies.flatMap((r) => (r.kind === 'stray' ? r.bytes : []));

describe('Star automatic status (STAR Line Mode Command Specifications, Appendix 2)', () => {
  it('header 1 gives the length in bits 1-3 and 5, with bit 0 set and bits 4 and 7 clear', () => {
    expect(starHeader1(7)).toBe(0x0f);
    expect(starHeader1(9)).toBe(0x23);
    expect(starBlockLength(0x0f)).toBe(7);
    expect(starBlockLength(0x23)).toBe(9);
    // XON, XOFF and bytes with bit 4 or 7 set are not a header.
    for (const b of [0x11, 0x13, 0x10, 0x93, 0x02, 0x00]) expect(starBlockLength(b)).toBeNull();
  });

  it('a ready printer: nine bytes, version 3, nothing set; on Ethernet header 2 bit 7 and a length of 0', () => {
    expect(starStatusBytes(ready, 0)).toEqual([0x23, 0x06, 0, 0, 0, 0, 0, 0, 0]);
    expect(starStatusBytes(ready, 0, { ethernet: true })).toEqual([0x23, 0x86, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(starStatusFrom(starStatusBytes(ready, 0))).toEqual({
      condition: ready,
      offline: false,
      etbCounter: 0,
      etbExecuted: false,
    });
  });

  it('each fault where the manual puts it, offline with it, and read back the same', () => {
    const faults: [Partial<PrinterCondition>, [number, number, number, number]][] = [
      // Status 1 bit 3 offline; status 4 bit 3 paper end.
      [{ paperOut: true }, [0x08, 0x00, 0x00, 0x08]],
      // Status 1 bit 5 cover open.
      [{ coverOpen: true }, [0x28, 0x00, 0x00, 0x00]],
      // Status 2 bit 3 autocutter error.
      [{ cutterError: true }, [0x08, 0x08, 0x00, 0x00]],
      // Status 2 bit 5 unrecoverable; bit 6 stopped by head temperature.
      [{ unrecoverableError: true }, [0x08, 0x20, 0x00, 0x00]],
      [{ autoRecoverableError: true }, [0x08, 0x40, 0x00, 0x00]],
      // Near end (inner sensor, status 4 bit 2): still online.
      [{ paperNearEnd: true }, [0x00, 0x00, 0x00, 0x04]],
      // Compulsion switch, status 1 bit 2.
      [{ drawerOpen: true }, [0x04, 0x00, 0x00, 0x00]],
    ];
    for (const [fault, [s1, s2, s3, s4]] of faults) {
      const c = { ...ready, ...fault };
      const bytes = starStatusBytes(c, 0);
      expect(bytes.slice(2, 6)).toEqual([s1, s2, s3, s4]);
      const read = starStatusFrom(bytes);
      expect(read.condition).toEqual(c);
      expect(read.offline).toBe((s1 & 0x08) !== 0);
    }
    expect(stateOf(starStatusFrom(starStatusBytes({ ...ready, paperOut: true }, 0)).condition)).toBe(
      'paper-out',
    );
    // The outer near-end sensor (status 4 bit 1) counts as near end too.
    expect(starStatusFrom([0x23, 0x06, 0, 0, 0, 0x02, 0, 0, 0]).condition.paperNearEnd).toBe(true);
    // Mechanical error (status 2 bit 2): a printer error.
    expect(stateOf(starStatusFrom([0x23, 0x06, 0x08, 0x04, 0, 0, 0, 0, 0]).condition)).toBe('error');
  });

  it('offline for a cause the block does not name is still not ready', () => {
    const s = starStatusFrom([0x23, 0x06, 0x08, 0, 0, 0, 0, 0, 0]);
    expect(s.offline).toBe(true);
    expect(stateOf(s.condition)).toBe('error');
  });

  it('the ETB counter: 5 bits in bits 1-3 and 5-6 of printer status 6, every value round-trips', () => {
    expect(starStatusBytes(ready, 1)[7]).toBe(0x02);
    expect(starStatusBytes(ready, 8)[7]).toBe(0x20);
    expect(starStatusBytes(ready, 31)[7]).toBe(0x6e);
    for (let n = 0; n < 32; n++) {
      const byte = starStatusBytes(ready, n)[7]!;
      expect(byte & 0x91).toBe(0);
      expect(starStatusFrom(starStatusBytes(ready, n)).etbCounter).toBe(n);
    }
    expect(starStatusFrom(starStatusBytes(ready, 3, { etbExecuted: true }))).toMatchObject({
      etbExecuted: true,
      etbCounter: 3,
    });
  });
});

describe('StarStatusReader: blocks found by their bits, never by the order expected', () => {
  it('reads a block split byte by byte, with and without the Ethernet length', () => {
    const reader = new StarStatusReader();
    const bytes = [
      ...starStatusBytes(ready, 5, { ethernet: true }),
      ...starStatusBytes({ ...ready, coverOpen: true }, 6),
    ];
    const out: StarReply[] = [];
    for (const b of bytes) out.push(...reader.push(Uint8Array.of(b)));
    expect(statuses(out).map((s) => [s.etbCounter, s.condition.coverOpen])).toEqual([
      [5, false],
      [6, true],
    ]);
    expect(strays(out)).toEqual([]);
  });

  it('skips the other status data an Ethernet interface appends (length high byte first)', () => {
    const block = starStatusBytes(ready, 2, { ethernet: true }).slice(0, 9);
    const extra = [0x30, 0x31, 0x3a, 0x42, 0x00, 0x01, 0x7f, 0x3b];
    const out = new StarStatusReader().push(
      Uint8Array.from([
        ...block,
        0x00,
        extra.length,
        ...extra,
        ...starStatusBytes(ready, 3, { ethernet: true }),
      ]),
    );
    expect(statuses(out).map((s) => s.etbCounter)).toEqual([2, 3]);
    expect(strays(out)).toEqual([]);
  });

  it('noise, XON/XOFF and a broken block are strays, never a status', () => {
    const good = starStatusBytes({ ...ready, paperOut: true }, 4);
    // A header, then a byte with bit 4 set: the block is broken and dropped whole.
    const broken = [0x23, 0x06, 0x10];
    const out = new StarStatusReader().push(Uint8Array.from([0x11, 0x13, 0xff, ...broken, 0x80, ...good]));
    expect(statuses(out)).toHaveLength(1);
    expect(statuses(out)[0]).toMatchObject({ etbCounter: 4, offline: true });
    expect(strays(out)).toEqual([0x11, 0x13, 0xff, 0x23, 0x06, 0x10, 0x80]);
    // A block cut short by the connection never completes.
    expect(statuses(new StarStatusReader().push(Uint8Array.from(good.slice(0, 8))))).toEqual([]);
  });
});

describe('Star Line decoder: status commands', () => {
  it('ESC ACK SOH, ETB, ESC RS E n, CAN and ESC RS a n are decoded as what they are', () => {
    const events = new StarLineDecoder().push(
      Uint8Array.from([
        0x1b, 0x06, 0x01, 0x17, 0x1b, 0x1e, 0x45, 0x00, 0x18, 0x1b, 0x1e, 0x61, 0x31, 0x1b, 0x1e, 0x46, 0x00,
      ]),
    );
    expect(events).toEqual([
      { kind: 'star-status-request' },
      { kind: 'etb' },
      { kind: 'etb-reset' },
      { kind: 'etb-reset' },
      { kind: 'asb-setting', n: 1 },
    ]);
  });
});
