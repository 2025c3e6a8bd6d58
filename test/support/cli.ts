// Runs the real `ocpi-sessions` command (compiled) as a child process.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cliPath } from './paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** runCli without blocking this process: for commands that call a server running in the test process. */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
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

/** Starts a long-running command and resolves once its stdout matches `ready`. */
export function startCli(args: string[], ready: RegExp, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } });
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
