import { AppError } from '../../../platform/errors.ts';
import type { Connector } from '../connectors/index.ts';

interface Registered {
  connector: Connector;
  /** Catalogue resource id → the source's own resource id (default: the same id). */
  resources: Record<string, string>;
}

/** The connectors of the source systems, by source-system id (a catalogue resource's `sourceSystem`). */
export class ConnectorRegistry {
  private readonly sources = new Map<string, Registered>();

  /** Registers (or replaces, closing the old one) the connector of a source system. */
  async register(sourceSystem: string, connector: Connector, resources: Record<string, string> = {}) {
    const old = this.sources.get(sourceSystem);
    this.sources.set(sourceSystem, { connector, resources });
    if (old && old.connector !== connector) await old.connector.close().catch(() => undefined);
  }

  /** The connector and the source's resource id for a catalogue resource; source_unavailable when none is connected. */
  resolve(sourceSystem: string, resourceId: string): { connector: Connector; native: string } {
    const found = this.sources.get(sourceSystem);
    if (!found)
      throw new AppError('source_unavailable', `source '${sourceSystem}' is not connected`, {
        source: sourceSystem,
      });
    return { connector: found.connector, native: found.resources[resourceId] ?? resourceId };
  }

  /** The registered source-system ids. */
  list(): string[] {
    return [...this.sources.keys()];
  }

  /** Closes every connector (on app close). */
  async close(): Promise<void> {
    const all = [...this.sources.values()];
    this.sources.clear();
    await Promise.allSettled(all.map((r) => r.connector.close()));
  }
}
