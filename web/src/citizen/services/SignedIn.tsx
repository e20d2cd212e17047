import { useTranslation } from 'react-i18next';
import { useLogout, useMe, useToken } from '../../api/queries.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import { LoginForm } from '../../shared/LoginForm.tsx';

/** Who is signed in, with a way out; the sign-in form instead when nobody is. */
export function SignedIn({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const token = useToken();
  const me = useMe();
  const logout = useLogout();
  if (!token)
    return (
      <section className="card svc-login">
        <LoginForm title={t('services.loginTitle')} subtitle={t('services.loginHint')} />
      </section>
    );
  if (me.isError) return <EmptyState title={t('services.meFailed')} />;
  return (
    <>
      <div className="card who">
        <p>
          {t('services.signedInAs', {
            name: me.data ? (me.data.user?.displayName ?? me.data.principal.name) : '…',
          })}
        </p>
        <button type="button" className="btn btn-secondary" onClick={logout}>
          {t('common.logout')}
        </button>
      </div>
      {children}
    </>
  );
}
