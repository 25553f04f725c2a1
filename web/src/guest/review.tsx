import { useState } from 'preact/hooks';
import { publicApi, PublicApiError } from './api';

/** `/review/:token`: the review invitation's page (CONTRACT §11): a rating, a title, a few words. */
export function Review({ token }: { token: string }) {
  const [rating, setRating] = useState(0);
  const [state, setState] = useState<'form' | 'busy' | 'done'>('form');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!rating) return setError('Choose a rating from 1 to 5.');
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (n: string) => String(f.get(n) ?? '').trim();
    setState('busy');
    setError(null);
    try {
      await publicApi('POST', `/reviews/${encodeURIComponent(token)}`, { rating, ...(v('title') ? { title: v('title') } : {}), ...(v('content') ? { content: v('content') } : {}) });
      setState('done');
    } catch (err) {
      const apiErr = err as PublicApiError;
      setError(apiErr.status === 404 ? 'This review link has expired or is not complete.' : apiErr.status === 409 ? 'You have reviewed this visit already. Thank you!' : apiErr.message);
      setState('form');
    }
  };
  if (state === 'done') return <section class="card"><h1>Thank you</h1><p role="status">Your review is in.</p></section>;
  return (
    <section class="card">
      <h1>How was your visit?</h1>
      <form onSubmit={submit}>
        <fieldset class="stars">
          <legend>Your rating</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} class={`star${rating >= n ? ' on' : ''}`}>
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
              <span aria-hidden="true">★</span><span class="sr">{n} of 5</span>
            </label>
          ))}
        </fieldset>
        <label for="r-title">Title <span class="muted">(optional)</span></label><input id="r-title" name="title" maxLength={200} />
        <label for="r-content">Your review <span class="muted">(optional)</span></label><textarea id="r-content" name="content" rows={5} maxLength={5000} />
        {error ? <p class="error" role="alert">{error}</p> : null}
        <div class="nav"><button type="submit" class="primary" disabled={state === 'busy'}>{state === 'busy' ? 'Sending…' : 'Send review'}</button></div>
      </form>
    </section>
  );
}
