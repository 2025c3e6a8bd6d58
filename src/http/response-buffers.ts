// Reusable memory for large response bodies.
//
// A page of sessions is 100 KB – 2.5 MB. Allocated fresh for every response, such buffers are mmap'd and unmapped
// by the C allocator each time, and the kernel zero-fills every page again on first touch: measured on a
// limit=100 OCPI 2.1.1 page (240 KB), 450 000 page faults in 12 s and under half the throughput. Buffers here are
// handed back once the response has been flushed ('finish') and reused by later responses.

const MIN_SIZE = 64 * 1024;

export class ResponseBuffers {
  private readonly free = new Map<number, Buffer[]>(); // by capacity (a power of two)
  private kept = 0;

  /** @param maxKeptBytes memory kept for reuse at most (idle buffers beyond it are left to the GC) */
  constructor(private readonly maxKeptBytes = 32 * 1024 * 1024) {}

  /** A buffer of at least `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    const capacity = Math.max(MIN_SIZE, 2 ** Math.ceil(Math.log2(size)));
    const reused = this.free.get(capacity)?.pop();
    if (reused) {
      this.kept -= capacity;
      return reused;
    }
    return Buffer.allocUnsafeSlow(capacity);
  }

  /** Gives a buffer from acquire() back; the caller must not touch it afterwards. */
  release(buffer: Buffer): void {
    const capacity = buffer.buffer.byteLength;
    if (this.kept + capacity > this.maxKeptBytes) return;
    const list = this.free.get(capacity) ?? [];
    list.push(Buffer.from(buffer.buffer, 0, capacity));
    this.free.set(capacity, list);
    this.kept += capacity;
  }
}
