import { useEffect, useRef, useState } from 'preact/hooks';
import { addDays, formatDate, formatMonth, type Zone } from './format';

export interface CalendarProps {
  zone: Zone;
  /** First and last bookable dates (venue-local). */
  first: string;
  last: string;
  /** The month shown (any date in it). */
  month: string;
  onMonth(month: string): void;
  /** Dates with at least one free time, and whether the month's availability is still loading. */
  open: ReadonlySet<string>;
  loading: boolean;
  selected: string | null;
  onSelect(date: string): void;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
const nextMonth = (d: string) => {
  const [y, m] = d.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};
const prevMonth = (d: string) => {
  const [y, m] = d.split('-').map(Number);
  return m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
};
/** ISO weekday 1 (Monday) … 7. */
const weekday = (d: string) => ((new Date(`${d}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;

/**
 * A month of days as a grid of buttons (WAI-ARIA date grid): one day is in the tab order, arrow keys move
 * between days (Home/End: the week's ends, PageUp/PageDown: months), Enter or Space picks a day that has
 * a free time. Days without one are announced as such and cannot be picked.
 */
export function Calendar(p: CalendarProps) {
  const start = monthStart(p.month);
  const days: string[] = [];
  for (let d = start; d.slice(0, 7) === start.slice(0, 7); d = addDays(d, 1)) days.push(d);
  const lead = weekday(start) - 1;
  const [focus, setFocus] = useState<string>(() => p.selected ?? firstOpen(days, p) ?? days[0]!);
  const grid = useRef<HTMLDivElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    if (focus.slice(0, 7) !== start.slice(0, 7)) setFocus(p.selected && p.selected.startsWith(start.slice(0, 7)) ? p.selected : firstOpen(days, p) ?? days[0]!);
  }, [start]);
  useEffect(() => {
    if (!p.selected && !days.includes(focus)) return;
    if (!p.selected && !p.open.has(focus)) {
      const open = firstOpen(days, p);
      if (open && !moved.current) setFocus(open);
    }
  }, [p.open]);
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    grid.current?.querySelector<HTMLButtonElement>(`[data-date="${focus}"]`)?.focus();
  }, [focus]);

  const go = (d: string) => {
    if (d < monthStart(p.first) || d > p.last) return;
    moved.current = true;
    if (d.slice(0, 7) !== start.slice(0, 7)) p.onMonth(monthStart(d));
    setFocus(d);
  };
  const onKey = (e: KeyboardEvent, d: string) => {
    const step: Record<string, () => string> = {
      ArrowLeft: () => addDays(d, -1), ArrowRight: () => addDays(d, 1), ArrowUp: () => addDays(d, -7), ArrowDown: () => addDays(d, 7),
      Home: () => addDays(d, 1 - weekday(d)), End: () => addDays(d, 7 - weekday(d)),
      PageUp: () => addDays(d, -28), PageDown: () => addDays(d, 28),
    };
    const to = step[e.key];
    if (!to) return;
    e.preventDefault();
    go(to());
  };

  const canPrev = monthStart(p.first) < start;
  const canNext = nextMonth(start) <= p.last;
  return (
    <div class="calendar">
      <div class="calendar-head">
        <button type="button" class="quiet" onClick={() => p.onMonth(prevMonth(start))} disabled={!canPrev} aria-label="Previous month">‹</button>
        <h3 id="cal-month" aria-live="polite">{formatMonth(start, p.zone)}</h3>
        <button type="button" class="quiet" onClick={() => p.onMonth(nextMonth(start))} disabled={!canNext} aria-label="Next month">›</button>
      </div>
      <div role="grid" aria-labelledby="cal-month" ref={grid} aria-busy={p.loading}>
        <div role="row" class="calendar-row">
          {WEEKDAYS.map((w) => <span role="columnheader" class="calendar-wd" key={w}>{w}</span>)}
        </div>
        {rows(lead, days).map((week, i) => (
          <div role="row" class="calendar-row" key={i}>
            {week.map((d, j) => {
              if (!d) return <span role="gridcell" key={j} />;
              const inRange = d >= p.first && d <= p.last;
              const open = inRange && p.open.has(d);
              const label = `${formatDate(d, p.zone)}${open ? '' : p.loading && inRange ? ', loading' : ', no tables'}`;
              return (
                <span role="gridcell" key={d}>
                  <button
                    type="button"
                    data-date={d}
                    class={`day${open ? ' open' : ''}${p.selected === d ? ' selected' : ''}`}
                    tabIndex={d === focus ? 0 : -1}
                    aria-disabled={!open}
                    aria-pressed={p.selected === d}
                    aria-label={label}
                    onKeyDown={(e) => onKey(e as unknown as KeyboardEvent, d)}
                    onFocus={() => setFocus(d)}
                    onClick={() => open && p.onSelect(d)}
                  >
                    {Number(d.slice(8))}
                  </button>
                </span>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

function firstOpen(days: string[], p: CalendarProps): string | null {
  return days.find((d) => d >= p.first && d <= p.last && p.open.has(d)) ?? null;
}

function rows(lead: number, days: string[]): (string | null)[][] {
  const cells: (string | null)[] = [...Array<null>(lead).fill(null), ...days];
  while (cells.length % 7) cells.push(null);
  const out: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) out.push(cells.slice(i, i + 7));
  return out;
}
