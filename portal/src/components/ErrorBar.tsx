// An API error as Azure's portal shows it: the code and message, the details, and for a 403 the missing
// action with the built-in roles that grant it.
import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';

const useStyles = makeStyles({ body: { overflowWrap: 'anywhere', minWidth: 0 } });
import type { AzureApiError } from '../api/errors';
import { rolesGranting } from '../api/permissions';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';

export function ErrorBar({ error }: { error: AzureApiError | undefined }) {
  const { api, subscription, signOut } = usePortal();
  const missing = error?.missingPermission;
  const s = useStyles();
  const roles = useAsync(async () => (missing ? rolesGranting(api, subscription.subscriptionId, missing.action) : []), [missing?.action]);
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody className={s.body}>
        <MessageBarTitle>{error.code}</MessageBarTitle>
        {error.message}
        {error.details.length > 0 && (
          <ul>{error.details.map((d, i) => <li key={i}>{d.code}: {d.message}</li>)}</ul>
        )}
        {missing && (
          <div>
            Missing permission: <code>{missing.action}</code> over scope <code>{missing.scope}</code>.
            {roles.data && roles.data.length > 0 && <> Roles that grant it: {roles.data.slice(0, 3).join(', ')}.</>}
          </div>
        )}
      </MessageBarBody>
      {/* The refresh token is gone (a server restart revokes it) or the token was refused: only a new sign-in helps. */}
      {(error.code === 'invalid_grant' || error.status === 401) && (
        <MessageBarActions><Button onClick={signOut}>Sign in again</Button></MessageBarActions>
      )}
    </MessageBar>
  );
}

/** A standalone error (before the shell exists: sign-in). */
export function PlainErrorBar({ error }: { error: AzureApiError | undefined }) {
  const s = useStyles();
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody className={s.body}><MessageBarTitle>{error.code}</MessageBarTitle>{error.message}</MessageBarBody>
    </MessageBar>
  );
}
