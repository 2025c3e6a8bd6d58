// Runs the real `ocpi-sessions` command (compiled) as a child process.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cliPath, repoRoot } from './paths.js';

export interface CliResult {
  status: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the command to its end, blocking this process (so never for a command that calls a server of this one). */
export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The command as a child process, not waited for: `done` resolves when it ends (for killing it meanwhile). */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; done: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

/** runCli without blocking this process: for commands that call a server running in the test process. */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnCli(args, env).done;
}

/** runCli that must succeed (the test fails with the command's output if not); gives its stdout. */
export function cli(args: string[]): string {
  const r = runCli(args);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Like cli(), without blocking this process (needed when this process serves something the command calls). */
export async function cliAsync(args: string[]): Promise<string> {
  const r = await runCliAsync(args);
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `ocpi-sessions party set`: who the instance under test is (the test fails if the command does). */
export function setParty(db: string, party: string, role: string, name: string): void {
  const [countryCode, partyId] = party.split('-') as [string, string];
  const args = ['party', 'set', '--db', db, '--country-code', countryCode, '--party-id', partyId];
  const r = runCli([...args, '--role', role, '--name', name]);
  assert.equal(r.status, 0, `party set: ${r.stderr}${r.stdout}`);
}

/** `ocpi-sessions partners add` of an eMSP party with a given token (the test fails if the command does). */
export function addPartnerWithToken(db: string, party: string, token: string): void {
  const [countryCode, partyId] = party.split('-') as [string, string];
  const args = ['partners', 'add', '--db', db, '--country-code', countryCode, '--party-id', partyId];
  const r = runCli([...args, '--token', token]);
  assert.equal(r.status, 0, `partners add: ${r.stderr}${r.stdout}`);
}

/** Starts a long-running command and resolves once its stdout matches `ready` (run in `cwd` if given). */
export function startCli(args: string[], ready: RegExp, env: Record<string, string> = {}, cwd?: string) {
  return watchStarted(
    spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, cwd }),
    ready,
  );
}

/** `npm start -- <args>` in the repository, as a user runs it (prestart included); ready as for startCli. */
export function startNpmStart(args: string[], ready: RegExp) {
  return watchStarted(spawn('npm', ['start', '--', ...args], { cwd: repoRoot, env: process.env }), ready);
}

function watchStarted(child: ChildProcessWithoutNullStreams, ready: RegExp) {
  let stdout = '';
  let stderr = '';
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timeout waiting for ${ready}: ${stdout}${stderr}`)),
      60_000,
    );
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before ready: ${stdout}${stderr}`));
    });
  });
  return {
    child,
    started,
    output: () => stdout,
    errors: () => stderr,
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export interface Served {
  url: string;
  child: ChildProcess;
  pid: number;
  output: () => string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/** `ocpi-sessions serve` on a fixed port (so a restarted process is found at the same address). */
export async function serve(db: string, port: number, extra: string[] = []): Promise<Served> {
  const s = startCli(['serve', '--db', db, '--port', String(port), ...extra], /listening on (\S+)/);
  const url = /listening on (\S+)/.exec(await s.started)![1]!;
  return {
    url,
    child: s.child,
    pid: s.child.pid!,
    output: s.output,
    stop: s.stop,
    kill: () =>
      new Promise<void>((resolve) => {
        if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
        s.child.once('exit', () => resolve());
        s.child.kill('SIGKILL');
      }),
  };
}
