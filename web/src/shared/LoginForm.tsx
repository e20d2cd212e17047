import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { useLogin } from '../api/queries.ts';

/** Username and password sign-in; errors are announced. */
export function LoginForm({ title, subtitle }: { title: string; subtitle?: string }) {
  const { t } = useTranslation();
  const login = useLogin();
  const id = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMissing(!username.trim() || !password);
    if (username.trim() && password) login.mutate({ username: username.trim(), password });
  };
  const error = missing || login.error;
  const message = missing
    ? t('login.missing')
    : login.error instanceof ApiError && login.error.code === 'unauthenticated'
      ? t('login.wrongCredentials')
      : login.error instanceof ApiError && login.error.status === 400
        ? t('login.invalid')
        : login.error
          ? t('login.failed', { message: login.error.message })
          : '';

  return (
    <form className="login card" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h1 id={`${id}-title`}>{title}</h1>
      {subtitle ? <p className="muted">{subtitle}</p> : null}
      <label htmlFor={`${id}-user`}>{t('login.username')}</label>
      <input
        id={`${id}-user`}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <label htmlFor={`${id}-password`}>{t('login.password')}</label>
      <input
        id={`${id}-password`}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <p id={`${id}-error`} className="error" role="alert">
        {message}
      </p>
      <button type="submit" className="btn btn-primary" disabled={login.isPending}>
        {login.isPending ? t('login.signingIn') : t('login.submit')}
      </button>
    </form>
  );
}
