import type { z } from 'zod';
import { TaquillaError } from './errors.ts';

/** Parses input with its schema; a bad payload becomes a VALIDATION error that names each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new TaquillaError('VALIDATION', `Invalid input: ${summary}`, { issues });
}
