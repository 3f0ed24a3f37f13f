import { functionMeta, type FunctionTable } from "./functionTable.js";

/** Called with the functions whose known revision moved, so their cached results are stale. */
export type RevisionListener = (functions: ReadonlySet<string>) => void;

/**
 * What the client knows of revisions (`spec/PROTOCOL.md` §2.4): per function, from the
 * `rev` of responses, and per tag, from `GET /revisions`, mutations and (later) the live
 * channel. A function's revision is the sum of its tags' revisions. Revisions only grow,
 * so both sources are lower bounds of the truth and the larger one is the fresher.
 */
export class RevisionMap {
  readonly #table: FunctionTable;
  readonly #functions = new Map<string, number>();
  readonly #tags = new Map<string, number>();
  readonly #listeners = new Set<RevisionListener>();

  constructor(table: FunctionTable) {
    this.#table = table;
  }

  /** The revision to send as `rev` for `fn`, or `undefined` when nothing is known. */
  get(fn: string): number | undefined {
    const fromTags = this.#sumOfTags(fn);
    const seen = this.#functions.get(fn);
    if (fromTags === undefined) return seen;
    return seen === undefined ? fromTags : Math.max(seen, fromTags);
  }

  /** Tag revisions as last learned. */
  tags(): ReadonlyMap<string, number> {
    return this.#tags;
  }

  /** Records the `rev` a response carried for `fn`; listeners hear of it when it moved. */
  observe(fn: string, rev: number): void {
    if (!Number.isSafeInteger(rev) || rev < 0) return;
    const before = this.get(fn);
    const seen = this.#functions.get(fn);
    if (seen === undefined || rev > seen) this.#functions.set(fn, rev);
    if (before !== undefined && rev > before) this.#emit(new Set([fn]));
  }

  /**
   * Records tag revisions (`{tag: n}`), from `GET /revisions`, a purge or the live
   * channel, and tells listeners which functions went stale. A function of which only
   * some tags are known forgets its revision, so the next GET asks for the current one.
   */
  apply(revisions: Readonly<Record<string, number>>): ReadonlySet<string> {
    const moved = new Set<string>();
    for (const [tag, rev] of Object.entries(revisions)) {
      if (!Number.isSafeInteger(rev) || rev < 0) continue;
      const before = this.#tags.get(tag);
      if (before !== undefined && rev <= before) continue;
      this.#tags.set(tag, rev);
      // A first sighting counts too: it may be newer than a function's revision.
      moved.add(tag);
    }
    const stale = new Set<string>();
    if (moved.size === 0) return stale;
    for (const fn of new Set([...Object.keys(this.#table), ...this.#functions.keys()])) {
      const tags = this.#tagsOf(fn);
      if (!tags.some((tag) => moved.has(tag))) continue;
      const seen = this.#functions.get(fn);
      const fromTags = this.#sumOfTags(fn);
      if (fromTags === undefined) {
        // Part of the sum is unknown: what we had may be stale, and we cannot tell.
        if (seen !== undefined) {
          this.#functions.delete(fn);
          stale.add(fn);
        }
      } else if (seen === undefined || fromTags > seen) {
        stale.add(fn);
      }
    }
    if (stale.size > 0) this.#emit(stale);
    return stale;
  }

  subscribe(listener: RevisionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #tagsOf(fn: string): readonly string[] {
    return functionMeta(this.#table, fn)?.cache.tags ?? [fn];
  }

  #sumOfTags(fn: string): number | undefined {
    let sum = 0;
    for (const tag of this.#tagsOf(fn)) {
      const rev = this.#tags.get(tag);
      if (rev === undefined) return undefined;
      sum += rev;
    }
    return sum;
  }

  #emit(functions: ReadonlySet<string>): void {
    for (const listener of [...this.#listeners]) listener(functions);
  }
}
