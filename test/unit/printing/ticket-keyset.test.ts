import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base64UrlEncode,
  formatTicketCode,
  payloadBytes,
  type TicketCodePayload,
} from '../../../shared/printing/ticket-code.ts';
import { KEYSET_FORMAT, type KeysetKey, type TicketKeyset } from '../../../shared/schemas/keyset.ts';
import { verifyAtDoor } from '../../../electron/services/printing/ticket-keyset.ts';

const T0 = Date.UTC(2026, 10, 29, 20, 0, 0);

function counterKey(keyId: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = base64UrlEncode(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  const code = (ticketNumber: string, training = false) => {
    const payload: TicketCodePayload = {
      keyId,
      ticketNumber,
      eventId: 1,
      place: 'PLA-A-5',
      transactionPrefix: 'abcdef12',
      ...(training ? { training: true as const } : {}),
    };
    const signed = payloadBytes(payload);
    return formatTicketCode(signed, sign(null, signed, privateKey));
  };
  return { raw, code };
}

const caja1 = counterKey('caja1-old');
const caja1New = counterKey('caja1-new');
const caja2 = counterKey('caja2-key');

function key(keyId: string, publicKey: string, more: Partial<KeysetKey> = {}): KeysetKey {
  return {
    keyId,
    publicKey,
    credentialId: 2,
    terminal: 'Caja 1',
    validFrom: T0,
    retiredAt: null,
    terminalRevokedAt: null,
    ...more,
  };
}

const keyset: TicketKeyset = {
  format: KEYSET_FORMAT,
  tenantId: 1,
  generatedAt: T0 + 60_000,
  keys: [
    key('caja1-old', caja1.raw, { retiredAt: T0 + 1000 }),
    key('caja1-new', caja1New.raw),
    key('caja2-key', caja2.raw, {
      credentialId: 3,
      terminal: 'Caja 2',
      terminalRevokedAt: T0 + 5000,
      issuedBeforeRevocation: ['0000200'],
    }),
  ],
  revoked: [{ ticketNumber: '0000101', reason: 'refunded', at: T0 + 2000, transactionId: 'tx-1' }],
};

describe('a door checks a code against the venue keyset, offline', () => {
  it("a retired key's tickets stay VALID; the active key's too", () => {
    expect(verifyAtDoor(caja1.code('0000100'), keyset)).toMatchObject({
      verdict: 'VALID',
      key: { keyId: 'caja1-old', terminal: 'Caja 1', retired: true },
    });
    expect(verifyAtDoor(caja1New.code('0000102'), keyset).verdict).toBe('VALID');
  });

  it('a revoked ticket is REVOKED with its reason and time, however its number is written', () => {
    expect(verifyAtDoor(caja1New.code('0000101'), keyset)).toMatchObject({
      verdict: 'REVOKED',
      revocation: { reason: 'refunded', at: T0 + 2000 },
    });
    expect(verifyAtDoor(caja1New.code('101'), keyset).verdict).toBe('REVOKED');
  });

  it("a revoked counter's key verifies what the server recorded from it, and nothing else", () => {
    expect(verifyAtDoor(caja2.code('0000200'), keyset).verdict).toBe('VALID');
    expect(verifyAtDoor(caja2.code('0000201'), keyset).verdict).toBe('KEY_REVOKED');
  });

  it('UNKNOWN_KEY, BAD_SIGNATURE, TRAINING and NOT_A_TICKET are refusals', () => {
    expect(verifyAtDoor(counterKey('stranger').code('0000100'), keyset).verdict).toBe('UNKNOWN_KEY');
    // Caja 2's signature under Caja 1's key id: the key is the venue's, the signature is not its.
    const [, signature] = caja2.code('0000100').split('.');
    const [signed] = caja1New.code('0000100').split('.');
    expect(verifyAtDoor(`${signed}.${signature}`, keyset).verdict).toBe('BAD_SIGNATURE');
    expect(verifyAtDoor(caja1New.code('0000103', true), keyset).verdict).toBe('TRAINING');
    expect(verifyAtDoor('hello', keyset).verdict).toBe('NOT_A_TICKET');
  });
});
