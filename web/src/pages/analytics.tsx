import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, errorText, type Venue } from '../api';
import { hasRoute } from '../capabilities';
import { addDays, daysBetween, formatDay, formatMoney, isDate, percent, todayIn, WEEKDAYS } from '../format';
import { useSession } from '../session';

/** The figures of CONTRACT §9.1, for the totals and each series entry. */
export interface Figures {
  bookings: number;
  covers: number;
  completed: number;
  cancelled: number;
  no_shows: number;
  no_show_rate: number | null;
  revenue: number;
  matched_revenue: number;
  unmatched_revenue: number;
  match_rate: number | null;
  spend_per_cover: number | null;
  average_party_size: number | null;
}

interface Analytics {
  from: string;
  to: string;
  currency: string;
  totals: Figures;
  series: (Figures & { key: string | number | null; name?: string | null })[];
}

type GroupBy = 'day' | 'service' | 'weekday';

/** `/app/analytics?from=&to=&group_by=`: revenue, covers, spend per cover, match and no-show rates. */
export function AnalyticsPage() {
  const { venue } = useSession();
  if (!venue) return <p role="status">Loading the venue…</p>;
  return <AnalyticsView venue={venue} />;
}

function AnalyticsView({ venue }: { venue: Venue }) {
  const { query, route } = useLocation();
  const today = todayIn(venue.timezone);
  const to = isDate(query.to) ? query.to : today;
  const from = isDate(query.from) ? query.from : addDays(to, -27);
  const groupBy = (['day', 'service', 'weekday'].includes(query.group_by ?? '') ? query.group_by : 'day') as GroupBy;
  const [available, setAvailable] = useState<boolean | null>(null);
  const [data, setData] = useState<Analytics | null>(null);
  const [error, setError] = useState<string | null>(null);

  const set = (next: Partial<{ from: string; to: string; group_by: GroupBy }>) => {
    const p = new URLSearchParams({ from, to, group_by: groupBy, ...next });
    route(`/app/analytics?${p.toString()}`, true);
  };

  useEffect(() => { hasRoute('get', '/api/v1/analytics').then(setAvailable); }, []);

  useEffect(() => {
    if (!available) return undefined;
    let stale = false;
    setData(null);
    setError(null);
    if (from > to) {
      setError('The start date is after the end date: swap them.');
      return undefined;
    }
    if (daysBetween(from, to) + 1 > 366) {
      setError('Choose at most 366 days.');
      return undefined;
    }
    api<Analytics>('GET', `/analytics?from=${from}&to=${to}&group_by=${groupBy}`).then(
      (d) => { if (!stale) setData(d); },
      (err) => { if (!stale) setError(errorText(err, 'Could not load the figures.')); },
    );
    return () => { stale = true; };
  }, [available, from, to, groupBy]);

  const money = (n: number | null | undefined) => (n === null || n === undefined ? '—' : formatMoney(Math.round(n), data?.currency ?? venue.currency, venue));
  const label = (key: string | number | null, name?: string | null) => {
    if (groupBy === 'weekday') return WEEKDAYS[Number(key) - 1] ?? String(key);
    if (groupBy === 'service') return name ?? venue.services?.find((s) => s.id === key)?.name ?? (key === null ? 'Outside services' : String(key));
    return formatDay(String(key), venue, false);
  };
  // Chart axes have room for a short label: `4 Nov`, `Mon`, the service's name.
  const short = (key: string | number | null, name?: string | null) => {
    if (groupBy === 'weekday') return (WEEKDAYS[Number(key) - 1] ?? String(key)).slice(0, 3);
    if (groupBy === 'service') return label(key, name);
    return new Intl.DateTimeFormat(venue.country ? `en-${venue.country}` : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${key}T00:00:00Z`));
  };
  const axisLabels = data?.series.map((s) => short(s.key, s.name)) ?? [];
  const xName = groupBy === 'day' ? 'Day' : groupBy === 'service' ? 'Service' : 'Weekday';

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics</h1>
      <form class="card filters" onSubmit={(e) => e.preventDefault()} aria-label="Range">
        <div>
          <label for="an-from">From</label>
          <input id="an-from" type="date" value={from} max={to} onChange={(e) => { const v = (e.target as HTMLInputElement).value; if (isDate(v)) set({ from: v }); }} />
        </div>
        <div>
          <label for="an-to">To</label>
          <input id="an-to" type="date" value={to} onChange={(e) => { const v = (e.target as HTMLInputElement).value; if (isDate(v)) set({ to: v }); }} />
        </div>
        <div>
          <label for="an-group">Group by</label>
          <select id="an-group" value={groupBy} onChange={(e) => set({ group_by: (e.target as HTMLSelectElement).value as GroupBy })}>
            <option value="day">Day</option>
            <option value="service">Service</option>
            <option value="weekday">Weekday</option>
          </select>
        </div>
        <div class="presets" role="group" aria-label="Quick ranges">
          <button type="button" class="small-btn" onClick={() => set({ from: addDays(today, -6), to: today })}>7 days</button>
          <button type="button" class="small-btn" onClick={() => set({ from: addDays(today, -27), to: today })}>4 weeks</button>
          <button type="button" class="small-btn" onClick={() => set({ from: `${today.slice(0, 8)}01`, to: today })}>This month</button>
          <button type="button" class="small-btn" onClick={() => set({ from: addDays(today, -364), to: today })}>12 months</button>
        </div>
      </form>

      {available === false && (
        <p class="card notice" role="note">Analytics is not available on this server yet (it has no <code>GET /api/v1/analytics</code>). It appears here once the server is updated.</p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {available && !data && !error && <p role="status">Loading the figures…</p>}
      {data && (
        <>
          <div class="kpis">
            <Kpi value={money(data.totals.revenue)} label="revenue" />
            <Kpi value={String(data.totals.covers)} label={`covers · ${data.totals.bookings} bookings`} />
            <Kpi value={money(data.totals.spend_per_cover)} label="spend per cover" />
            <Kpi value={percent(data.totals.match_rate)} label="sales matched" />
            <Kpi value={percent(data.totals.no_show_rate)} label="no-show rate" />
          </div>
          {data.series.length === 0 || data.totals.bookings + data.totals.revenue === 0 ? (
            <p class="card notice empty">No bookings or sales between {formatDay(from, venue)} and {formatDay(to, venue)}. Choose a wider range.</p>
          ) : (
            <div class="charts">
              <Chart title="Revenue and spend per cover" labels={axisLabels} xName={xName} series={[
                { label: 'Revenue', values: data.series.map((s) => s.revenue), kind: 'bars', color: '#1f4f99', money: true },
                { label: 'Matched', values: data.series.map((s) => s.matched_revenue), kind: 'line', color: '#1e7a3c', money: true },
                { label: 'Spend per cover', values: data.series.map((s) => s.spend_per_cover), kind: 'line', color: '#c0591a', money: true, right: true },
              ]} format={money} />
              <Chart title="Covers and bookings" labels={axisLabels} xName={xName} series={[
                { label: 'Covers', values: data.series.map((s) => s.covers), kind: 'bars', color: '#6a3fb0' },
                { label: 'Bookings', values: data.series.map((s) => s.bookings), kind: 'line', color: '#1f4f99' },
              ]} format={(n) => String(n ?? '—')} />
              <Chart title="Match and no-show rates" labels={axisLabels} xName={xName} series={[
                { label: 'Sales matched', values: data.series.map((s) => (s.match_rate === null ? null : s.match_rate * 100)), kind: 'line', color: '#1e7a3c' },
                { label: 'No-show rate', values: data.series.map((s) => (s.no_show_rate === null ? null : s.no_show_rate * 100)), kind: 'line', color: '#b3261e' },
              ]} format={(n) => (n === null || n === undefined ? '—' : `${n.toFixed(0)}%`)} />
            </div>
          )}
          <div class="table-scroll" role="region" aria-label="Figures" tabIndex={0}>
            <table class="analytics-table">
              <thead>
                <tr>
                  <th scope="col">{groupBy === 'day' ? 'Day' : groupBy === 'service' ? 'Service' : 'Weekday'}</th>
                  <th scope="col" class="num">Bookings</th><th scope="col" class="num">Covers</th><th scope="col" class="num">Avg party</th>
                  <th scope="col" class="num">Completed</th><th scope="col" class="num">Cancelled</th><th scope="col" class="num">No-shows</th>
                  <th scope="col" class="num">No-show rate</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Matched</th>
                  <th scope="col" class="num">Unmatched</th><th scope="col" class="num">Match rate</th><th scope="col" class="num">Spend / cover</th>
                </tr>
              </thead>
              <tbody>
                {data.series.map((s) => <FigureRow key={String(s.key)} name={label(s.key, s.name)} f={s} money={money} />)}
              </tbody>
              <tfoot><FigureRow name="Total" f={data.totals} money={money} /></tfoot>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Kpi({ value, label }: { value: string; label: string }) {
  return <div class="kpi"><span class="kpi-value">{value}</span><span class="kpi-label">{label}</span></div>;
}

function FigureRow({ name, f, money }: { name: string; f: Figures; money: (n: number | null) => string }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td class="num">{f.bookings}</td><td class="num">{f.covers}</td>
      <td class="num">{f.average_party_size === null || f.average_party_size === undefined ? '—' : f.average_party_size.toFixed(1)}</td>
      <td class="num">{f.completed}</td><td class="num">{f.cancelled}</td><td class="num">{f.no_shows}</td>
      <td class="num">{percent(f.no_show_rate)}</td><td class="num">{money(f.revenue)}</td><td class="num">{money(f.matched_revenue)}</td>
      <td class="num">{money(f.unmatched_revenue)}</td><td class="num">{percent(f.match_rate)}</td><td class="num">{money(f.spend_per_cover)}</td>
    </tr>
  );
}

interface ChartSeries {
  label: string;
  values: (number | null)[];
  kind: 'bars' | 'line';
  color: string;
  money?: boolean;
  right?: boolean;
}

/** One uPlot chart over categories (days, services or weekdays), sized to its box. */
function Chart({ title, labels, xName, series, format }: { title: string; labels: string[]; xName: string; series: ChartSeries[]; format: (n: number | null) => string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const xs = labels.map((_, i) => i);
    const step = Math.max(1, Math.ceil(labels.length / Math.max(2, Math.floor((el.clientWidth - 140) / 64))));
    const money = (v: number) => format(v).replace(/\.00$/, '');
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height: 220,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, r: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { splits: () => xs.filter((i) => i % step === 0), values: (_u, splits) => splits.map((i) => labels[i] ?? ''), grid: { show: false } },
        { values: (_u, splits) => splits.map((v) => (series.some((s) => s.money && !s.right) ? money(v) : format(v))), size: 70 },
        ...(series.some((s) => s.right) ? [{ scale: 'r', side: 1, grid: { show: false }, values: (_u: uPlot, splits: number[]) => splits.map(money), size: 60 } as uPlot.Axis] : []),
      ],
      series: [
        { label: xName, value: (_u, i) => (i === null ? '' : labels[i] ?? '') },
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: s.kind === 'line' ? 2 : 0,
          fill: s.kind === 'bars' ? `${s.color}cc` : undefined,
          scale: s.right ? 'r' : 'y',
          points: { show: s.kind === 'line' && labels.length <= 40 },
          spanGaps: true,
          paths: s.kind === 'bars' ? uPlot.paths.bars!({ size: [0.6, 48] }) : undefined,
          value: (_u, v) => format(v),
        })),
      ],
    };
    const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 220 }));
    ro.observe(el);
    return () => { ro.disconnect(); plot.destroy(); };
  }, [labels.join('|'), JSON.stringify(series.map((s) => s.values))]);
  return (
    <figure class="card chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" role="img" aria-label={`${title}: chart of the table below`} />
    </figure>
  );
}
