import { counter } from './counter.ts';
import { errors } from './errors.ts';
import { kiosk } from './kiosk.ts';
import { paper } from './paper.ts';
import { payments } from './payments.ts';
import { printing } from './printing.ts';
import { validation } from './validation.ts';

/** The Spanish (es-VE) catalogue, in sections: one per surface, the same keys in every language. */
export const es = { counter, payments, printing, kiosk, paper, errors, validation };
