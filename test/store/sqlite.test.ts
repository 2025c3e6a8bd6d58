import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeContract } from './contract.js';

storeContract(
  'sqlite',
  async () => new SqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'ocpi-sqlite-')), 'contract.db')),
);
