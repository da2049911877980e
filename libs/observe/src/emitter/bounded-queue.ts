/**
 * A FIFO queue holding at most `capacity` items: adding to a full queue drops the oldest. Taking
 * from the front is O(1) amortized (the array is compacted now and then, not shifted per item).
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds `item` at the back; returns how many old items were dropped to make room (0 or 1). */
  push(item: T): number {
    let dropped = 0;
    if (this.length >= this.capacity) {
      this.head++;
      dropped = 1;
    }
    this.items.push(item);
    this.compact();
    return dropped;
  }

  /** Removes and returns up to `count` items from the front. */
  take(count: number): T[] {
    const taken = this.items.slice(this.head, this.head + count);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  /**
   * Puts `items` (taken earlier, so older than everything queued) back at the front, keeping the
   * newest within capacity; returns how many were dropped.
   */
  putBack(items: readonly T[]): number {
    const all = [...items, ...this.items.slice(this.head)];
    const dropped = Math.max(0, all.length - this.capacity);
    this.items = all.slice(dropped);
    this.head = 0;
    return dropped;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
