import { z } from 'zod';
import {
  printedSale,
  printerSettings,
  printerSettingsPatch,
  printQueueStatus,
  reprintInput,
  reprintResult,
  resolveInterruptedInput,
  testPageResult,
} from '../schemas/printing.ts';
import { defineMethod } from './define.ts';

/**
 * Printing (issue 5). Each method maps to one call on PrintingService
 * (electron/services/printing/printing-service.ts); see docs/printing.md for the wiring.
 */
const empty = z.object({}).strict();
const staff = ['cashier', 'supervisor'] as const;

export const printingApi = {
  'printer.status': defineMethod({
    summary:
      'Printer state (paper out, cover open, cutter error, not answering, offline...), jobs waiting, jobs it stopped on',
    input: empty,
    output: printQueueStatus,
  }),
  'printer.settings.get': defineMethod({
    summary: 'Where and how this terminal prints: connection, printer type, paper width, code page',
    roles: staff,
    input: empty,
    output: printerSettings,
  }),
  'printer.settings.set': defineMethod({
    summary: 'Change the printer settings (a supervisor task); the queue retries at once',
    roles: ['supervisor'],
    input: printerSettingsPatch,
    output: printerSettings,
  }),
  'printer.testPage': defineMethod({
    summary: 'Print a test page now (accents, styles, QR, barcode) and say whether the printer confirmed it',
    roles: staff,
    input: empty,
    output: testPageResult,
  }),
  'printer.interrupted.resolve': defineMethod({
    summary:
      'The cashier says which jobs the printer stopped on came out whole; the others are reprinted marked COPIA',
    roles: staff,
    input: resolveInterruptedInput,
    output: reprintResult,
  }),
  'sales.printed': defineMethod({
    summary: 'What a sale printed (tickets, receipt, copies so far), found by its short number',
    roles: staff,
    input: z.object({ saleNumber: z.string().max(20) }).strict(),
    output: printedSale,
  }),
  'sales.reprint': defineMethod({
    summary:
      'Queue copies of a sale\'s tickets and/or receipt, marked "COPIA n", approved by a supervisor, audited',
    roles: staff,
    input: reprintInput,
    output: reprintResult,
  }),
};
