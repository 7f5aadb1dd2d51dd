// What every blade gets from the shell: the API client of the signed-in principal, and the subscription.
import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { Subscription } from '../api/arm-types';
import type { PrincipalInfo } from '../auth/session';

export interface PortalContextValue {
  api: ApiClient;
  subscription: Subscription;
  principal: PrincipalInfo;
  signOut(): void;
}

export const PortalContext = createContext<PortalContextValue | undefined>(undefined);

export function usePortal(): PortalContextValue {
  const v = useContext(PortalContext);
  if (!v) throw new Error('usePortal outside the signed-in shell');
  return v;
}
