import type { z } from 'zod';
import type { ApiErrorBody } from '../../shared/api/define.ts';
import { type Api, api, type MethodName, type MethodOutput } from '../../shared/api/index.ts';
import { isTaquillaError, TaquillaError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validation.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import { storeFailure } from '../store/store-errors.ts';
import type { Terminal } from '../terminal.ts';

/** What a handler knows about the call: the terminal and who is calling (never from the input). */
export interface HandlerContext {
  terminal: Terminal;
  /** null only for `public` methods; the dispatcher refuses everything else without a session. */
  session: SignedInSession | null;
}

export type Handler<M extends MethodName> = (
  input: z.output<Api[M]['input']>,
  ctx: HandlerContext,
) => MethodOutput<M> | Promise<MethodOutput<M>>;

/** One handler per method of the table: a method without a handler is a type error. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** What a transport passes in: the method name, the raw payload, the session bearer token. */
export interface Call {
  method: string;
  input: unknown;
  sessionToken?: string | undefined;
}

export type Reply = { ok: true; result: unknown } | ({ ok: false } & ApiErrorBody);

export type Dispatch = (call: Call) => Promise<Reply>;

function isMethod(name: string): name is MethodName {
  return Object.hasOwn(api, name);
}

/**
 * The one door every transport (IPC, local HTTP) goes through: validate the input with the method's
 * schema, check the session and role, run the handler, validate its output, and turn errors into
 * values with codes. Status codes are the transport's business.
 */
export function createDispatcher(terminal: Terminal, handlers: Handlers, log = defaultLog): Dispatch {
  return async ({ method: name, input: raw, sessionToken }) => {
    try {
      if (!isMethod(name)) {
        throw new TaquillaError('UNKNOWN_METHOD', `There is no method '${name}'`, { method: name });
      }
      const method: Api[MethodName] = api[name];
      const session = terminal.sessions.resolve(sessionToken);
      const isPublic = 'public' in method && method.public === true;
      if (!isPublic && !session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
      const roles = 'roles' in method ? (method.roles as readonly string[] | undefined) : undefined;
      if (roles && session && !roles.includes(session.user.role)) {
        throw new TaquillaError('ROLE_NOT_ALLOWED', `${session.user.role} may not call ${name}`, {
          method: name,
          role: session.user.role,
          allowed: [...roles],
        });
      }
      const input = parseInput(method.input, raw ?? {});
      const handler = handlers[name] as (input: unknown, ctx: HandlerContext) => unknown;
      const result = await handler(input, { terminal, session });
      const checked = method.output.safeParse(result);
      if (!checked.success) {
        log(`taquilla api: ${name} returned a value outside its schema: ${checked.error.message}`);
        return internal();
      }
      return { ok: true, result: checked.data };
    } catch (error) {
      if (isTaquillaError(error)) {
        return {
          ok: false,
          error: {
            code: error.code,
            message: error.message,
            details: error.details,
          },
        };
      }
      const failure = storeFailure(error);
      if (failure) {
        // One line for the operator: the cause is the disk, not the code, so no stack trace.
        log(`taquilla api: ${name} refused: ${failure.code} (${(error as Error).message})`);
        return {
          ok: false,
          error: { code: failure.code, message: failure.message, details: failure.details },
        };
      }
      log(
        `taquilla api: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return internal();
    } finally {
      terminal.boundWal();
    }
  };
}

function internal(): Reply {
  return {
    ok: false,
    error: { code: 'INTERNAL', message: 'Internal error in the terminal' },
  };
}

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}
