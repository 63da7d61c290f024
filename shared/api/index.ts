import type { z } from 'zod';
import { cashDrawerApi } from './cash-drawer.ts';
import { conflictsApi } from './conflicts.ts';
import { counterApi } from './counter.ts';
import { dashboardApi } from './dashboard.ts';
import type { ApiMethod } from './define.ts';
import { kioskApi } from './kiosk.ts';
import { leasesApi } from './leases.ts';
import { printingApi } from './printing.ts';
import { paymentsApi } from './payments.ts';
import { voidsApi } from './voids.ts';

/**
 * The table of every terminal API method, merged from one file per capability
 * (./reservations.ts, ./printing.ts, ./payments.ts, ...). Adding a method is one entry there and one
 * handler in electron/api/.
 */
export const api = {
  ...counterApi,
  ...paymentsApi,
  ...cashDrawerApi,
  ...dashboardApi,
  ...printingApi,
  ...kioskApi,
  ...voidsApi,
  ...leasesApi,
  ...conflictsApi,
} as const satisfies Record<string, ApiMethod>;

export type Api = typeof api;
export type MethodName = keyof Api;
export type MethodInput<M extends MethodName> = z.input<Api[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Api[M]['output']>;
