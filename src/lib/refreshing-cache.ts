/**
 * A value loaded on first use and kept, for lists read on every request that change
 * rarely (sources, filtered endpoints). `invalidate` after a write in this process makes
 * the next read wait for a fresh load; a value older than `maxAgeMs` (changed, perhaps, by
 * another instance) is still answered at once while a reload runs in the background. A
 * load begun before an invalidate is never kept: it may have read the old rows.
 */
export class RefreshingCache<T> {
  private value: T | undefined;
  private loadedAt = 0;
  private loading: Promise<T> | undefined;
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    /** Told of a background reload that failed; the old value is kept meanwhile. */
    private readonly onBackgroundError: (error: unknown) => void = () => {},
    private readonly clock: () => number = Date.now,
  ) {}

  /** The value, loading it first when there is none. */
  get(): Promise<T> | T {
    if (this.value === undefined) return this.reload();
    if (this.clock() - this.loadedAt > this.maxAgeMs && this.loading === undefined) {
      this.reload().catch(this.onBackgroundError);
    }
    return this.value;
  }

  /** The value as last loaded, without waiting; undefined before the first load. */
  peek(): T | undefined {
    return this.value;
  }

  invalidate(): void {
    this.generation++;
    this.value = undefined;
    this.loading = undefined;
  }

  private reload(): Promise<T> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = this.load().then(
      (value) => {
        if (generation === this.generation) {
          this.value = value;
          this.loadedAt = this.clock();
        }
        if (this.loading === loading) this.loading = undefined;
        return value;
      },
      (error: unknown) => {
        if (this.loading === loading) this.loading = undefined;
        throw error;
      },
    );
    this.loading = loading;
    return loading;
  }
}
