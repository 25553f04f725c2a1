import type { ComponentType } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useResource } from '../use-resource';
import { admin, type DryRunResult, enc, type Fixture, type InboundEvent, type List, type MappingVersion, type MatchPreview } from './admin-api';
import type { ErrorRange } from './code-editor';
import { lineColumn, pretty, shortWhen, when } from './format';
import { StatusBadge } from './status-badge';
import { VersionDiff } from './version-diff';

/** Re-evaluation waits this long after the last keystroke. */
export const EVALUATE_DEBOUNCE_MS = 350;

type EditorProps = { value: string; onChange: (v: string) => void; error: ErrorRange | null; label: string; describedBy?: string };
type Source = 'payload' | 'fixture' | 'event';

/** JSONata's error position is the end of the offending token: mark the token (or the character before). */
function errorRange(text: string, details: { position?: number | null; token?: unknown } | null, message: string): ErrorRange | null {
  const position = typeof details?.position === 'number' ? details.position : null;
  if (position === null) return null;
  const token = typeof details?.token === 'string' && details.token !== '(end)' ? details.token : '';
  const to = Math.min(position, text.length);
  const from = Math.max(0, token ? to - token.length : to - 1);
  return { from, to: Math.max(to, from + 1), message };
}

/**
 * `/app/partners/:name/mappings/:event_type`: the JSONata expression (CodeMirror, loaded on demand), re-run
 * as one types (debounced) against a pasted payload, a fixture or a stored event; the canonical output,
 * the schema errors and the booking it would match; the version history with a diff; save and activate.
 */
