// How the console shows dates, numbers and money: one place, so every page (and the tests) read them alike.

/** An ISO 8601 date-time (or epoch ms) as `YYYY-MM-DD HH:MM:SS` UTC; a dash for none. */
export function fmtTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A count or rate: integers as they are, others to one decimal. */
export function fmtNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function fmtKwh(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${Number(n.toFixed(3))} kWh`;
}

export function fmtMoney(amount: number | null | undefined, currency: string): string {
  return amount === null || amount === undefined ? '—' : `${amount.toFixed(2)} ${currency}`;
}

/** An age in seconds as e.g. `3 h 12 min`, `45 s`. */
export function fmtAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
