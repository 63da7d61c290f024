import type { Catalog } from '../catalog.ts';
import { counter } from './counter.ts';
import { errors } from './errors.ts';
import { kiosk } from './kiosk.ts';
import { paper } from './paper.ts';
import { payments } from './payments.ts';
import { printing } from './printing.ts';
import { validation } from './validation.ts';

/** The English catalogue: every key of the Spanish one (the type says so). */
export const en: Catalog = { counter, payments, printing, kiosk, paper, errors, validation };
