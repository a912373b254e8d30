/**
 * The natural keys a file repeats, found among the staged rows' keys by sorting numbers: a
 * million keys are eight megabytes and a fraction of a second here, where a GROUP BY over the
 * staging table took a second of the database's time. Only the rows of a repeated key (usually
 * none) are then read back from the database for the rejection report.
 */
export class KeyLog {
  private keys = new Float64Array(1 << 16);
  private count = 0;

  add(more: Float64Array): void {
    if (this.count + more.length > this.keys.length) {
      const bigger = new Float64Array(Math.max(this.keys.length * 2, this.count + more.length));
      bigger.set(this.keys.subarray(0, this.count));
      this.keys = bigger;
    }
    this.keys.set(more, this.count);
    this.count += more.length;
  }

  /** The keys that occur more than once, each once. */
  repeated(): number[] {
    const sorted = this.keys.subarray(0, this.count).sort();
    const out: number[] = [];
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1] && out.at(-1) !== sorted[i]) out.push(sorted[i]!);
    return out;
  }
}
