import { z } from 'zod';
import { voidInput, voidPreview, voidPreviewInput, voidResult } from '../schemas/voids.ts';
import { defineMethod } from './define.ts';

const staff = ['cashier', 'supervisor'] as const;
const supervisorPin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');

/**
 * Voids and refunds (issue 16). As elsewhere, no input says who is calling: the voider is the
 * signed-in staff member; the approver is a supervisor by their PIN (a signed-in supervisor approves
 * their own void).
 */
export const voidsApi = {
  'sales.voidPreview': defineMethod({
    summary:
      'A sale or deposit by its number: its tickets (voided or not), what was paid and how, refunds so far',
    roles: staff,
    input: voidPreviewInput,
    output: voidPreview,
  }),
  'sales.void': defineMethod({
    summary:
      "Void a sale, some of its tickets, or a deposit before the event, with a reason and a supervisor's PIN; refunds in the tender used or the one chosen",
    roles: staff,
    input: voidInput
      .omit({ actor: true, approvedBy: true, terminal: true })
      .extend({ supervisorPin: supervisorPin.optional() }),
    output: voidResult,
  }),
} as const;
