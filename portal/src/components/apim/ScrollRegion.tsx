// A wide table's frame on a narrow screen: it scrolls sideways by itself (the page never does), and is
// focusable with a name so a keyboard user can scroll it too.
import type { ReactNode } from 'react';

export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto', maxWidth: '100%' }}>{children}</div>;
}
