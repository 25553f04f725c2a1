import { Fragment } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { guestOf, type Booking, type Venue } from '../../api';
import { statusLabel } from '../../booking-status';
import { formatClock, formatHour, formatMoney, minutesFromDayStart } from '../../format';
import { dayWindow, durationOf, isRequest, isUrgent, laneOut, minutesOf, sourceBadge, timeLeft } from './diary-model';

type Spend = Map<string, { total: number; count: number }>;

const PX_PER_MIN = 2;
const LANE_H = 52;
const LABEL_W = 76;

function useNowMinutes(date: string, timezone: string, active: boolean): number | null {
  const [now, setNow] = useState(() => minutesFromDayStart(new Date(), date, timezone));
  useEffect(() => {
    if (!active) return undefined;
    setNow(minutesFromDayStart(new Date(), date, timezone));
    const t = setInterval(() => setNow(minutesFromDayStart(new Date(), date, timezone)), 30_000);
    return () => clearInterval(t);
  }, [date, timezone, active]);
  return active ? now : null;
}

/** The status a block shows: a request says so, with the time it has left. */
export function blockStatus(b: Booking, now: number): string {
  if (!isRequest(b)) return statusLabel(b.status);
  const left = timeLeft(b.expires_at, now, true);
  return left ? `Request · ${left}` : 'Request';
}

export function blockLabel(b: Booking, venue: Venue, spend: Spend, now: number): string {
  const s = spend.get(b.id);
  return [
    `${formatClock(b.time, venue)} ${guestOf(b)}`,
    `${b.party_size} ${b.party_size === 1 ? 'guest' : 'guests'}`,
    isRequest(b) ? ['Request', timeLeft(b.expires_at, now)].filter(Boolean).join(', ') : statusLabel(b.status),
    b.table ? `table ${b.table.number}` : 'no table',
    sourceBadge(b.source),
    s ? `spent ${formatMoney(s.total, venue.currency, venue)}` : null,
  ].filter(Boolean).join(', ');
}

/** Classes a booking's block or row carries: its status colour, and `request` (dashed, hatched) for a request. */
function blockClass(b: Booking, now: number): string {
  return `status-${b.status}${isRequest(b) ? ` request${isUrgent(b.expires_at, now) ? ' urgent' : ''}` : ''}`;
}

/** Where a booking came from, as a badge; `short` (a block on the grid): the channel's name only, in full on hover. */
export function SourceBadge({ source, short = false }: { source: string; short?: boolean }) {
  const text = sourceBadge(source);
  if (!text) return null;
  return <span class="badge source" title={text}>{short ? text.replace(/^Channel: /, '') : text}</span>;
}

/** Tables (rows, grouped by area) against the day's hours (columns), with a block per booking and a "now" line. */
export function DiaryGrid({ venue, date, today, bookings, spend, now, onOpen }: {
  venue: Venue;
  date: string;
  today: string;
  bookings: Booking[];
  spend: Spend;
  /** Date.now(), each minute: a request's time left counts down. */
  now: number;
  onOpen: (id: string) => void;
}) {
  const win = useMemo(() => dayWindow(venue, date, bookings), [venue, date, bookings]);
  const width = (win.end - win.start) * PX_PER_MIN;
  const nowMin = useNowMinutes(date, venue.timezone, date === today);
  const scroller = useRef<HTMLDivElement>(null);
  const byTable = useMemo(() => {
    const m = new Map<string, Booking[]>();
    for (const b of bookings) if (b.table) m.set(b.table.id, [...(m.get(b.table.id) ?? []), b]);
    return m;
  }, [bookings]);

  // Today opens at the present hour, not at the start of lunch.
  useEffect(() => {
    const el = scroller.current;
    if (!el || nowMin === null) return;
    el.scrollLeft = Math.max(0, (nowMin - win.start - 60) * PX_PER_MIN);
  }, [date]);

  const hours: number[] = [];
  for (let m = win.start; m < win.end; m += 60) hours.push(m);
  const x = (min: number) => (min - win.start) * PX_PER_MIN;
  const nowVisible = nowMin !== null && nowMin >= win.start && nowMin <= win.end;

  return (
    <div class="grid-scroll" ref={scroller} role="region" aria-label="Tables by time" tabIndex={0}>
      <div class="grid" style={{ width: `${LABEL_W + width}px` }}>
        <div class="grid-head" aria-hidden="true">
          <div class="grid-corner">Table</div>
          <div class="grid-hours" style={{ width: `${width}px` }}>
            {win.periods.map((p) => (
              <span key={`${p.name}${p.start}`} class="period" style={{ left: `${x(p.start)}px`, width: `${(p.end - p.start) * PX_PER_MIN}px` }}>{p.name}</span>
            ))}
            {hours.map((m) => <span key={m} class="hour" style={{ left: `${x(m)}px` }}>{formatHour(m, venue)}</span>)}
          </div>
        </div>
        {venue.areas!.filter((a) => a.tables.length > 0).map((area) => (
          <div key={area.id} class="area" role="group" aria-label={area.name}>
            <div class="area-name"><span>{area.name}</span></div>
            {area.tables.map((t) => {
              const placed = laneOut(byTable.get(t.id) ?? []);
              const lanes = Math.max(1, ...placed.map((p) => p.lane + 1));
              return (
                <div key={t.id} class="table-row" style={{ height: `${lanes * LANE_H + 6}px` }}>
                  <div class="table-label" title={`Table ${t.number}, ${t.min_covers}–${t.max_covers} covers`}>
                    <strong>{t.number}</strong>
                    <span class="muted small">{t.min_covers}–{t.max_covers}</span>
                  </div>
                  <div class="track" style={{ width: `${width}px`, backgroundSize: `${60 * PX_PER_MIN}px 100%`, backgroundPosition: `${x(Math.ceil(win.start / 60) * 60)}px 0` }}>
                    {win.periods.map((p) => (
                      <span key={`${p.name}${p.start}`} class="open-hours" aria-hidden="true" style={{ left: `${x(p.start)}px`, width: `${(p.end - p.start) * PX_PER_MIN}px` }} />
                    ))}
                    {placed.map(({ booking: b, lane }) => {
                      const s = spend.get(b.id);
                      const w = Math.max(36, durationOf(b) * PX_PER_MIN - 3);
                      return (
                        <button
                          key={b.id}
                          type="button"
                          class={`block ${blockClass(b, now)}${w < 110 ? ' narrow' : ''}`}
                          style={{ left: `${x(minutesOf(b.time))}px`, width: `${w}px`, top: `${3 + lane * LANE_H}px`, height: `${LANE_H - 4}px` }}
                          onClick={() => onOpen(b.id)}
                          aria-label={blockLabel(b, venue, spend, now)}
                          data-booking={b.id}
                        >
                          <span class="block-name">{guestOf(b)}</span>
                          <span class="block-meta">
                            <span class="covers" title={`${b.party_size} guests`}>{b.party_size}p</span>
                            <span class="block-status" title={isRequest(b) ? timeLeft(b.expires_at, now) ?? undefined : undefined}>{blockStatus(b, now)}</span>
                            {s && <span class="spend" data-spend={s.total}>{formatMoney(s.total, venue.currency, venue)}</span>}
                            <SourceBadge source={b.source} short />
                          </span>
                        </button>
                      );
                    })}
                  </div>
                </div>
              );
            })}
          </div>
        ))}
        {nowVisible && (
          <div class="now-line" style={{ left: `${LABEL_W + x(nowMin!)}px` }} aria-hidden="true">
            <span>{formatClock(Math.round(nowMin!), venue)}</span>
          </div>
        )}
      </div>
    </div>
  );
}

