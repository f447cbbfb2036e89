// Web vitals as the performance and releases pages show them: Google's rating colours, the share of
// good / needs-improvement / poor samples as a bar, and a p75's change against another p75.
import { formatVital } from './format.js';

/** The vitals in API.md's order. */
export const VITALS = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB', 'FID'];
export const RATING_LABEL = { good: 'Good', 'needs-improvement': 'Needs improvement', needsImprovement: 'Needs improvement', poor: 'Poor' };

export function ratingClass(r) {
  return `rating rating-${r === 'needsImprovement' ? 'needs-improvement' : r}`;
}

/** The samples' ratings as one bar: good, needs improvement and poor, each as wide as its share. */
export function Distribution({ m }) {
  const total = m.good + m.needsImprovement + m.poor || 1;
  return (
    <span class="distribution" role="img" aria-label={`${m.good} good, ${m.needsImprovement} need improvement, ${m.poor} poor`}>
      <span class="rating-good" style={{ width: `${(100 * m.good) / total}%` }} />
      <span class="rating-needs-improvement" style={{ width: `${(100 * m.needsImprovement) / total}%` }} />
      <span class="rating-poor" style={{ width: `${(100 * m.poor) / total}%` }} />
    </span>
  );
}

/** A p75's change, signed, in the vital's unit; up is worse for every vital (slower, or more shift). */
export function VitalChange({ name, change }) {
  if (change == null) return <span class="muted">–</span>;
  const cls = change > 0 ? 'worse' : change < 0 ? 'better' : '';
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  return (
    <span class={`change ${cls}`}>
      {sign}
      {formatVital(name, Math.abs(change))}
      <span class="visually-hidden">{change > 0 ? ' (worse)' : change < 0 ? ' (better)' : ''}</span>
    </span>
  );
}
