import { describe, expect, it } from 'vitest';
import { joinDashValues } from '../../../shared/cli-args.ts';

/** What both command lines do to `--option -value` before node's parseArgs reads it. */
describe('joinDashValues', () => {
  const options = {
    entity: { type: 'string' as const },
    minutes: { type: 'string' as const },
    force: { type: 'boolean' as const },
    help: { type: 'boolean' as const, short: 'h' },
  };

  it('reads a value that begins with one dash as the value: a negative number, a key id', () => {
    expect(joinDashValues(['--minutes', '-5'], options)).toEqual(['--minutes=-5']);
    expect(joinDashValues(['audit', '--entity', '-jS5K0sO', '--force'], options)).toEqual([
      'audit',
      '--entity=-jS5K0sO',
      '--force',
    ]);
  });

  it('leaves options as options: a short flag, a long option, a boolean option, and all after --', () => {
    expect(joinDashValues(['--entity', '-h'], options)).toEqual(['--entity', '-h']);
    expect(joinDashValues(['--entity', '--force'], options)).toEqual(['--entity', '--force']);
    expect(joinDashValues(['--force', '-x'], options)).toEqual(['--force', '-x']);
    expect(joinDashValues(['--entity', '-'], options)).toEqual(['--entity', '-']);
    expect(joinDashValues(['--', '--entity', '-x'], options)).toEqual(['--', '--entity', '-x']);
  });
});