export function MappingEditor({ name, eventType }: { name: string; eventType: string }) {
  const { query } = useLocation();
  const base = `/partners/${enc(name)}/mappings/${enc(eventType)}`;
  const versions = useResource(() => admin<List<MappingVersion>>('GET', `${base}/versions`));
  const fixtures = useResource(() => admin<List<Fixture>>('GET', `/partners/${enc(name)}/fixtures`));
  const events = useResource(() => admin<List<InboundEvent>>('GET', `/partners/${enc(name)}/events?limit=50`));
  const live = versions.data?.data.find((v) => v.live) ?? null;

  const [Editor, setEditor] = useState<ComponentType<EditorProps> | null>(null);
  const [editorError, setEditorError] = useState<string | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [source, setSource] = useState<Source>(query.event ? 'event' : 'payload');
  const [payload, setPayload] = useState('');
  const [fixture, setFixture] = useState('');
  const [eventId, setEventId] = useState(query.event ?? '');
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [evaluating, setEvaluating] = useState(false);
  const [requestError, setRequestError] = useState<string | null>(null);
  const [saveState, setSaveState] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [compare, setCompare] = useState<{ a: string; b: string }>({ a: '', b: 'editor' });
  const seq = useRef(0);

  useEffect(() => {
    import('./code-editor').then(
      (m) => setEditor(() => m.CodeEditor),
      () => setEditorError('The editor could not be loaded. Reload the page to try again.'),
    );
  }, []);

  // The live expression becomes the editor's text once, when the history arrives.
  useEffect(() => {
    if (text === null && versions.data) setText(live?.expression ?? '');
  }, [versions.data]);

  // The first fixture of this event type, and a payload to start from.
  useEffect(() => {
    const list = fixtures.data?.data ?? [];
    const mine = list.find((f) => f.event_type === eventType) ?? list[0];
    if (!fixture && mine) setFixture(mine.name);
    if (!payload && mine) setPayload(mine.payload);
    if (!query.event && mine && source === 'payload' && !payload) setSource('fixture');
  }, [fixtures.data]);
  useEffect(() => {
    if (!eventId && events.data?.data[0]) setEventId((events.data.data.find((e) => e.event_type === eventType) ?? events.data.data[0]).id);
  }, [events.data]);

  const input = useMemo((): Record<string, unknown> | null => {
    if (source === 'payload') return payload.trim() ? { payload } : null;
    if (source === 'fixture') return fixture ? { fixture } : null;
    return eventId ? { event_id: eventId } : null;
  }, [source, payload, fixture, eventId]);

  // Re-evaluate, debounced, whenever the text or the input changes; a late answer to an older request is dropped.
  useEffect(() => {
    if (text === null) return;
    if (!text.trim() || !input) {
      setResult(null);
      return;
    }
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      setEvaluating(true);
      try {
        const r = await admin<DryRunResult>('POST', `${base}/test?inline_errors=true`, { ...input, expression: text });
        if (mine !== seq.current) return;
        setResult(r);
        setRequestError(null);
      } catch (err) {
        if (mine !== seq.current) return;
        setResult(null);
        setRequestError(err instanceof Error ? err.message : 'The dry run failed.');
      } finally {
        if (mine === seq.current) setEvaluating(false);
      }
    }, EVALUATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, input]);

  const compileError = result?.error?.code === 'invalid_mapping' ? result.error : null;
  const range = compileError && text !== null ? errorRange(text, compileError.details, compileError.message) : null;
  const where = range && text !== null ? lineColumn(text, range.from) : null;
  const unchanged = text !== null && live !== null && text === live.expression;

  const save = async () => {
    if (text === null) return;
    setSaveState(null);
    try {
      const saved = await admin<MappingVersion>('PUT', base, { expression: text });
      setSaveState({ kind: 'ok', text: `Saved as version ${saved.version}: it is live now.` });
      versions.reload();
    } catch (err) {
      setSaveState({ kind: 'error', text: err instanceof Error ? err.message : 'Could not save.' });
    }
  };
  const activate = async (v: MappingVersion) => {
    setSaveState(null);
    try {
      await admin('POST', `${base}/versions/${v.version}/activate`);
      setSaveState({ kind: 'ok', text: `Version ${v.version} is live again.` });
      versions.reload();
    } catch (err) {
      setSaveState({ kind: 'error', text: err instanceof Error ? err.message : 'Could not activate.' });
    }
  };

  const textOf = (key: string): string => (key === 'editor' ? (text ?? '') : (versions.data?.data.find((v) => String(v.version) === key)?.expression ?? ''));
  const history = versions.data?.data ?? [];
  useEffect(() => {
    if (!compare.a && history.length) setCompare((c) => ({ ...c, a: String((history.find((v) => v.live) ?? history[0])!.version) }));
  }, [versions.data]);

  return (
    <section class="wide">
      <p class="crumbs"><a href={`/app/partners/${enc(name)}`}>← {name}</a></p>
      <h1>Mapping <code>{eventType}</code></h1>
      <p class="muted">
        {live ? <>Live: version {live.version} ({live.source}, {when(live.created_at)}).</> : versions.data ? 'No version yet: events of this type use the fallback mapping, if any, or are ignored.' : 'Loading…'}
      </p>
      {versions.error && <p class="error" role="alert">{versions.error}</p>}
      <div class="editor-layout">
        <div class="editor-main">
          <p id="expression-label" class="label">JSONata expression</p>
          {editorError && <p class="error" role="alert">{editorError}</p>}
          {(!Editor || text === null) && !editorError && <p role="status" class="editor-placeholder">Loading the editor…</p>}
          {Editor && text !== null && (
            <div id="expression-editor">
              <Editor value={text} onChange={setText} error={range} label="JSONata expression" describedBy="compile-status" />
            </div>
          )}
          <p id="compile-status" class={compileError ? 'error small' : 'muted small'} aria-live="polite">
            {compileError
              ? <>Does not compile{where ? <> (line {where.line}, column {where.column})</> : null}: {compileError.message}</>
              : text !== null && result && !result.error ? 'Compiles.' : ''}
          </p>
          <div class="actions">
            <button type="button" class="primary" onClick={() => void save()} disabled={text === null || !text.trim() || !!compileError || unchanged}>
              Save as new live version
            </button>
            <button type="button" onClick={() => setText(live?.expression ?? '')} disabled={unchanged || !live}>Revert to live</button>
          </div>
          {saveState && <p class={saveState.kind === 'ok' ? 'ok-text' : 'error'} role={saveState.kind === 'ok' ? 'status' : 'alert'}>{saveState.text}</p>}

          <fieldset class="input-source">
            <legend>Run it on</legend>
            <div class="radios">
              {(['fixture', 'event', 'payload'] as Source[]).map((s) => (
                <label key={s} class="check">
                  <input type="radio" name="source" value={s} checked={source === s} onChange={() => setSource(s)} />
                  {s === 'fixture' ? 'A fixture' : s === 'event' ? 'A stored event' : 'A pasted payload'}
                </label>
              ))}
            </div>
            {source === 'fixture' && (
              fixtures.data?.data.length ? (
                <>
                  <label for="fixture-select">Fixture</label>
                  <select id="fixture-select" value={fixture} onChange={(e) => setFixture((e.target as HTMLSelectElement).value)}>
                    {fixtures.data.data.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
                  </select>
                </>
              ) : <p class="muted small">This partner’s template has no fixtures. Paste a payload or pick a stored event.</p>
            )}
            {source === 'event' && (
              events.data?.data.length ? (
                <>
                  <label for="event-select">Stored event</label>
                  <select id="event-select" value={eventId} onChange={(e) => setEventId((e.target as HTMLSelectElement).value)}>
                    {eventId && !events.data.data.some((e) => e.id === eventId) && <option value={eventId}>{eventId}</option>}
                    {events.data.data.map((e) => (
                      <option key={e.id} value={e.id}>{shortWhen(e.received_at)} · {e.event_type} · {e.status}{e.sale_id ? ` · sale ${e.sale_id}` : ''}</option>
                    ))}
                  </select>
                  <p class="muted small">Or pick one in the <a href={`/app/partners/${enc(name)}/events`}>event log</a> (“Open in the mapping editor”).</p>
                </>
              ) : <p class="muted small">No stored events yet.</p>
            )}
            {source === 'payload' && (
              <>
                <label for="payload-input">Payload, as the POS sends it</label>
                <textarea id="payload-input" class="payload" rows={10} spellcheck={false} value={payload}
                  onInput={(e) => setPayload((e.target as HTMLTextAreaElement).value)} />
              </>
            )}
          </fieldset>
        </div>

        <div class="editor-side" aria-live="polite" aria-busy={evaluating}>
          <h2>Result {evaluating && <span class="muted small">evaluating…</span>}</h2>
          {requestError && <p class="error" role="alert">{requestError}</p>}
          {!input && <p class="muted">Choose an input to run the mapping on.</p>}
          {result?.error && result.error.code !== 'invalid_mapping' && (
            <p class="error">{result.error.code === 'invalid_payload' ? 'The payload is not what the adapter reads: ' : 'The mapping failed: '}{result.error.message}</p>
          )}
          {compileError && <p class="muted">Fix the expression to see its output.</p>}
          {result && !result.error && <ResultView result={result} />}
        </div>
      </div>

      <div class="card">
        <h2>Versions</h2>
        {history.length === 0 && <p class="muted">No versions yet. Saving makes version 1.</p>}
        {history.length > 0 && (
          <ul class="rows" aria-label="Versions">
            {history.map((v) => (
              <li key={v.version} class="row">
                <div class="row-main"><strong>Version {v.version}{v.live && <span class="badge ok">live</span>}</strong><span class="muted small">{v.source} · {when(v.created_at)}</span></div>
                <div class="row-actions">
                  <button type="button" onClick={() => setText(v.expression)}>Load version {v.version}</button>
                  {!v.live && <button type="button" onClick={() => void activate(v)}>Activate version {v.version}</button>}
                </div>
              </li>
            ))}
          </ul>
        )}
        {history.length > 0 && (
          <div class="compare">
            <div class="fields two">
              <div>
                <label for="compare-a">Compare</label>
                <select id="compare-a" value={compare.a} onChange={(e) => setCompare({ ...compare, a: (e.target as HTMLSelectElement).value })}>
                  {history.map((v) => <option key={v.version} value={String(v.version)}>Version {v.version}{v.live ? ' (live)' : ''}</option>)}
                  <option value="editor">The editor</option>
                </select>
              </div>
              <div>
                <label for="compare-b">with</label>
                <select id="compare-b" value={compare.b} onChange={(e) => setCompare({ ...compare, b: (e.target as HTMLSelectElement).value })}>
                  <option value="editor">The editor</option>
                  {history.map((v) => <option key={v.version} value={String(v.version)}>Version {v.version}{v.live ? ' (live)' : ''}</option>)}
                </select>
              </div>
            </div>
            <VersionDiff before={textOf(compare.a)} after={textOf(compare.b)}
              label={`${compare.a === 'editor' ? 'The editor' : `Version ${compare.a}`} → ${compare.b === 'editor' ? 'the editor' : `version ${compare.b}`}`} />
          </div>
        )}
      </div>
    </section>
  );
}

