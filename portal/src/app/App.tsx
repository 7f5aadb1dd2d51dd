// The portal's root: redeem a sign-in link (an authorization code in the address bar's fragment, removed
// at once), or restore this tab's session, or show the sign-in form; then load the subscription and the
// principal and render the shell.
import { useEffect, useMemo, useState } from 'react';
import { Spinner } from '@fluentui/react-components';
import { ApiClient } from '../api/client';
import { API_VERSIONS, type Subscription } from '../api/arm-types';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { Session, type PrincipalInfo } from '../auth/session';
import { SignIn } from '../auth/SignIn';
import { PlainErrorBar } from '../components/ErrorBar';
import { PortalContext, type PortalContextValue } from './context';
import { Shell } from './Shell';

/** The sign-in link's parameters (`#code=...&client_id=...`), taken out of the address bar before anything else runs. */
function takeSignInLink(): { code: string; clientId: string } | undefined {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const code = fragment.get('code');
  const clientId = fragment.get('client_id');
  if (!code || !clientId) return undefined;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return { code, clientId };
}
const signInLink = takeSignInLink();
/** Redeemed once, at load (a code is single use; effects may run twice). */
const redemption = signInLink ? Session.fromAuthorizationCode(window.location.origin, signInLink.clientId, signInLink.code) : undefined;

type State =
  | { kind: 'signing-in' }
  | { kind: 'signed-out'; error?: AzureApiError }
  | { kind: 'loading'; session: Session }
  | { kind: 'ready'; value: PortalContextValue };

export function App() {
  const [state, setState] = useState<State>(() => {
    if (signInLink) return { kind: 'signing-in' };
    const session = Session.restore();
    return session ? { kind: 'loading', session } : { kind: 'signed-out' };
  });

  useEffect(() => {
    if (state.kind !== 'signing-in' || !redemption) return;
    redemption.then(
      (session) => setState({ kind: 'loading', session }),
      (e: unknown) => setState({ kind: 'signed-out', error: asAzureApiError(e) }),
    );
  }, [state.kind]);

  const session = state.kind === 'loading' ? state.session : undefined;
  useEffect(() => {
    if (!session) return;
    const api = new ApiClient(session);
    const signOut = () => { session.signOut(); setState({ kind: 'signed-out' }); };
    Promise.all([
      api.arm.list<Subscription>('/subscriptions', API_VERSIONS.subscriptions),
      session.principal(),
    ]).then(([subs, principal]: [Subscription[], PrincipalInfo]) => {
      const subscription = subs[0];
      if (!subscription) throw new Error('The signed-in principal sees no subscription: it holds no role on one.');
      setState({ kind: 'ready', value: { api, subscription, principal, signOut } });
    }).catch((e: unknown) => { session.signOut(); setState({ kind: 'signed-out', error: asAzureApiError(e) }); });
  }, [session]);

  const onSignedIn = useMemo(() => (s: Session) => setState({ kind: 'loading', session: s }), []);

  switch (state.kind) {
    case 'signing-in':
    case 'loading':
      return <main style={{ padding: 24 }}><Spinner label="Signing in" /></main>;
    case 'signed-out':
      return (
        <main style={{ padding: 24 }}>
          <PlainErrorBar error={state.error} />
          <SignIn onSignedIn={onSignedIn} />
        </main>
      );
    case 'ready':
      return <PortalContext.Provider value={state.value}><Shell /></PortalContext.Provider>;
  }
}
