// `ocpi-sessions operator-token --db <file> [--label L]`: prints a new operator token for the console (once: only
// its hash is kept). `--list`: the tokens' ids, labels and dates (never a token). `--revoke <id>`: stops one.
import { Option, type Command } from 'commander';
import {
  createOperatorToken,
  listOperatorTokens,
  revokeOperatorToken,
} from '../../service/console/operator-tokens.js';
import { action, dbFlag, dbOption, examples, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';

interface Values {
  db?: string;
  label?: string;
  list?: boolean;
  revoke?: string;
}

async function operatorToken(values: Values): Promise<number> {
  if (values.list && values.revoke !== undefined)
    throw new UsageError('--list and --revoke exclude each other');
  const store = await openDb(dbOption(values.db), { command: 'operator-token', create: false });
  try {
    if (values.list) {
      const all = await listOperatorTokens(store);
      for (const e of all) console.log(`${e.id}  ${e.createdAt}${e.label ? `  ${e.label}` : ''}`);
      if (all.length === 0) console.error('no operator tokens');
      return 0;
    }
    if (values.revoke !== undefined) {
      if (await revokeOperatorToken(store, values.revoke)) {
        console.error(`operator token ${values.revoke} revoked`);
        return 0;
      }
      console.error(`no operator token with id ${values.revoke} (see --list)`);
      return 1;
    }
    const { token, entry } = await createOperatorToken(store, values.label);
    console.log(token);
    console.error(`operator token ${entry.id} created; it is shown only now (only its hash is stored)`);
    return 0;
  } finally {
    await store.close();
  }
}

export function addOperatorTokenCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'operator-token',
    'print a new operator token for the console (serve --console); shown once, stored hashed',
  )
    .addOption(dbFlag('SQLite file (must exist) or postgres:// URL'))
    .addOption(new Option('--label <text>', 'who or what the token is for (shown by --list)'))
    .addOption(new Option('--list', 'list the operator tokens (ids, dates, labels; never the tokens)'))
    .addOption(new Option('--revoke <id>', 'revoke the operator token with this id (from --list)'))
    .action(action(operatorToken));
  examples(cmd, [
    "TOKEN=$(ocpi-sessions operator-token --db ./ocpi.db --label 'ops team')",
    'ocpi-sessions operator-token --db ./ocpi.db --list',
    'ocpi-sessions operator-token --db ./ocpi.db --revoke 1a2b3c4d',
  ]);
}
