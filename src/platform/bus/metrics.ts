import { Counter, type Registry } from 'prom-client';
import type { BusStats } from './bus.types.ts';

type Event = keyof BusStats;

/**
 * Counts what the bus does: plain numbers for `stats()`, and Prometheus counters when a
 * registry is given (one bus per registry, since metric names are registered once).
 */
export class BusMetrics {
  private readonly counts: BusStats = { published: 0, delivered: 0, acked: 0, retried: 0, deadLettered: 0 };
  private readonly counter?: Counter<'event' | 'group'>;

  constructor(registry?: Registry) {
    if (registry) {
      this.counter = new Counter({
        name: 'citybrain_bus_messages_total',
        help: 'Bus messages by event (published, delivered, acked, retried, deadLettered) and consumer group',
        labelNames: ['event', 'group'],
        registers: [registry],
      });
    }
  }

  /** Adds `n` to an event's count. */
  inc(event: Event, group: string, n = 1): void {
    this.counts[event] += n;
    this.counter?.inc({ event, group }, n);
  }

  /** A snapshot of the counts. */
  snapshot(): BusStats {
    return { ...this.counts };
  }
}
