import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Bus, EnvelopeFor } from './bus.types.ts';
import { assertPattern, defineSubjects, mergeSubjects, subjectMatches } from './subjects.ts';
import { testSubjects } from './test-subjects.ts';

type M = typeof testSubjects;

describe('subject registry', () => {
  it('rejects malformed subject names and duplicate declarations', () => {
    expect(() => defineSubjects({ NoDots: z.string() })).toThrow(/invalid bus subject/);
    expect(() => defineSubjects({ 'a.*': z.string() })).toThrow(/invalid bus subject/);
    expect(() => mergeSubjects(testSubjects, defineSubjects({ 'test.tick': z.string() }))).toThrow(
      /declared twice/,
    );
  });

  it('matches subjects with NATS wildcard rules', () => {
    expect(subjectMatches('test.alert.*', 'test.alert.raised')).toBe(true);
    expect(subjectMatches('test.alert.*', 'test.alert.raised.x')).toBe(false);
    expect(subjectMatches('test.>', 'test.alert.raised')).toBe(true);
    expect(subjectMatches('test.>', 'test')).toBe(false);
    expect(subjectMatches('*.tick', 'test.tick')).toBe(true);
    expect(subjectMatches('test.tick', 'test.tock')).toBe(false);
    expect(() => assertPattern('test.>.x')).toThrow();
    expect(() => assertPattern('test..x')).toThrow();
  });

  it('infers the handler envelope of a pattern as the union of the matching subjects', () => {
    type Alerts = EnvelopeFor<M, 'test.alert.*'>;
    expectTypeOf<Alerts['subject']>().toEqualTypeOf<'test.alert.raised' | 'test.alert.cleared'>();
    type Raised = EnvelopeFor<M, 'test.alert.raised'>;
    expectTypeOf<Raised['payload']>().toEqualTypeOf<{ deviceId: string; level: number }>();
    type Cleared = EnvelopeFor<M, 'test.alert.cleared'>;
    expectTypeOf<Cleared['payload']['at']>().toEqualTypeOf<Date>();
    type All = EnvelopeFor<M, 'test.>'>;
    expectTypeOf<All['subject']>().toEqualTypeOf<'test.alert.raised' | 'test.alert.cleared' | 'test.tick'>();
    expectTypeOf<EnvelopeFor<M, 'other.*'>>().toBeNever();
    // Checked by tsc, never run: a pattern that matches no registered subject does not compile.
    const compileOnly = (bus: Bus<M>) => {
      // @ts-expect-error no registered subject matches this pattern
      void bus.subscribe('other.*', { group: 'g', owner: 'o' }, () => {});
      void bus.subscribe('test.*', { group: 'g', owner: 'o' }, (e) => {
        expectTypeOf(e.subject).toEqualTypeOf<'test.tick'>();
      });
    };
    expect(compileOnly).toBeTypeOf('function');
  });
});
