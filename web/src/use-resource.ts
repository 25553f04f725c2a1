import { useCallback, useEffect, useState } from 'preact/hooks';

/** A GET's data with its loading and error states, and a reload after a change. */
export function useResource<T>(load: () => Promise<T>): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(() => {
    setLoading(true);
    load().then(
      (d) => { setData(d); setError(null); setLoading(false); },
      (err: unknown) => { setError(err instanceof Error ? err.message : 'Could not load.'); setLoading(false); },
    );
  }, []);
  useEffect(reload, []);
  return { data, error, loading, reload };
}