/** The day as a list by time (the phone's default): every booking with its table, status and spend. */
export function DiaryList({ venue, date, today, bookings, spend, now, onOpen }: {
  venue: Venue;
  date: string;
  today: string;
  bookings: Booking[];
  spend: Spend;
  now: number;
  onOpen: (id: string) => void;
}) {
  const nowMin = useNowMinutes(date, venue.timezone, date === today);
  const marker = useRef<HTMLLIElement>(null);
  // Today opens at the present: what is on now and next, not the finished lunch.
  useEffect(() => {
    marker.current?.scrollIntoView({ block: 'center' });
  }, [date]);
  const sorted = [...bookings].sort((a, b) => a.time.localeCompare(b.time) || String(a.table?.number ?? '').localeCompare(String(b.table?.number ?? ''), 'en', { numeric: true }));
  const groups = new Map<number, Booking[]>();
  for (const b of sorted) {
    const h = Math.floor(minutesOf(b.time) / 60) * 60;
    groups.set(h, [...(groups.get(h) ?? []), b]);
  }
  if (!sorted.length) return null;
  // The "now" marker goes before the first booking still to start (after the last one when none is).
  const upcoming = nowMin === null ? undefined : sorted.find((b) => minutesOf(b.time) > nowMin)?.id ?? 'end';
  return (
    <div class="diary-list">
      {[...groups.entries()].map(([h, list]) => (
        <section key={h} aria-label={formatHour(h, venue)}>
          <h3 class="list-hour">{formatHour(h, venue)}</h3>
          <ul class="rows">
            {list.map((b) => {
              const s = spend.get(b.id);
              const nowHere = upcoming === b.id;
              return (
                <Fragment key={b.id}>
                {nowHere && <li ref={marker} class="list-now" aria-label="Now"><span>now {formatClock(Math.round(nowMin!), venue)}</span></li>}
                <li>
                  <button type="button" class={`list-booking ${blockClass(b, now)}`} onClick={() => onOpen(b.id)} aria-label={blockLabel(b, venue, spend, now)} data-booking={b.id}>
                    <span class="lb-time">{formatClock(b.time, venue)}</span>
                    <span class="lb-main">
                      <strong>{guestOf(b)}</strong>
                      <span class="muted small">{b.party_size} {b.party_size === 1 ? 'guest' : 'guests'} · {b.table ? `table ${b.table.number}` : 'no table'}</span>
                      {(sourceBadge(b.source) || isRequest(b)) && (
                        <span class="lb-tags">
                          <SourceBadge source={b.source} />
                          {isRequest(b) && timeLeft(b.expires_at, now) && <span class="left small">{timeLeft(b.expires_at, now)}</span>}
                        </span>
                      )}
                    </span>
                    <span class="lb-end">
                      <span class={`badge st st-${b.status}`}>{isRequest(b) ? 'Request' : statusLabel(b.status)}</span>
                      {s && <span class="spend" data-spend={s.total}>{formatMoney(s.total, venue.currency, venue)}</span>}
                    </span>
                  </button>
                </li>
                </Fragment>
              );
            })}
          </ul>
        </section>
      ))}
      {upcoming === 'end' && <ul class="rows"><li ref={marker} class="list-now" aria-label="Now"><span>now {formatClock(Math.round(nowMin!), venue)}</span></li></ul>}
    </div>
  );
}