function ResultView({ result }: { result: DryRunResult }) {
  return (
    <>
      {result.matches.length > 0 && (
        <>
          <h3>The booking it would match</h3>
          <ul class="plain matches" aria-label="Matches">{result.matches.map((m) => <li key={m.index}><MatchLine m={m} /></li>)}</ul>
        </>
      )}
      <h3>Schema errors</h3>
      {result.errors.length === 0 ? <p class="ok-text small">None.</p> : (
        <>
          <ul class="error-list" aria-label="Schema errors">
            {result.errors.map((e, i) => <li key={i}>command {e.index}: <code>{e.path || '(root)'}</code> {e.message}</li>)}
          </ul>
          <p class="muted small">A command that fails its schema fails the event: no booking match is tried.</p>
        </>
      )}
      <h3>Canonical output</h3>
      {result.output.length === 0 ? <p class="notice">The mapping yields nothing: the event would be <strong>ignored</strong>.</p> : (
        <pre class="code" tabIndex={0} aria-label="Canonical output" data-testid="dry-run-output">{pretty(result.output)}</pre>
      )}
    </>
  );
}

function MatchLine({ m }: { m: MatchPreview }) {
  const what = `Command ${m.index} (${m.type}${m.location_id ? ` at location ${m.location_id}` : ''})`;
  if (m.result !== 'applied') {
    return <p class="small"><strong>{what}</strong>: would be <StatusBadge status={m.result === 'failed' ? 'failed' : 'ignored'} /> {m.reason}</p>;
  }
  if (!m.booking) {
    return <p class="small"><strong>{what}</strong>: {m.sale ? <>updates sale <code>{m.sale}</code>, </> : 'a new sale, '}no booking: {m.unmatched_reason ?? 'no booking id or table'}.</p>;
  }
  const b = m.booking;
  return (
    <p class="small">
      <strong>{what}</strong>: matches booking <strong>{b.reference}</strong>{b.customer ? <> — {b.customer.name}</> : null}, party of {b.party_size},{' '}
      {b.date} {b.time}{b.table ? <>, table {b.table.number}</> : null} ({b.status}), by {m.match === 'booking_id' ? 'booking id' : m.match === 'manual' ? 'a hand-made link' : 'table and time'}
      {m.sale ? <>; updates sale <code>{m.sale}</code></> : null}.
    </p>
  );
}
