// A button for an action that needs a permission: disabled, with the reason beside it (and as its
// accessible description), when the signed-in principal's permissions at the scope do not grant it.
import { useId, type ReactNode } from 'react';
import { Button, Caption1, makeStyles, tokens, type ButtonProps } from '@fluentui/react-components';
import { usePermission } from '../app/permissions';

const useStyles = makeStyles({
  wrap: { display: 'inline-flex', flexDirection: 'column', gap: '2px', maxWidth: '100%' },
  reason: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
});

export interface PermissionButtonProps {
  scope: string | undefined;
  action: string;
  disabled?: boolean;
  children: ReactNode;
  appearance?: ButtonProps['appearance'];
  icon?: ButtonProps['icon'];
  type?: 'button' | 'submit';
  onClick?: () => void;
}

export function PermissionButton({ scope, action, disabled, children, appearance, icon, type = 'button', onClick }: PermissionButtonProps) {
  const perm = usePermission(scope, action);
  const id = useId();
  const s = useStyles();
  const denied = !perm.allowed;
  return (
    <span className={s.wrap}>
      <Button appearance={appearance} icon={icon} type={type} onClick={onClick} disabled={disabled || denied || perm.loading} aria-describedby={denied ? id : undefined}>{children}</Button>
      {denied && <Caption1 id={id} className={s.reason}>{perm.reason}</Caption1>}
    </span>
  );
}
