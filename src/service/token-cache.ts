// Authentication of the sessions sender's GET from memory: the hot read path skips the token lookup, and stays
// exact across processes.
//
// A header's partner is remembered with the partners version of the lookup that found it. Every page read returns
// the partners version of its own snapshot (RenderedPage.partnersVersion; every change to partners bumps it, in any
// process: see the stores' partners_version). When the two differ, some partner changed somewhere since, and the
// header is checked against the store again before the page is served: a removed token is refused on its very next
// request, in every process, exactly as without a cache.
import type { SessionStore } from '../store/contract.js';
import { authenticate, type Authenticated } from './partners.js';

export class TokenCache {
  private readonly entries = new Map<string, Authenticated>();

  constructor(
    private readonly store: SessionStore,
    /** Only headers that authenticated are kept; past this many, the cache starts over. */
    private readonly maxEntries = 10_000,
  ) {}

  /** The header's partner if remembered (no store access). To be confirmed, see confirm(). */
  known(header: string | undefined): Authenticated | undefined {
    return header === undefined ? undefined : this.entries.get(header);
  }

  /** The header's partner: from memory when known, else from the store. To be confirmed, see confirm(). */
  async authenticate(header: string | undefined): Promise<Authenticated | undefined> {
    if (header === undefined) return undefined;
    const hit = this.entries.get(header);
    if (hit) return hit;
    const found = await authenticate(this.store, header);
    if (found) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(header, found);
    }
    return found;
  }

  /**
   * `auth` if it still holds at `partnersVersion` (read together with what is about to be served); otherwise the
   * header's current authentication from the store (undefined: refuse), after forgetting everything remembered.
   */
  async confirm(
    header: string | undefined,
    auth: Authenticated,
    partnersVersion: number | undefined,
  ): Promise<Authenticated | undefined> {
    if (partnersVersion !== undefined && partnersVersion === auth.partnersVersion) return auth;
    this.entries.clear();
    return this.authenticate(header);
  }
}
