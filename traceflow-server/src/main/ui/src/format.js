// Numbers and times in the browser's locale and time zone (navigator.language, Intl's zone).

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function formatInteger(n) {
  return n == null ? '–' : integer.format(n);
}

export function formatDecimal(n) {
  return n == null ? '–' : decimal.format(n);
}

/** @param ratio 0..1 */
export function formatPercent(ratio) {
  return ratio == null ? '–' : percent.format(ratio);
}

/** Seconds as "1 min 5 s" / "42 s". */
export function formatSeconds(s) {
  if (s == null) return '–';
  if (s < 60) return `${decimal.format(s)} s`;
  const m = Math.floor(s / 60);
  return `${integer.format(m)} min ${integer.format(Math.round(s % 60))} s`;
}

/** Milliseconds of a web vital ("1.2 s", "180 ms"); CLS is unitless. */
export function formatVital(name, v) {
  if (v == null) return '–';
  if (name === 'CLS') return decimal.format(v);
  return v >= 1000 ? `${decimal.format(v / 1000)} s` : `${integer.format(v)} ms`;
}

export function formatMoney(n) {
  return n == null ? '–' : decimal.format(n);
}

export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '–';
}

/** The time of day with seconds, for what happens now (the live page). */
export function formatTime(iso) {
  return iso ? timeOfDay.format(new Date(iso)) : '–';
}

export function formatAgo(iso) {
  if (!iso) return '–';
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(Math.round(seconds), 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

const plurals = new Intl.PluralRules(undefined);

/** "1 group", "3 groups": the count formatted, then the word for it. */
export function countOf(n, one, other) {
  return `${formatInteger(n)} ${plurals.select(n) === 'one' ? one : other}`;
}

/** The seconds between two ISO times (the second defaulting to now), as formatSeconds; '–' before the first. */
export function formatBetween(fromIso, toIso) {
  if (!fromIso) return '–';
  const ms = (toIso ? new Date(toIso).getTime() : Date.now()) - new Date(fromIso).getTime();
  return formatSeconds(Math.max(0, Math.round(ms / 100) / 10));
}

const bytes = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A size in bytes as "12.3 MiB". */
export function formatBytes(n) {
  if (n == null) return '–';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < bytes.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? integer.format(v) : decimal.format(v)} ${bytes[i]}`;
}

/** A signed change of a ratio in percentage points ("+1.2 pp", "−0.5 pp"). */
export function formatPointsChange(delta) {
  if (delta == null) return '–';
  const pp = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
  return `${pp.format(delta * 100)} pp`;
}
