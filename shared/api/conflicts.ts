import { z } from 'zod';
import {
  checkDecision,
  conflictDecisionFields,
  conflictOutcome,
  conflictView,
} from '../schemas/conflicts.ts';
import { defineMethod } from './define.ts';

const staff = ['cashier', 'supervisor'] as const;
const supervisorPin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');

/**
 * Refused offline sales and the supervisor's three ways out (issue 14). As with a void, the actor is
 * the signed-in staff member and a cashier's decision needs a supervisor's PIN.
 */
export const conflictsApi = {
  'conflicts.list': defineMethod({
    summary: 'Offline sales the central server refused (open ones; all: resolved too)',
    roles: staff,
    input: z.object({ all: z.boolean().default(false) }).strict(),
    output: z.array(conflictView),
  }),
  'conflicts.resolve': defineMethod({
    summary:
      "Settle a refused offline sale with a supervisor's PIN: move the customer (new seats sold and printed, old tickets voided), refund it in the tender used, or accept it at the server",
    roles: staff,
    input: z
      .object({
        conflictId: z.number().int().positive(),
        ...conflictDecisionFields,
        supervisorPin: supervisorPin.optional(),
      })
      .strict()
      .superRefine(checkDecision),
    output: conflictOutcome,
  }),
} as const;
