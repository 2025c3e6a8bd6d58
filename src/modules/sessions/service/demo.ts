// Use case: seed deterministic demo data (sessions over the given eMSPs) into a store.
import type { SessionStore } from '../../../store/contract.js';
import { generateDemoSessions } from '../../../demo/demo-data.js';
import { writeSessions } from './writer.js';

export interface SeedOptions {
  sessions: number;
  seed: number;
  emsps: { countryCode: string; partyId: string }[];
  cpo: { countryCode: string; partyId: string };
  now?: number;
  batchSize?: number;
  onProgress?: (written: number) => void;
}

export async function seedDemo(store: SessionStore, o: SeedOptions): Promise<number> {
  const size = o.batchSize ?? 2000;
  let batch = [];
  let written = 0;
  const now = o.now ?? Math.floor(Date.now() / 1000) * 1000;
  for (const s of generateDemoSessions({
    count: o.sessions,
    seed: o.seed,
    emsps: o.emsps,
    cpo: o.cpo,
    now,
  })) {
    batch.push(s);
    if (batch.length >= size) {
      await writeSessions(store, batch, { mode: 'replace' }, 'demo');
      written += batch.length;
      batch = [];
      o.onProgress?.(written);
    }
  }
  if (batch.length) await writeSessions(store, batch, { mode: 'replace' }, 'demo');
  return written + batch.length;
}
