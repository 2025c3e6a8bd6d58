// The console's API client: one typed function per endpoint of /console/api/, the operator's secret from the
// session (auth.ts) as a Bearer token on every call, the OCPI envelope unwrapped (a refusal becomes an ApiError).
import { clearSecret, getSecret } from '../auth.js';
import type {
  ConsoleEnvelope,
  ConsolePartner,
  Overview,
  PartnerAction,
  SessionList,
  SessionListQuery,
  SessionPage,
  Whoami,
} from '../../../src/domain/console-types.js';

export const API_BASE = '/console/api/';

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly ocpiStatus: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the server refuses the stored secret (401/403): the app goes back to the login page. */
let onRefused: () => void = () => {};
export function whenRefused(fn: () => void): void {
  onRefused = fn;
}

async function call<T>(
  path: string,
  init: { method?: string; body?: unknown; secret?: string } = {},
): Promise<T> {
  const secret = init.secret ?? getSecret();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (secret) headers.authorization = `Bearer ${secret}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(API_BASE + path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: 'no-store',
  });
  let envelope: Partial<ConsoleEnvelope<T>> | undefined;
  try {
    envelope = (await res.json()) as Partial<ConsoleEnvelope<T>>;
  } catch {
    envelope = undefined;
  }
  if (!res.ok || envelope?.status_code !== 1000) {
    if ((res.status === 401 || res.status === 403) && init.secret === undefined) {
      clearSecret();
      onRefused();
    }
    const why = envelope?.status_message ?? res.statusText ?? 'request failed';
    throw new ApiError(res.status, envelope?.status_code, `${res.status}: ${why}`);
  }
  return envelope.data as T;
}

function query(filter: SessionListQuery): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const seg = encodeURIComponent;

export const api = {
  /** Checks a secret before it is kept (the login page). */
  whoami: (secret?: string) => call<Whoami>('whoami', secret === undefined ? {} : { secret }),
  overview: () => call<Overview>('overview'),
  sessions: (filter: SessionListQuery) => call<SessionList>(`sessions${query(filter)}`),
  session: (countryCode: string, partyId: string, id: string) =>
    call<SessionPage>(`sessions/${seg(countryCode)}/${seg(partyId)}/${seg(id)}`),
  partners: () => call<ConsolePartner[]>('partners'),
  /** A partner action; the server requires the explicit confirmation in the body. */
  partnerAction: (key: string, action: PartnerAction) =>
    call<{ done: boolean } & Record<string, unknown>>(`partners/${seg(key)}/${action}`, {
      method: 'POST',
      body: { confirm: true },
    }),
};
