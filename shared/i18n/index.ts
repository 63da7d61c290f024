/** The message catalogue and the formats it uses (catalog.ts, formats.ts). */
export * from './catalog.ts';
export * from './formats.ts';
export * from './people.ts';
