import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { TtlCache } from './datahub.cache.ts';

const counting = () => {
  const loads: string[] = [];
  const load = (key: string) => async () => {
    loads.push(key);
    return `${key}@${loads.length}`;
  };
  return { loads, load };
};

describe('TtlCache', () => {
  it('answers from memory within the TTL and loads again once it expired', async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<string>(clock, 10, 5_000);
    const { loads, load } = counting();
    expect(await cache.through('a', load('a'))).toBe('a@1');
    clock.advance(4_999);
    expect(await cache.through('a', load('a'))).toBe('a@1');
    clock.advance(1);
    expect(await cache.through('a', load('a'))).toBe('a@2');
    expect(loads).toEqual(['a', 'a']);
  });

  it('keeps at most `max` entries, dropping the least recently used', async () => {
    const cache = new TtlCache<string>(new ManualClock(), 2, 5_000);
    const { loads, load } = counting();
    await cache.through('a', load('a'));
    await cache.through('b', load('b'));
    await cache.through('a', load('a')); // a is now the most recent
    await cache.through('c', load('c')); // drops b
    expect(cache.size).toBe(2);
    await cache.through('a', load('a'));
    await cache.through('b', load('b'));
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('shares one load between concurrent misses and does not keep a failed one', async () => {
    const cache = new TtlCache<string>(new ManualClock(), 10, 5_000);
    const { loads, load } = counting();
    const [x, y] = await Promise.all([cache.through('a', load('a')), cache.through('a', load('a'))]);
    expect([x, y, loads.length]).toEqual(['a@1', 'a@1', 1]);
    await expect(cache.through('z', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.through('z', load('z'))).toBe('z@2');
  });

  it('does not keep a value whose load was under way when it was invalidated', async () => {
    const cache = new TtlCache<string>(new ManualClock(), 10, 5_000);
    let release: (v: string) => void = () => {};
    const stale = cache.through('a', () => new Promise<string>((r) => (release = r)));
    cache.invalidate(['a']);
    release('old');
    expect(await stale).toBe('old'); // answered to whoever asked before the change …
    expect(await cache.through('a', async () => 'new')).toBe('new'); // … but not kept
    cache.invalidate();
    expect(await cache.through('a', async () => 'newer')).toBe('newer');
  });
});
