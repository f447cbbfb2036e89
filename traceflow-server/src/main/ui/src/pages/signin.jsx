// Sign in with a username and password (POST /auth/login); the server sets the refresh cookie.
import { useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { ErrorBox } from '../ui.jsx';

export function SignIn({ onSignedIn, notice }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(form.get('username'), form.get('password'));
      await onSignedIn();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">
          <span class="logo" aria-hidden="true" /> TraceFlow
        </h1>
        {notice && <p class="muted">{notice}</p>}
        <label>
          Username
          <input name="username" autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && <ErrorBox error={error} />}
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
