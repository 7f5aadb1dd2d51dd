// A link to a portal route (in-page navigation, a real href for new tabs and assistive technology).
import type { ReactNode } from 'react';
import { Link } from '@fluentui/react-components';
import { href, linkClick } from '../app/router';

export function PortalLink({ to, children, label }: { to: string; children: ReactNode; label?: string }) {
  return <Link href={href(to)} onClick={linkClick(to)} aria-label={label}>{children}</Link>;
}
