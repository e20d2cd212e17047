import { AppError } from '../errors.ts';
import { BaseBus, type BusDeps, type ResolvedOptions } from './base.bus.ts';
import type { DeadLetter, Envelope, RawPublisher, Subscription } from './bus.types.ts';
import type { Delivery, Dispatcher } from './dispatch.ts';
import { Fifo } from './fifo.ts';
import { type SubjectMap, subjectMatches } from './subjects.ts';

/** One consumer group in memory: a bounded queue its members pull from, like a JetStream durable. */
class Group {
  readonly queue = new Fifo<Delivery>();
  readonly members: Dispatcher[] = [];
  private next = 0;
  private scheduled = false;
  private spaceWaiters: (() => void)[] = [];
  readonly name: string;
  readonly pattern: string;
  private readonly capacity: number;

  constructor(name: string, pattern: string, capacity: number) {
    this.name = name;
    this.pattern = pattern;
    this.capacity = capacity;
  }

  hasRoom(): boolean {
    return this.queue.length < this.capacity;
  }

  /** Resolves once the queue has room: this is the back-pressure a fast publisher feels. */
  waitForRoom(): Promise<void> {
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    this.schedule();
  }

  /** Delivers on a later turn of the event loop: handlers never run inside `publish`. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Hands queued messages to members round-robin, as far as their room goes. */
  private pump(): void {
    const count = this.members.length;
    let idle = 0;
    while (this.queue.length > 0 && count > 0 && idle < count) {
      const member = this.members[this.next++ % count]!;
      let room = member.room();
      if (room === 0) {
        idle++;
        continue;
      }
      idle = 0;
      while (room-- > 0 && this.queue.length > 0) member.push(this.queue.shift()!);
    }
    if (this.hasRoom()) for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  /** Wakes blocked publishers for good (the group is gone). */
  release(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }
}

/**
 * The embedded bus: same semantics as JetStream (groups share, at-least-once with retry and
 * dead letters) within one process, without durability: what is queued dies with the process.
 */
export class MemoryBus<M extends SubjectMap> extends BaseBus<M> implements RawPublisher {
  readonly kind = 'memory' as const;
  private readonly groups = new Map<string, Group>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly capacity: number;

  constructor(deps: BusDeps<M>, queueCapacity = 10_000) {
    super(deps);
    this.capacity = queueCapacity;
  }

  async publishRaw(subject: string, body: unknown): Promise<void> {
    await this.route(subject, body);
  }

  protected async send(envelopes: Envelope[]): Promise<void> {
    for (const envelope of envelopes) await this.route(envelope.subject, envelope);
  }

  /** Queues a message in every group whose pattern matches, waiting while a group is full. */
  private async route(subject: string, body: unknown): Promise<void> {
    for (const group of this.groups.values()) {
      if (!subjectMatches(group.pattern, subject)) continue;
      while (!group.hasRoom() && this.isLive(group)) await group.waitForRoom();
      if (this.isLive(group)) group.enqueue(this.delivery(group, subject, body, 1));
    }
  }

  private isLive(group: Group): boolean {
    return this.groups.get(group.name) === group;
  }

  protected async open(
    pattern: string,
    options: ResolvedOptions,
    dispatcher: Dispatcher,
  ): Promise<Subscription> {
    let group = this.groups.get(options.group);
    if (group && group.pattern !== pattern) {
      throw new AppError(
        'conflict',
        `group '${options.group}' already consumes '${group.pattern}', not '${pattern}'`,
      );
    }
    if (!group) {
      group = new Group(options.group, pattern, this.capacity);
      this.groups.set(options.group, group);
    }
    const g = group;
    g.members.push(dispatcher);
    dispatcher.onRoom = () => g.schedule();
    g.schedule();
    return {
      group: options.group,
      owner: options.owner,
      pattern,
      stop: async () => {
        const at = g.members.indexOf(dispatcher);
        if (at < 0) return;
        g.members.splice(at, 1);
        // The last member takes the group with it at once, so no publisher waits on a dead queue.
        if (g.members.length === 0) this.dropGroup(g);
        const unstarted = await dispatcher.stop();
        if (!this.isLive(g)) return;
        // Unstarted messages go back to the front of the group for the other members.
        for (let i = unstarted.length - 1; i >= 0; i--) g.queue.unshift(unstarted[i]!);
        g.schedule();
      },
    };
  }

  protected async storeDeadLetter(_letter: DeadLetter): Promise<void> {
    // Nothing to store in memory: the dead letter is logged, counted and announced by the caller.
  }

  protected async shutdown(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const group of this.groups.values()) this.dropGroup(group);
  }

  private dropGroup(group: Group): void {
    if (!this.isLive(group)) return;
    this.groups.delete(group.name);
    const dropped = group.queue.drain().length;
    group.release();
    // Unlike a JetStream durable, an in-memory group does not outlive its last member.
    if (dropped > 0)
      this.deps.logger.warn({ group: group.name, dropped }, 'bus group stopped with queued messages');
  }

  private delivery(group: Group, subject: string, body: unknown, attempt: number): Delivery {
    return {
      subject,
      attempt,
      body: () => body,
      text: () => JSON.stringify(body) ?? String(body),
      ack: () => {},
      terminate: () => {},
      retry: (delayMs) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.isLive(group)) group.enqueue(this.delivery(group, subject, body, attempt + 1));
        }, delayMs);
        this.timers.add(timer);
      },
    };
  }
}
