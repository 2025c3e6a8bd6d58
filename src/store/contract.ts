// The one store contract. `sqlite/` and `postgres/` implement it and pass one shared contract test suite
// (test/store/contract.test.ts). Stores know nothing of wire formats beyond "one stored body per format".
import type { PageOf, PageQuery, SessionScope } from '../domain/page.js';
import type { Partner, PartnerFormat, Role } from '../domain/party.js';
import type { PartyKey, Session } from '../domain/session.js';
import type { WireFormat } from '../domain/wire-format.js';

/** A session as written: the canonical object, its visibility owner and one rendered body per wire format. */
export interface SessionRecord {
  session: Session;
  owner: PartyKey;
  renders: Record<WireFormat, string>;
}

export type PutOutcome = 'created' | 'updated' | 'stale';

export interface PutOptions {
  /** 'if-newer' refuses (outcome 'stale') to replace a stored session whose last_updated is later. */
  mode: 'replace' | 'if-newer';
}

export interface StoredSession {
  session: Session;
  owner: PartyKey;
}

export interface NewPartner {
  countryCode: string;
  partyId: string;
  roles: Role[];
  format: PartnerFormat;
  tokenHash: string;
}

export interface SessionStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or replaces sessions, keyed by (CPO country_code, party_id, id) case-insensitively, in one transaction. */
  putSessions(records: SessionRecord[], options: PutOptions): Promise<PutOutcome[]>;
  getSession(countryCode: string, partyId: string, id: string): Promise<StoredSession | undefined>;
  /** Every stored session in storage order after position `afterSeq` (0 = start), `limit` at a time: export/scans. */
  scanSessions(afterSeq: number, limit: number): Promise<Array<StoredSession & { seq: number }>>;
  /** One page of stored bodies in `format`, ordered by creation (first write) of each session. */
  listSessions(scope: SessionScope, query: PageQuery, format: WireFormat): Promise<PageOf<string>>;

  addPartner(partner: NewPartner): Promise<Partner>;
  findPartnerByTokenHash(tokenHash: string): Promise<(Partner & { tokenHash: string }) | undefined>;
  listPartners(): Promise<Partner[]>;
  removePartner(key: PartyKey): Promise<boolean>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
