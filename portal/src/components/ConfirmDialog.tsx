// A confirmation before a destructive change (remove an identity, delete a domain), as a Fluent Dialog:
// window.confirm is not styled, not testable (Playwright dismisses native dialogs) and blocks the page.
import type { ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';

export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel }: {
  open: boolean; title: string; children: ReactNode; confirmLabel: string; onConfirm(): void; onCancel(): void;
}) {
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, d) => { if (!d.open) onCancel(); }}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent style={{ overflowWrap: 'anywhere' }}>{children}</DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onConfirm}>{confirmLabel}</Button>
            <Button onClick={onCancel}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
