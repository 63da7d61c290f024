import { z } from 'zod';
import {
  cashMovementInput,
  cashShift,
  closeShiftInput,
  drawerState,
  openShiftInput,
} from '../schemas/day-closing.ts';
import { id } from '../schemas/reservations.ts';
import { defineMethod } from './define.ts';

/**
 * The cash drawer and printing the X and Z reports (issue 16). As elsewhere, no input says who is
 * calling: the handler takes the staff member from the signed-in session; each staff member keeps
 * their own drawer.
 */
const staff = ['cashier', 'supervisor'] as const;
const supervisorPin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');

export const cashDrawerApi = {
  'drawer.state': defineMethod({
    summary: "The staff member's drawer (open, or closed and not yet in a Z) and today's business day",
    roles: staff,
    /** A supervisor may look at anyone's drawer; a cashier sees their own. */
    input: z.object({ staffId: id.optional() }).strict(),
    output: drawerState,
  }),
  'drawer.open': defineMethod({
    summary: 'Open my cash drawer with the float counted into it, in dollars and bolívares',
    roles: staff,
    input: openShiftInput.omit({ staff: true, actor: true }),
    output: cashShift,
  }),
  'drawer.move': defineMethod({
    summary:
      "Cash into (paid-in) or out of (paid-out) my open drawer, with a reason; a cashier's paid-out needs a supervisor's PIN",
    roles: staff,
    input: cashMovementInput
      .omit({ staff: true, actor: true, approvedBy: true })
      .extend({ supervisorPin: supervisorPin.optional() }),
    output: cashShift,
  }),
  'drawer.close': defineMethod({
    summary: 'Close my drawer with the cash counted per currency: expected, counted and over/short are kept',
    roles: staff,
    input: closeShiftInput.omit({ staff: true, actor: true }),
    output: cashShift,
  }),
  'reports.print': defineMethod({
    summary:
      'Print on the receipt printer (through the print queue): a stored Z by its number (a reprint is COPIA n), or the open X',
    roles: staff,
    input: z.object({ number: z.number().int().positive().optional(), staffId: id.optional() }).strict(),
    output: z.object({ jobId: z.number().int(), copy: z.number().int() }),
  }),
} as const;
