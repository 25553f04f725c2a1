import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo, Venue } from './api';

export interface SessionState {
  session: SessionInfo;
  /** null for operators (they have no venue) and while it loads. */
  venue: Venue | null;
  can(scope: string): boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in shell');
  return s;
}
