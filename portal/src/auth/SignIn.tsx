// Sign in with an application's client id and secret (client credentials); the admin signs in with the
// link `apim-local start` prints instead.
import { useState, type FormEvent } from 'react';
import { Button, Card, Field, Input, makeStyles, Text, Title2, tokens } from '@fluentui/react-components';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { PlainErrorBar } from '../components/ErrorBar';
import { Session } from './session';

const useStyles = makeStyles({
  card: { maxWidth: '440px', margin: '40px auto', padding: tokens.spacingHorizontalXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function SignIn({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const s = useStyles();
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await Session.fromClientSecret(window.location.origin, clientId.trim(), secret));
    } catch (err) {
      setError(asAzureApiError(err));
      setBusy(false);
    }
  };

  return (
    <Card className={s.card}>
      <Title2 as="h1">Sign in to apim-local</Title2>
      <Text>Open the sign-in link that <code>apim-local start</code> printed, or sign in as an application with its client ID and secret.</Text>
      <form className={s.form} onSubmit={(e) => void submit(e)}>
        <Field label="Application (client) ID" required>
          <Input value={clientId} onChange={(_, d) => setClientId(d.value)} autoComplete="username" />
        </Field>
        <Field label="Client secret" required>
          <Input type="password" value={secret} onChange={(_, d) => setSecret(d.value)} autoComplete="current-password" />
        </Field>
        <PlainErrorBar error={error} />
        <Button appearance="primary" type="submit" disabled={busy || !clientId.trim() || !secret}>Sign in</Button>
      </form>
    </Card>
  );
}
