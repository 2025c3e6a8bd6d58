// The `ocpi-sessions` command line as a user meets it: --help of every command, --version, suggestions for
// mistyped commands and options, usage errors on stderr with exit code 2 and nothing on stdout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCliAsync } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { tempDb } from '../support/server.js';

const SERVER_OPTIONS = [
  '--db',
  '--port',
  '--host',
  '--public-url',
  '--max-limit',
  '--default-limit',
  '--log-level',
  '--push-backoff-ms',
  '--push-max-backoff-ms',
  '--push-concurrency',
  '--push-max-in-flight',
  '--push-pause-after',
  '--push-lease-ms',
  '--rate-limit',
  '--request-timeout-ms',
  '--body-limit',
  '--deny-private-peers',
];
const SERVER_ENV = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'MAX_LIMIT',
  'LOG_LEVEL',
  'RATE_LIMIT',
  'REQUEST_TIMEOUT_MS',
];

/** Every command, with the options (and environment variables) its help must name. */
const COMMANDS: Array<[command: string[], options: string[], env?: string[]]> = [
  [['serve'], SERVER_OPTIONS, [...SERVER_ENV, 'BODY_LIMIT', 'DENY_PRIVATE_PEERS', 'DATABASE_URL']],
  [['start'], SERVER_OPTIONS, [...SERVER_ENV, 'DATABASE_URL']],
  [['demo'], ['--db', '--sessions', '--seed', '--emsp', '--now']],
  [['import'], ['<file>', '--db', '--format', '--emsp', '--cpo', '--json']],
  [
    ['partners', 'add'],
    ['--db', '--country-code', '--party-id', '--format', '--role', '--token', '--json'],
  ],
  [
    ['check'],
    [
      '[url]',
      '--token',
      '--db',
      '--partner',
      '--version',
      '--role',
      '--party',
      '--write',
      '--format',
      '--out',
      '--max-requests',
      '--since',
      '--pace-ms',
      '--timeout-ms',
      '--slow-ms',
      '--max-response-bytes',
    ],
  ],
  [
    ['partners', 'list'],
    ['--db', '--json'],
  ],
  [
    ['partners', 'remove'],
    ['[CC-PID]', '--db', '--country-code', '--party-id'],
  ],
  [
    ['partners', 'invite'],
    ['--db', '--public-url', '--json'],
  ],
  [
    ['party', 'set'],
    ['--db', '--country-code', '--party-id', '--role', '--name', '--website'],
  ],
  [
    ['party', 'show'],
    ['--db', '--json'],
  ],
  [
    ['register'],
    ['<versions-url>', '--db', '--token', '--public-url', '--version', '--json', '--deny-private-peers'],
  ],
  [['migrate'], ['--db']],
  [['ingest-token'], ['--db']],
  [
    ['pull'],
    [
      '--db',
      '--partner',
      '--url',
      '--token',
      '--since',
      '--until',
      '--page-size',
      '--version',
      '--json',
      '--cpo',
      '--emsp',
      '--margin-seconds',
      '--timeout-ms',
      '--retries',
      '--retry-base-ms',
      '--retry-max-ms',
      '--retry-budget-ms',
      '--progress-interval',
      '--camel-enums',
    ],
  ],
  [['export'], ['--db', '--partner', '--emsp', '--since', '--until', '--format', '--out']],
  [['outbox'], ['--db', '--json']],
  [['schema'], ['[object]', '--version', '--format']],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('ocpi-sessions usage', () => {
  it('--help of every command exits 0 and names its options, environment variables and an example', async () => {
    const results = await Promise.all(COMMANDS.map(([command]) => runCliAsync([...command, '--help'])));
    COMMANDS.forEach(([command, options, env = []], i) => {
      const r = results[i]!;
      const name = command.join(' ');
      assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
      assert.equal(r.stderr, '', name);
      assert.match(r.stdout, new RegExp(`^Usage: ocpi-sessions ${escape(name)} `), name);
      for (const option of options)
        assert.match(r.stdout, new RegExp(`\\s${escape(option)}[\\s,]`), `${name} --help names ${option}`);
      const text = r.stdout.replace(/\s+/g, ' '); // as read, whatever the line wrapping
      for (const variable of env)
        assert.match(text, new RegExp(`env: ${variable}\\b`), `${name}: ${variable}`);
      assert.match(
        r.stdout,
        new RegExp(`\\nExamples:\\n {2}\\$ .*ocpi-sessions ${escape(name)} `),
        `${name} --help has an example`,
      );
    });
    // Defaults are shown with the environment variable that overrides them.
    const [serve, start] = results.map((r) => r.stdout.replace(/\s+/g, ' '));
    assert.match(serve!, /\(default: 8080, env: PORT\)/);
    assert.match(serve!, /\(default: 1048576, env: BODY_LIMIT\)/);
    assert.match(start!, /default: \.\/data\/ocpi-sessions\.db/);
  });

  it('the help of a command with subcommands, and `help <command>`, list what there is', async () => {
    const [partners, party, root, helpServe] = await Promise.all([
      runCliAsync(['partners', '--help']),
      runCliAsync(['party', '--help']),
      runCliAsync(['--help']),
      runCliAsync(['help', 'serve']),
    ]);
    for (const r of [partners, party, root, helpServe]) assert.equal(r.status, 0, r.stderr);
    for (const sub of ['add', 'list', 'remove', 'invite'])
      assert.match(partners.stdout, new RegExp(`\\n {2}${sub} `));
    for (const sub of ['set', 'show']) assert.match(party.stdout, new RegExp(`\\n {2}${sub} `));
    for (const [command] of COMMANDS) assert.match(root.stdout, new RegExp(`\\n {2}${command[0]} `));
    assert.match(helpServe.stdout, /^Usage: ocpi-sessions serve /);
  });

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const r = await runCliAsync([flag]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    }
  });

  it('an unknown or missing command: exit 2, a suggestion on stderr, nothing on stdout', async () => {
    const [unknown, unknownSub, none] = await Promise.all([
      runCliAsync(['sevre', '--db', 'x.db']),
      runCliAsync(['partners', 'lst']),
      runCliAsync([]),
    ]);
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /unknown command 'sevre'/);
    assert.match(unknown.stderr, /did you mean serve\?/i);
    assert.equal(unknownSub.status, 2);
    assert.equal(unknownSub.stdout, '');
    assert.match(unknownSub.stderr, /did you mean list\?/i);
    assert.equal(none.status, 2, 'no command is a usage error');
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^Usage: ocpi-sessions /, 'the help, on stderr');
  });

  it('an unknown option: exit 2 with a suggestion; pull --version is the pull option, not the program version', async () => {
    const db = tempDb();
    const [serve, pull, exp, version] = await Promise.all([
      runCliAsync(['serve', '--db', db, '--prot', '8080']),
      runCliAsync(['pull', '--db', db, '--partner', 'NL-OCS', '--retry', '3']),
      runCliAsync(['export', '--db', db, '--jsno']),
      runCliAsync(['pull', '--db', db, '--partner', 'NL-OCS', '--version', '9.9']),
    ]);
    for (const [r, option, suggestion] of [
      [serve, '--prot', '--port'],
      [pull, '--retry', '--retries'],
    ] as const) {
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`unknown option '${option}'`));
      assert.match(r.stderr, new RegExp(`did you mean ${suggestion}\\?`, 'i'));
    }
    assert.equal(exp.status, 2);
    assert.match(exp.stderr, /unknown option '--jsno'/);
    assert.equal(version.status, 2);
    assert.equal(version.stdout, '', 'not the program version');
    assert.match(version.stderr, /'9\.9' is invalid\. Allowed choices are 2\.1\.1, 2\.2\.1/);
    assert.equal(existsSync(db), false, 'a usage error creates no database');
  });

  it('usage errors of the commands themselves: stderr, exit 2, nothing on stdout, no database created', async () => {
    const db = tempDb();
    const cases: Array<[string[], RegExp]> = [
      [['demo', '--db', db, '--emsp', 'nonsense'], /--emsp: 'nonsense' is not a party/],
      [['demo', '--db', db, '--sessions', 'many'], /--sessions must be a non-negative integer, got 'many'/],
      [['demo', '--db', db, '--now', 'tomorrow'], /--now must be a date and time/],
      [['serve', '--db', db, '--port'], /option '--port <n>' argument missing/],
      [['serve', '--db', db, '--port', 'http'], /--port must be a non-negative integer/],
      [['import', '--db', db], /missing required argument 'file'/],
      [['import', '--db', db, path.join(path.dirname(db), 'none.json')], /cannot read .*none\.json/],
      [
        ['party', 'set', '--db', db, '--country-code', 'NLD', '--party-id', 'OCS'],
        /--country-code must be 2 letters/,
      ],
      [
        ['register', '--db', db, 'http://127.0.0.1:1/ocpi/versions'],
        /required option '--token <token>' not specified/,
      ],
      [
        ['partners', 'add', '--db', db, '--party-id', 'EMS'],
        /required option '--country-code <CC>' not specified/,
      ],
      [['export', '--db', db, '--format', 'xml'], /Allowed choices are ndjson, csv/],
      [['schema', 'session', '--format', 'xml'], /Allowed choices are ocpi, camel/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCliAsync(args)));
    cases.forEach(([args, message], i) => {
      const r = results[i]!;
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.match(
        r.stderr,
        /\(see 'ocpi-sessions [a-z -]+ --help'\)/,
        `${args.join(' ')} points to its help`,
      );
    });
    assert.equal(existsSync(db), false, 'a usage error creates no database');
  });
});
