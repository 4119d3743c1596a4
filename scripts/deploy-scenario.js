// Constant load for scripts/deploy-scenario.sh: every request must succeed while deploys,
// a failed deploy with its automatic rollback, and a manual rollback happen underneath.
// BASE_URL, RATE (requests/s, default 10), DURATION (default 15m), SUMMARY (JSON output path).
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const PATHS = ['/healthz', '/accounts/login/', '/'];

export const options = {
  scenarios: {
    constant: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 10),
      timeUnit: '1s',
      duration: __ENV.DURATION || '15m',
      preAllocatedVUs: 10,
      maxVUs: 60,
    },
  },
  thresholds: { http_req_failed: ['rate==0'], checks: ['rate==1'] },
};

export default function () {
  const path = PATHS[__ITER % PATHS.length];
  const res = http.get(`${BASE}${path}`, { timeout: '15s', tags: { name: path } });
  check(res, { 'status 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  const reqs = data.metrics.http_reqs ? data.metrics.http_reqs.values.count : 0;
  const failed = data.metrics.http_req_failed ? data.metrics.http_req_failed.values.passes : 0;
  const p95 = data.metrics.http_req_duration ? data.metrics.http_req_duration.values['p(95)'] : 0;
  return {
    [__ENV.SUMMARY || 'deploy-scenario-summary.json']: JSON.stringify(data),
    stdout: `k6: ${reqs} requests, ${failed} failed, p95 ${p95.toFixed(1)} ms\n`,
  };
}
