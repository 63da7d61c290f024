import { message } from './catalog.ts';
import type { Locale } from './formats.ts';

/**
 * Who did something, as a person reads it. Sales, payments and reports record an actor
 * (`cashier:Ana Cajera`, `supervisor:Luis`, `kiosk:Quiosco`): the role prefix is ours, not theirs.
 * A kiosk is "Quiosco" whatever it was named.
 */
export function actorName(locale: Locale, actor: string): string {
  if (actor.startsWith('kiosk:')) return message(locale, 'paper', 'kiosk');
  return actor.replace(/^[a-z]+:/, '');
}
