// The login page: an operator token (`ocpi-sessions operator-token`) or the console password. Checked against the
// API (whoami) before it is kept in sessionStorage; a partner's token is refused there by the server.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import { setSecret } from '../auth.js';

export function Login(props: { onLogin: () => void }) {
  const [secret, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const value = secret.trim();
    if (!value) return setError('Enter an operator token or the console password.');
    setBusy(true);
    setError(undefined);
    try {
      await api.whoami(value);
      setSecret(value);
      props.onLogin();
    } catch (err) {
      setError(
        err instanceof ApiError && (err.httpStatus === 401 || err.httpStatus === 403)
          ? 'Refused: this is not an operator token or the console password.'
          : `The server did not answer as expected (${err instanceof Error ? err.message : String(err)}).`,
      );
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" class="login">
      <h1>ocpi-sessions console</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'login-error' : undefined}>
        <label for="secret">Operator token or console password</label>
        <input
          id="secret"
          name="secret"
          type="password"
          autocomplete="current-password"
          value={secret}
          onInput={(e) => setValue(e.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          required
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p class="hint">
        Make an operator token with <code>ocpi-sessions operator-token --db &lt;file&gt;</code>. It is kept in
        this tab only, until you log out or close it.
      </p>
    </main>
  );
}
