import { z } from 'zod';

/** Who is calling: the signed-in cashier or supervisor, a kiosk, or the terminal itself. */
export const ROLES = ['cashier', 'supervisor', 'kiosk'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One API method: its input and output schemas, and who may call it. The preload bridge, the IPC
 * handlers, the local HTTP routes and the renderer's client are all derived from the table of these
 * (./index.ts), so a wrong payload is refused the same way at every door.
 */
export interface ApiMethod<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  input: I;
  output: O;
  /** Roles allowed to call; omitted means any signed-in role. `public` methods need no sign-in. */
  roles?: readonly Role[];
  public?: boolean;
}

export function defineMethod<I extends z.ZodType, O extends z.ZodType>(
  method: ApiMethod<I, O>,
): ApiMethod<I, O> {
  return method;
}

/** What every transport sends back when a call is refused. */
export const apiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBody>;
