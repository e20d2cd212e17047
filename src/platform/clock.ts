/** Source of the current time; injected so timers and rules can run on simulated time. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to, for tests and compressed-time simulation. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2025-11-20T08:00:00+08:00') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the clock to an absolute time. */
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
}
