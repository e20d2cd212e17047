import { Counter, type Registry } from 'prom-client';
import type { BusStats } from './bus.types.ts';

type Event = keyof BusStats;

const METRIC = 'citybrain_bus_messages_total';

/**
 * Counts what the bus does: plain numbers for `stats()`, and Prometheus counters when a
 * registry is given (buses sharing a registry share the counter).
 */
export class BusMetrics {
  private readonly counts: BusStats = { published: 0, delivered: 0, acked: 0, retried: 0, deadLettered: 0 };
  private readonly counter?: Counter<'event' | 'group'>;

  constructor(registry?: Registry) {
    if (registry) {
      // Several buses in one process (tests, CLI) share the registry's counter instead of re-registering it.
      const existing = registry.getSingleMetric(METRIC) as Counter<'event' | 'group'> | undefined;
      this.counter =
        existing ??
        new Counter({
          name: METRIC,
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
