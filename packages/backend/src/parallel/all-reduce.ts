import { BackendError } from '../errors';

/**
 * The shared memory of an all-reduce group: created once by {@link createAllReduceGroup} and sent
 * (structured clone keeps the `SharedArrayBuffer`s shared) to every member's thread.
 */
export interface AllReduceGroupHandle {
  /** Control words: generation, arrivals, abort flag. */
  readonly control: SharedArrayBuffer;
  /** One slot of `capacity` float32 values per member. */
  readonly data: SharedArrayBuffer;
  /** Members in the group. */
  readonly count: number;
  /** The largest vector one call may reduce. */
  readonly capacity: number;
}

const GENERATION = 0;
const ARRIVED = 1;
const ABORTED = 2;

/**
 * Creates the shared memory for `count` members that reduce vectors of at most `capacity` float32
 * values. Pass the handle to each member's {@link AllReduceMember}.
 */
export function createAllReduceGroup(count: number, capacity: number): AllReduceGroupHandle {
  if (!Number.isInteger(count) || count < 1) throw new BackendError('config', `all-reduce: count must be an integer >= 1, got ${count}`);
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new BackendError('config', `all-reduce: capacity must be an integer >= 1, got ${capacity}`);
  return { control: new SharedArrayBuffer(4 * 4), data: new SharedArrayBuffer(4 * count * capacity), count, capacity };
}

/**
 * Marks a group as aborted (for example because a member's thread died) and wakes every member
 * waiting in {@link AllReduceMember.allReduceMean}, which then throws instead of waiting forever.
 */
export function abortAllReduceGroup(handle: AllReduceGroupHandle): void {
  const control = new Int32Array(handle.control);
  Atomics.store(control, ABORTED, 1);
  Atomics.add(control, GENERATION, 1);
  Atomics.notify(control, GENERATION);
}

/**
 * One member of an all-reduce group: a synchronous, blocking mean over the members' vectors in
 * shared memory (`Atomics.wait`, so it runs in worker threads and in Node's main thread). Every
 * member computes the mean itself, summing the slots in member order in float64 and rounding once
 * to float32, so every member gets the same bits: replicas that apply the result stay identical.
 */
export class AllReduceMember {
  private readonly control: Int32Array;
  private readonly data: Float32Array;

  /**
   * @param handle - the group's shared memory
   * @param index - this member's index, 0 .. count - 1 (its slot)
   */
  constructor(
    private readonly handle: AllReduceGroupHandle,
    /** This member's index. */
    readonly index: number,
  ) {
    if (!Number.isInteger(index) || index < 0 || index >= handle.count) {
      throw new BackendError('config', `all-reduce: member index must be an integer in [0, ${handle.count}), got ${index}`);
    }
    this.control = new Int32Array(handle.control);
    this.data = new Float32Array(handle.data);
  }

  /** Members in the group. */
  get count(): number {
    return this.handle.count;
  }

  /**
   * Replaces `values` by the mean of every member's `values`. Every member must call it the same
   * number of times with vectors of the same length; it returns when all have.
   *
   * @throws BackendError when the vector exceeds the group's capacity or the group was aborted
   */
  allReduceMean(values: Float32Array): void {
    const { count, capacity } = this.handle;
    if (values.length > capacity)
      throw new BackendError('config', `all-reduce: ${values.length} values exceed the group's capacity ${capacity}`);
    if (count === 1) return;
    this.data.set(values, this.index * capacity);
    this.barrier();
    const n = values.length;
    const data = this.data;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < count; k++) s += data[k * capacity + i];
      values[i] = s / count;
    }
    // Nobody overwrites its slot for the next call before every member has read this one.
    this.barrier();
  }

  private barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.load(c, ABORTED)) throw this.aborted();
    if (Atomics.add(c, ARRIVED, 1) === this.handle.count - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) Atomics.wait(c, GENERATION, generation, 1000);
    if (Atomics.load(c, ABORTED)) throw this.aborted();
  }

  private aborted(): BackendError {
    return new BackendError('backend', `all-reduce: the group was aborted (another replica failed); member ${this.index} stops`);
  }
}
