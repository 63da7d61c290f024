/**
 * A strict checker of the bytes a job sends, written apart from the product's decoder (which is
 * lenient on purpose, like a printer): it refuses any command it does not know, and checks what a
 * real printer would silently get wrong.
 *
 * ESC/POS: starts with ESC @; one code page (ESC t 2, 16 or 19) chosen before any byte >= 0x80 and
 * never switched; every printed line fits the columns at its magnification (GS !); QR blocks well
 * formed (model, size, error level, store with the right length, then print) with a blank line
 * above and below; CODE128 with its quiet zones within the head's dots; ESC p complete; ends with a
 * cut. Star Line mode: starts with ESC @, selects a code page with ESC GS t, stores the QR data
 * (ESC GS y D) before printing it (ESC GS y P), lines fit, ends with a cut (ESC d).
 */
export interface CheckResult {
  errors: string[];
  /** The printed lines, as text (code page bytes shown as '#'). */
  lines: string[];
  qr: string[];
  barcodes: string[];
  drawerKicks: number;
}

const DOTS: Record<number, number> = { 48: 576, 42: 512, 32: 384 };

export function checkEscPos(bytes: Uint8Array, columns: number): CheckResult {
  const errors: string[] = [];
  const lines: string[] = [];
  const qr: string[] = [];
  const barcodes: string[] = [];
  let drawerKicks = 0;
  let codePage: number | null = null;
  let width = 1;
  let line = '';
  let lineWidth = 0;
  let qrStored: string | null = null;
  let qrParts = { model: false, size: false, level: false };
  let moduleWidth = 3;
  let lastPrintedWasBlank = true;
  let cut = false;
  let afterQr = false;
  const b = bytes;
  if (!(b[0] === 0x1b && b[1] === 0x40)) errors.push('the job does not start with ESC @');
  const endLine = (): void => {
    if (lineWidth > columns) errors.push(`line wider than ${columns} columns (${lineWidth}): "${line}"`);
    lines.push(line);
    lastPrintedWasBlank = line.length === 0;
    if (afterQr) {
      if (line.length > 0) errors.push('no blank line (quiet zone) under a QR code');
      afterQr = false;
    }
    line = '';
    lineWidth = 0;
  };
  let i = 0;
  const need = (n: number, what: string): boolean => {
    if (i + n > b.length) {
      errors.push(`${what} cut short at byte ${i}`);
      i = b.length;
      return false;
    }
    return true;
  };
  while (i < b.length) {
    const c = b[i]!;
    if (cut && !(c === 0x1b && b[i + 1] === 0x40)) {
      errors.push(`bytes after the cut at ${i}`);
      break;
    }
    if (c === 0x0a) {
      endLine();
      i += 1;
    } else if (c === 0x0b) {
      // VT: a line feed before the cut (node-thermal-printer).
      if (line) endLine();
      i += 1;
    } else if (c >= 0x20 && c !== 0x7f) {
      if (c >= 0x80 && codePage === null) errors.push(`byte 0x${c.toString(16)} before any code page`);
      line += c >= 0x80 ? '#' : String.fromCharCode(c);
      lineWidth += width;
      i += 1;
    } else if (c === 0x1b) {
      if (!need(2, 'ESC')) break;
      const f = b[i + 1]!;
      if (f === 0x40) i += 2;
      else if (f === 0x74) {
        if (!need(3, 'ESC t')) break;
        const n = b[i + 2]!;
        if (![2, 16, 19].includes(n)) errors.push(`unsupported code page ESC t ${n}`);
        if (codePage !== null && codePage !== n) errors.push(`code page switched from ${codePage} to ${n}`);
        codePage = n;
        i += 3;
      } else if ([0x61, 0x45, 0x2d, 0x64].includes(f)) {
        if (!need(3, `ESC ${String.fromCharCode(f)}`)) break;
        if (f === 0x64) for (let k = 0; k < b[i + 2]!; k++) endLine();
        i += 3;
      } else if (f === 0x21) {
        if (!need(3, 'ESC !')) break;
        width = b[i + 2]! & 0x20 ? 2 : 1;
        i += 3;
      } else if (f === 0x70) {
        if (!need(5, 'ESC p m t1 t2')) break;
        if (![0, 1, 48, 49].includes(b[i + 2]!)) errors.push('ESC p with a pin other than 2 or 5');
        drawerKicks += 1;
        i += 5;
      } else {
        errors.push(`unknown command ESC 0x${f.toString(16)} at ${i}`);
        i += 2;
      }
    } else if (c === 0x1d) {
      if (!need(2, 'GS')) break;
      const f = b[i + 1]!;
      if (f === 0x21) {
        if (!need(3, 'GS !')) break;
        width = ((b[i + 2]! >> 4) & 7) + 1;
        i += 3;
      } else if ([0x42, 0x48, 0x66, 0x68].includes(f)) {
        if (!need(3, 'GS')) break;
        i += 3;
      } else if (f === 0x77) {
        if (!need(3, 'GS w')) break;
        moduleWidth = b[i + 2]!;
        if (moduleWidth < 2 || moduleWidth > 6) errors.push(`GS w ${moduleWidth} out of 2-6`);
        i += 3;
      } else if (f === 0x56) {
        if (!need(3, 'GS V')) break;
        const m = b[i + 2]!;
        i += [65, 66].includes(m) ? 4 : 3;
        if (line) endLine();
        cut = true;
      } else if (f === 0x6b) {
        if (!need(4, 'GS k')) break;
        const m = b[i + 2]!;
        if (m !== 73) {
          errors.push(`barcode system ${m} (only CODE128, 73, is used)`);
          i += 3;
          continue;
        }
        const n = b[i + 3]!;
        if (!need(4 + n, 'GS k data')) break;
        const data = Buffer.from(b.subarray(i + 4, i + 4 + n)).toString('latin1');
        if (!/^\{[ABC]/.test(data)) errors.push('CODE128 data without its code set');
        const chars = data.length - 2;
        const dots = (11 * (chars + 3) + 2 + 20) * moduleWidth;
        if (dots > DOTS[columns]!) errors.push(`barcode ${dots} dots wide on a ${DOTS[columns]}-dot head`);
        barcodes.push(data.slice(2));
        i += 4 + n;
      } else if (f === 0x28) {
        if (!need(5, 'GS (')) break;
        const fn = b[i + 2]!;
        const size = b[i + 3]! + b[i + 4]! * 256;
        if (!need(5 + size, 'GS ( block')) break;
        const body = b.subarray(i + 5, i + 5 + size);
        if (fn !== 0x6b || body[0] !== 49) errors.push(`unknown GS ( ${fn} block`);
        else {
          const qfn = body[1]!;
          if (qfn === 65) {
            if (size !== 4 || ![49, 50].includes(body[2]!)) errors.push('QR model block malformed');
            qrParts.model = true;
          } else if (qfn === 67) {
            if (size !== 3 || body[2]! < 1 || body[2]! > 16) errors.push('QR size block malformed');
            qrParts.size = true;
          } else if (qfn === 69) {
            if (size !== 3 || body[2]! < 48 || body[2]! > 51) errors.push('QR error level block malformed');
            qrParts.level = true;
          } else if (qfn === 80) {
            if (body[2] !== 48) errors.push('QR store block malformed');
            qrStored = Buffer.from(body.subarray(3)).toString('latin1');
          } else if (qfn === 81) {
            if (qrStored === null) errors.push('QR printed before its data was stored');
            else if (!qrParts.model || !qrParts.size || !qrParts.level)
              errors.push('QR printed without model, size and level');
            else qr.push(qrStored);
            if (line) errors.push('QR printed in the middle of a line');
            if (!lastPrintedWasBlank) errors.push('no blank line (quiet zone) above a QR code');
            afterQr = true;
            qrStored = null;
            qrParts = { model: false, size: false, level: false };
          } else errors.push(`unknown QR function ${qfn}`);
        }
        i += 5 + size;
      } else {
        errors.push(`unknown command GS 0x${f.toString(16)} at ${i}`);
        i += 2;
      }
    } else if (c === 0x0d) i += 1;
    else {
      errors.push(`control byte 0x${c.toString(16)} at ${i}`);
      i += 1;
    }
  }
  if (!cut) errors.push('the job does not end with a cut');
  if (codePage === null) errors.push('no code page selected');
  return { errors, lines, qr, barcodes, drawerKicks };
}

export function checkStarLine(bytes: Uint8Array, columns: number): CheckResult {
  const errors: string[] = [];
  const lines: string[] = [];
  const qr: string[] = [];
  const barcodes: string[] = [];
  let drawerKicks = 0;
  let codePage: number | null = null;
  let width = 1;
  let line = '';
  let lineWidth = 0;
  let qrStored: string | null = null;
  let cut = false;
  const b = bytes;
  if (!(b[0] === 0x1b && b[1] === 0x40)) errors.push('the job does not start with ESC @');
  const endLine = (): void => {
    if (lineWidth > columns) errors.push(`line wider than ${columns} columns (${lineWidth}): "${line}"`);
    lines.push(line);
    line = '';
    lineWidth = 0;
  };
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x0a) {
      endLine();
      i += 1;
    } else if (c === 0x0d || c === 0x18) i += 1;
    else if (c >= 0x20 && c !== 0x7f) {
      if (c >= 0x80 && codePage === null) errors.push(`byte 0x${c.toString(16)} before any code page`);
      line += c >= 0x80 ? '#' : String.fromCharCode(c);
      lineWidth += width;
      i += 1;
    } else if (c === 0x1b) {
      const f = b[i + 1];
      if (f === 0x40 || f === 0x45 || f === 0x46 || f === 0x34 || f === 0x35) i += 2;
      else if (f === 0x2d) i += 3;
      else if (f === 0x69) {
        width = b[i + 3]! + 1;
        i += 4;
      } else if (f === 0x64) {
        if (line) endLine();
        cut = true;
        i += 3;
      } else if (f === 0x07) {
        drawerKicks += 1;
        i += 5;
      } else if (f === 0x62) {
        const end = b.indexOf(0x1e, i + 6);
        if (end < 0) {
          errors.push('barcode without its RS terminator');
          break;
        }
        barcodes.push(Buffer.from(b.subarray(i + 6, end)).toString('latin1'));
        i = end + 1;
      } else if (f === 0x1d) {
        const g = b[i + 2];
        if (g === 0x74) {
          const n = b[i + 3]!;
          if (![4, 32].includes(n)) errors.push(`unsupported Star code page ${n}`);
          if (codePage !== null && codePage !== n) errors.push('code page switched');
          codePage = n;
          i += 4;
        } else if (g === 0x61) i += 4;
        else if (g === 0x79) {
          const h = b[i + 3];
          if (h === 0x53) i += 6;
          else if (h === 0x44) {
            const n = b[i + 6]! + b[i + 7]! * 256;
            qrStored = Buffer.from(b.subarray(i + 8, i + 8 + n)).toString('latin1');
            i += 8 + n;
          } else if (h === 0x50) {
            if (qrStored === null) errors.push('QR printed before its data was stored (ESC GS y D)');
            else qr.push(qrStored);
            qrStored = null;
            i += 4;
          } else {
            errors.push(`unknown QR command at ${i}`);
            i += 4;
          }
        } else {
          errors.push(`unknown command ESC GS 0x${(g ?? 0).toString(16)} at ${i}`);
          i += 3;
        }
      } else {
        errors.push(`unknown command ESC 0x${(f ?? 0).toString(16)} at ${i}`);
        i += 2;
      }
    } else {
      errors.push(`control byte 0x${c.toString(16)} at ${i}`);
      i += 1;
    }
  }
  if (!cut) errors.push('the job does not end with a cut');
  if (codePage === null) errors.push('no code page selected');
  return { errors, lines, qr, barcodes, drawerKicks };
}
