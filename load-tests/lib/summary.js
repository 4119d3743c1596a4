// A small text summary for handleSummary (k6's jslib summary needs the internet; this does not).

function fmt(value, unit) {
  if (value === undefined || value === null) return '-';
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(2)}ms`;
  if (unit === 'rate') return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? `${value}` : value.toFixed(2);
}

export function textSummary(data) {
  const lines = ['', 'F_BRAIN k6 summary', '=================='];
  const names = Object.keys(data.metrics).sort();
  let failed = 0;
  for (const name of names) {
    const metric = data.metrics[name];
    const v = metric.values;
    let text;
    if (metric.type === 'trend') {
      const unit = metric.contains === 'time' ? 'ms' : '';
      text = ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'].map((k) => `${k}=${fmt(v[k], unit)}`).join(' ');
    } else if (metric.type === 'rate') {
      text = `${fmt(v.rate, 'rate')} (${v.passes} of ${v.passes + v.fails})`;
    } else if (metric.type === 'counter') {
      text = `${fmt(v.count)} (${fmt(v.rate)}/s)`;
    } else {
      text = `value=${fmt(v.value)} min=${fmt(v.min)} max=${fmt(v.max)}`;
    }
    lines.push(`  ${name.padEnd(52)} ${text}`);
    for (const [threshold, result] of Object.entries(metric.thresholds || {})) {
      if (!result.ok) failed += 1;
      lines.push(`      ${result.ok ? 'PASS' : 'FAIL'} threshold ${threshold}`);
    }
  }
  lines.push('', failed ? `THRESHOLDS FAILED: ${failed}` : 'all thresholds passed', '');
  return lines.join('\n');
}
