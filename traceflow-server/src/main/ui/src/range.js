// Time ranges of the pages: presets counted in the browser's time zone, kept in the URL (?range=)
// so a link shows the same period to whoever opens it.
import { timeZone } from './format.js';

export const PRESETS = [
  { id: '1h', label: 'Last hour' },
  { id: '24h', label: 'Last 24 hours' },
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: 'custom', label: 'Custom…' },
];

export const DEFAULT_RANGE = '24h';

function startOfDay(d) {
  const s = new Date(d);
  s.setHours(0, 0, 0, 0);
  return s;
}

/** Buckets for a span: minutes up to 2 hours, hours up to 2 days, else days (the API's limits are far). */
function granularityFor(ms) {
  return ms <= 2 * 3600_000 ? 'minute' : ms <= 48 * 3600_000 ? 'hour' : 'day';
}

/**
 * A custom range from the URL's from / to (datetime-local values, read in the browser's zone).
 * @returns null when either is missing, unreadable or from is not before to
 */
export function customRange(fromText, toText) {
  const from = fromText ? new Date(fromText) : null;
  const to = toText ? new Date(toText) : null;
  if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) return null;
  return { from, to, granularity: granularityFor(to - from), tz: timeZone };
}

/** A Date as a datetime-local input's value in the browser's zone. */
export function localInputValue(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * @param id a preset id
 * @returns {{from: Date, to: Date, granularity: string, tz: string}} to is exclusive
 */
export function resolveRange(id, now = new Date()) {
  const hours = (h) => new Date(now.getTime() - h * 3600_000);
  switch (id) {
    case '1h':
      return { from: hours(1), to: now, granularity: 'minute', tz: timeZone };
    case 'today':
      return { from: startOfDay(now), to: now, granularity: 'hour', tz: timeZone };
    case 'yesterday': {
      const to = startOfDay(now);
      const from = startOfDay(new Date(to.getTime() - 12 * 3600_000));
      return { from, to, granularity: 'hour', tz: timeZone };
    }
    case '7d':
      return { from: startOfDay(new Date(now.getTime() - 6 * 86400_000)), to: now, granularity: 'day', tz: timeZone };
    case '30d':
      return { from: startOfDay(new Date(now.getTime() - 29 * 86400_000)), to: now, granularity: 'day', tz: timeZone };
    default:
      return { from: hours(24), to: now, granularity: 'hour', tz: timeZone };
  }
}

/** The range's parameters for an answer endpoint. */
export function rangeParams(range) {
  return { from: range.from.toISOString(), to: range.to.toISOString(), granularity: range.granularity, tz: range.tz };
}

/**
 * The range a page's URL asks for (?range=, or ?range=custom&from=&to=), counted back from now.
 * @returns {{id: string, range: {from: Date, to: Date, granularity: string, tz: string}}}
 */
export function rangeFromSearch(search, now = new Date()) {
  const id = search.get('range') || DEFAULT_RANGE;
  const custom = id === 'custom' ? customRange(search.get('from'), search.get('to')) : null;
  return { id, range: custom || resolveRange(id === 'custom' ? DEFAULT_RANGE : id, now) };
}

// The first app page counts its range back from the page's start, as main.jsx's boot did when it
// asked for that page's data ahead: both then ask for the same paths, and the page takes the answers
// already on their way. Later pages count from their own navigation ("Last hour" = the hour before
// the click).
let bootNow = new Date();

/** The time the boot's prefetch counts ranges from. */
export function bootTime() {
  return bootNow || new Date();
}

/** The time an app page's range counts back from: the boot's, once and soon after it, else now. */
export function rangeNow() {
  const now = bootNow && Date.now() - bootNow.getTime() < 10_000 ? bootNow : new Date();
  bootNow = null;
  return now;
}
