// The operator's secret (operator token or console password), kept in sessionStorage: gone when the tab closes,
// sent on every API call (the API is stateless, so any node of several answers).
const KEY = 'ocpi-console-secret';

export function getSecret(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setSecret(secret: string): void {
  sessionStorage.setItem(KEY, secret);
}

export function clearSecret(): void {
  sessionStorage.removeItem(KEY);
}
