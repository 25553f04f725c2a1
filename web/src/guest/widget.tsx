import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  calendarUrl, newIdempotencyKey, publicApi, PublicApiError, tokenOf,
  type BookingResult, type RangeAvailability, type Slot, type VenueConfig,
} from './api';
import { Calendar } from './calendar';
import { addDays, applyTheme, formatDate, formatTime, guests, todayIn, type Zone } from './format';

type Step = 'party' | 'date' | 'time' | 'details' | 'done' | 'enquiry' | 'enquired';

/** Moves focus to a step's heading when the step appears, so keyboard and screen-reader users follow along. */
function StepHeading({ children, step }: { children: string; step: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current && step === 'party') {
      first.current = false;
      return;
    }
    ref.current?.focus();
  }, [step]);
  return <h2 ref={ref} tabIndex={-1} class="step-heading">{children}</h2>;
}

const lastOfMonth = (d: string) => {
  const [y, m] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** `/widget/:slug`: party size → date → time → details → confirmation. */
export function Widget({ slug }: { slug: string }) {
  const [config, setConfig] = useState<VenueConfig | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>('party');
  const [party, setParty] = useState<number | null>(null);
  const [date, setDate] = useState<string | null>(null);
  const [time, setTime] = useState<string | null>(null);
  const [month, setMonth] = useState<string>('');
  const [range, setRange] = useState<Map<string, Slot[]>>(new Map());
  const [loadingRange, setLoadingRange] = useState(false);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const [result, setResult] = useState<BookingResult | null>(null);

  useEffect(() => {
    publicApi<VenueConfig>('GET', `/venues/${encodeURIComponent(slug)}/config`).then(
      (c) => {
        setConfig(c);
        applyTheme(c.theme.accent);
        document.title = `Book a table at ${c.name}`;
        setMonth(`${todayIn(c.timezone).slice(0, 7)}-01`);
      },
      (err: PublicApiError) => setLoadError(err.status === 404 ? 'This venue does not take online bookings here.' : err.message),
    );
  }, [slug]);

  const zone: Zone | null = config ? { timezone: config.timezone, country: config.country } : null;
  const first = config ? todayIn(config.timezone) : '';
  const last = config ? addDays(first, config.booking_window_days) : '';

  // The month's availability, in one request (at most 31 days).
  useEffect(() => {
    if (!config || !party || !month || step !== 'date') return;
    const from = month < first ? first : month;
    const to = lastOfMonth(month) > last ? last : lastOfMonth(month);
    if (from > to) return;
    let live = true;
    setLoadingRange(true);
    setRangeError(null);
    publicApi<RangeAvailability>('GET', `/venues/${encodeURIComponent(slug)}/availability?from=${from}&to=${to}&party_size=${party}`).then(
      (r) => {
        if (!live) return;
        setRange((prev) => {
          const next = new Map(prev);
          for (const d of r.days) next.set(`${party}/${d.date}`, d.slots);
          return next;
        });
        setLoadingRange(false);
      },
      (err: PublicApiError) => {
        if (!live) return;
        setRangeError(err.message);
        setLoadingRange(false);
      },
    );
    return () => {
      live = false;
    };
  }, [config, party, month, step]);

  const open = useMemo(() => {
    const s = new Set<string>();
    for (const [k, slots] of range) if (k.startsWith(`${party}/`) && slots.some((x) => x.available)) s.add(k.slice(k.indexOf('/') + 1));
    return s;
  }, [range, party]);

  if (loadError) return <section class="card"><h1>Book a table</h1><p class="error" role="alert">{loadError}</p></section>;
  if (!config || !zone) return <section class="card"><p role="status">Loading…</p></section>;

  const sizes: number[] = [];
  for (let n = config.party_size.min; n <= config.party_size.max; n++) sizes.push(n);
  const times = (date && range.get(`${party}/${date}`)?.filter((s) => s.available)) || [];
  const summary = [party && guests(party), date && formatDate(date, zone, 'medium'), time && formatTime(time, zone)].filter(Boolean).join(' · ');

  return (
    <section class="card" aria-labelledby="venue-name">
      <header class="venue-head">
        <h1 id="venue-name">{config.name}</h1>
        {summary && step !== 'done' ? <p class="summary" aria-live="polite">{summary}</p> : null}
      </header>

      {step === 'party' && (
        <div>
          <StepHeading step={step}>How many people?</StepHeading>
          <div class="choices" role="group" aria-label="Party size">
            {sizes.map((n) => (
              <button type="button" key={n} class={`choice${party === n ? ' selected' : ''}`} aria-pressed={party === n}
                onClick={() => { setParty(n); setDate(null); setTime(null); setStep('date'); }}>
                {n}
              </button>
            ))}
          </div>
          <p class="muted small">
            More than {config.party_size.max}? <button type="button" class="link" onClick={() => setStep('enquiry')}>Send the venue an enquiry</button>
          </p>
        </div>
      )}

      {step === 'date' && (
        <div>
          <StepHeading step={step}>Choose a date</StepHeading>
          <Calendar zone={zone} first={first} last={last} month={month} onMonth={setMonth} open={open} loading={loadingRange}
            selected={date} onSelect={(d) => { setDate(d); setTime(null); setStep('time'); }} />
          {rangeError ? <p class="error" role="alert">{rangeError}</p> : null}
          {!loadingRange && !rangeError && open.size === 0 ? <p class="muted">No free tables this month for {guests(party!)}: try the next month.</p> : null}
          <div class="nav"><button type="button" class="quiet" onClick={() => setStep('party')}>Back</button></div>
        </div>
      )}

      {step === 'time' && (
        <div>
          <StepHeading step={step}>{`Choose a time on ${formatDate(date!, zone)}`}</StepHeading>
          {times.length ? (
            <div class="choices times" role="group" aria-label="Time">
              {times.map((s) => (
                <button type="button" key={s.time} class={`choice${time === s.time ? ' selected' : ''}`} aria-pressed={time === s.time}
                  onClick={() => { setTime(s.time); setStep('details'); }}>
                  {formatTime(s.time, zone)}
                </button>
              ))}
            </div>
          ) : <p class="muted">No free times on this day any more. Choose another date.</p>}
          <div class="nav"><button type="button" class="quiet" onClick={() => setStep('date')}>Back</button></div>
        </div>
      )}

      {step === 'details' && (
        <Details config={config} zone={zone} slug={slug} party={party!} date={date!} time={time!}
          onBack={() => setStep('time')}
          onPick={(d, t) => { setDate(d); setTime(t); }}
          onDone={(r) => { setResult(r); setStep('done'); }} />
      )}

      {step === 'done' && result && <Confirmation config={config} zone={zone} result={result} />}

      {step === 'enquiry' && <Enquiry slug={slug} config={config} onBack={() => setStep('party')} onDone={() => setStep('enquired')} />}
      {step === 'enquired' && (
        <div>
          <StepHeading step={step}>Enquiry sent</StepHeading>
          <p>Thank you. {config.name} will answer you by email.</p>
        </div>
      )}
    </section>
  );
}

function Policies({ config }: { config: VenueConfig }) {
  const hours = config.policies.cancellation_hours;
  return (
    <div class="policies">
      <h3>Before you book</h3>
      {hours > 0 ? <p>You can change or cancel online until {hours} hours before your booking.</p> : null}
      {config.policies.text ? <p class="policies-text">{config.policies.text}</p> : null}
    </div>
  );
}

interface DetailsProps {
  config: VenueConfig;
  zone: Zone;
  slug: string;
  party: number;
  date: string;
  time: string;
  onBack(): void;
  onPick(date: string, time: string): void;
  onDone(r: BookingResult): void;
}

function Details(p: DetailsProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PublicApiError | null>(null);
  const key = useRef(newIdempotencyKey());
  const errorRef = useRef<HTMLDivElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const r = await publicApi<BookingResult>('POST', `/venues/${encodeURIComponent(p.slug)}/bookings`, {
        date: p.date, time: p.time, party_size: p.party, name: text('name'), email: text('email'),
        ...(text('phone') ? { phone: text('phone') } : {}), ...(text('notes') ? { notes: text('notes') } : {}),
        website: String(form.get('website') ?? ''),
      }, { 'Idempotency-Key': key.current });
      p.onDone(r);
    } catch (err) {
      const apiErr = err instanceof PublicApiError ? err : new PublicApiError(0, 'error', 'Something went wrong.');
      // A refused booking is final for this key: the next try is a new request.
      if (apiErr.status !== 0) key.current = newIdempotencyKey();
      setError(apiErr);
      setBusy(false);
      queueMicrotask(() => errorRef.current?.focus());
    }
  };

  const alternatives: { date: string; time: string }[] = error?.code === 'slot_unavailable' ? error.details?.alternatives ?? [] : [];
  return (
    <form onSubmit={submit} noValidate={false}>
      <StepHeading step="details">Your details</StepHeading>
      <label for="g-name">Name</label>
      <input id="g-name" name="name" autocomplete="name" required maxLength={200} />
      <label for="g-email">Email</label>
      <input id="g-email" name="email" type="email" autocomplete="email" required maxLength={254} aria-describedby="g-email-help" />
      <p id="g-email-help" class="muted small">Your confirmation and the link to change or cancel go here.</p>
      <label for="g-phone">Phone <span class="muted">(optional)</span></label>
      <input id="g-phone" name="phone" type="tel" autocomplete="tel" maxLength={32} />
      <label for="g-notes">Notes for the venue <span class="muted">(optional)</span></label>
      <textarea id="g-notes" name="notes" rows={3} maxLength={2000} />
      {/* For bots only: hidden from people and from assistive technology. */}
      <div class="hp" aria-hidden="true">
        <label for="g-website">Website</label>
        <input id="g-website" name="website" tabIndex={-1} autocomplete="off" />
      </div>
      <Policies config={p.config} />
      {error ? (
        <div class="error" role="alert" tabIndex={-1} ref={errorRef}>
          <p>{error.message}</p>
          {alternatives.length ? (
            <div class="choices times" role="group" aria-label="Other times that day">
              {alternatives.map((a) => (
                <button type="button" class="choice" key={`${a.date} ${a.time}`} onClick={() => { setError(null); p.onPick(a.date, a.time); }}>
                  {formatTime(a.time, p.zone)}
                </button>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      <div class="nav">
        <button type="button" class="quiet" onClick={p.onBack}>Back</button>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Booking…' : `Book for ${guests(p.party)}, ${formatDate(p.date, p.zone, 'medium')} at ${formatTime(p.time, p.zone)}`}
        </button>
      </div>
    </form>
  );
}

function Confirmation({ config, zone, result }: { config: VenueConfig; zone: Zone; result: BookingResult }) {
  const requested = result.status === 'requested';
  const token = tokenOf(result.manage_url);
  return (
    <div class="done">
      <StepHeading step="done">{requested ? 'Request sent' : 'You are booked'}</StepHeading>
      <p>
        {requested
          ? `${config.name} will confirm your request by email.`
          : `Your table at ${config.name} is booked. A confirmation is on its way to your inbox.`}
      </p>
      <dl class="facts">
        <dt>Reference</dt><dd class="reference">{result.reference}</dd>
        <dt>Date</dt><dd>{formatDate(result.date, zone)}</dd>
        <dt>Time</dt><dd>{formatTime(result.time, zone)}</dd>
        <dt>Party</dt><dd>{guests(result.party_size)}</dd>
      </dl>
      <p class="links">
        <a class="button" href={calendarUrl(token)} download={`${result.reference}.ics`}>Add to calendar</a>
        <a class="button quiet" href={result.manage_url} target="_blank" rel="noopener">View or change your booking</a>
      </p>
    </div>
  );
}

function Enquiry({ slug, config, onBack, onDone }: { slug: string; config: VenueConfig; onBack(): void; onDone(): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (n: string) => String(f.get(n) ?? '').trim();
    setBusy(true);
    try {
      await publicApi('POST', `/venues/${encodeURIComponent(slug)}/enquiries`, {
        name: v('name'), email: v('email'), message: v('message'), website: String(f.get('website') ?? ''),
        ...(v('phone') ? { phone: v('phone') } : {}), ...(v('date') ? { date: v('date') } : {}),
        ...(v('party') ? { party_size: Number(v('party')) } : {}),
      });
      onDone();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <StepHeading step="enquiry">{`Send ${config.name} an enquiry`}</StepHeading>
      <p class="muted">For large groups and private events.</p>
      <label for="e-name">Name</label><input id="e-name" name="name" autocomplete="name" required />
      <label for="e-email">Email</label><input id="e-email" name="email" type="email" autocomplete="email" required />
      <label for="e-phone">Phone <span class="muted">(optional)</span></label><input id="e-phone" name="phone" type="tel" autocomplete="tel" />
      <label for="e-date">Date <span class="muted">(optional)</span></label><input id="e-date" name="date" type="date" />
      <label for="e-party">Number of people <span class="muted">(optional)</span></label><input id="e-party" name="party" type="number" min={1} inputMode="numeric" />
      <label for="e-message">Message</label><textarea id="e-message" name="message" rows={4} required maxLength={5000} />
      <div class="hp" aria-hidden="true"><label for="e-website">Website</label><input id="e-website" name="website" tabIndex={-1} autocomplete="off" /></div>
      {error ? <p class="error" role="alert">{error}</p> : null}
      <div class="nav">
        <button type="button" class="quiet" onClick={onBack}>Back</button>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Sending…' : 'Send enquiry'}</button>
      </div>
    </form>
  );
}
