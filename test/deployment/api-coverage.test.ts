import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, type MethodName } from '../../shared/api/index.ts';

/**
 * Methods that never reach the central server, whatever the terminal: they configure or ask this
 * counter's own printer, payment provider or PIN locks. Everything else a cashier or supervisor calls must run on an enrolled
 * counter somewhere in this suite.
 */
const LOCAL_ONLY: Partial<Record<MethodName, string>> = {
  'printer.status': 'the state of this counter’s own printer queue',
  'printer.settings.get': 'where this counter prints (its own printer settings)',
  'printer.settings.set': 'changes this counter’s own printer settings',
  'printer.testPage': 'prints a test page on this counter’s own printer, directly',
  'printer.interrupted.resolve': 'which jobs this counter’s own printer stopped on came out whole',
  'paymentProvider.get': 'this terminal’s own payment provider setting',
  'paymentProvider.set': 'changes this terminal’s own payment provider setting',
  'session.unlock': 'lifts a PIN lock kept by this terminal (PINs are the store’s own)',
};

/** Every `.call('method'` or `.attempt('method'` the deployment suite makes on an enrolled counter. */
function methodsCalledInSuite(): Set<string> {
  const dir = import.meta.dirname;
  const called = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(/\.(?:call|attempt)\(\s*'([a-zA-Z.]+)'/g)) called.add(match[1]!);
  }
  return called;
}

describe('the deployment suite covers the whole terminal API', () => {
  it('every method of the API table runs on an enrolled counter (or is a named local-only one)', () => {
    const called = methodsCalledInSuite();
    const missing = (Object.keys(api) as MethodName[]).filter((m) => !called.has(m) && !(m in LOCAL_ONLY));
    expect(missing).toEqual([]);
  });

  it('the local-only list names real methods that the suite does not call anyway', () => {
    const called = methodsCalledInSuite();
    for (const method of Object.keys(LOCAL_ONLY)) {
      expect(Object.hasOwn(api, method)).toBe(true);
      expect(called.has(method)).toBe(false);
    }
  });
});
