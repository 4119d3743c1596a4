// F_BRAIN load test (k6). `k6 run load-tests/performance.js` — scenario from SCENARIO (default smoke).
//
// Env: BASE_URL (default http://localhost:8000), SCENARIO (smoke|load|stress|spike|soak|saturate|rate; VUS, RATE),
//      TOKEN (use an existing API token) or USERNAME/PASSWORD (sign in) — otherwise setup() signs up a
//      fresh user (needs SIGNUP_ENABLED=true on the server); SEED_NOTES (default 200); SUMMARY_DIR (default .).
import http from 'k6/http';
import { check, fail } from 'k6';
import { Counter } from 'k6/metrics';
import { textSummary } from './lib/summary.js';

const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8000').replace(/\/$/, '');
const API = `${BASE_URL}/api/v1`;
const SCENARIO = __ENV.SCENARIO || 'smoke';
const SEED_NOTES = parseInt(__ENV.SEED_NOTES || '200', 10);
const SUMMARY_DIR = (__ENV.SUMMARY_DIR || '.').replace(/\/$/, '');
const WORDS = ['idée', 'café', 'réseau', 'graph', 'linking', 'memory', 'zettel', 'garden', 'paper', 'review',
  'project', 'meeting', 'résumé', 'python', 'django', 'search', 'brain', 'notebook', 'journal', 'reading'];

const SCENARIOS = {
  smoke: { executor: 'constant-vus', vus: 1, duration: __ENV.DURATION || '30s' },
  load: {
    executor: 'ramping-vus', startVUs: 1,
    stages: [{ duration: '30s', target: 10 }, { duration: __ENV.DURATION || '2m', target: 10 }, { duration: '15s', target: 0 }],
  },
  stress: {
    executor: 'ramping-vus', startVUs: 1,
    stages: [{ duration: '30s', target: 20 }, { duration: '1m', target: 40 }, { duration: '1m', target: 60 }, { duration: '30s', target: 0 }],
  },
  spike: {
    executor: 'ramping-vus', startVUs: 1,
    stages: [{ duration: '20s', target: 5 }, { duration: '10s', target: 60 }, { duration: '40s', target: 60 }, { duration: '10s', target: 5 }, { duration: '20s', target: 5 }],
  },
  soak: { executor: 'constant-vus', vus: 8, duration: __ENV.DURATION || '30m' },
  // For scripts/bench/bench_load.py: the mix's saturating throughput (closed model), then an open-model run
  // at a fixed rate (half of it) for latency and errors.
  saturate: { executor: 'constant-vus', vus: parseInt(__ENV.VUS || '16', 10), duration: __ENV.DURATION || '60s' },
  rate: {
    executor: 'constant-arrival-rate', rate: parseInt(__ENV.RATE || '50', 10), timeUnit: '1s',
    duration: __ENV.DURATION || '60s', preAllocatedVUs: 20, maxVUs: 200,
  },
};
if (!SCENARIOS[SCENARIO]) {
  throw new Error(`unknown SCENARIO ${SCENARIO}: choose one of ${Object.keys(SCENARIOS).join(', ')}`);
}

// Stress, spike and saturate look for the breaking point: their latency limits are looser, failures still count.
const relaxed = SCENARIO === 'stress' || SCENARIO === 'spike' || SCENARIO === 'saturate';
export const options = {
  scenarios: { [SCENARIO]: SCENARIOS[SCENARIO] },
  setupTimeout: '5m',
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: [relaxed ? 'p(95)<1500' : 'p(95)<300'],
    'http_req_duration{endpoint:note_read}': [relaxed ? 'p(95)<1000' : 'p(95)<200'],
    'http_req_duration{endpoint:note_list}': [relaxed ? 'p(95)<1000' : 'p(95)<250'],
    'http_req_duration{endpoint:search}': [relaxed ? 'p(95)<1500' : 'p(95)<300'],
    'http_req_duration{endpoint:note_create}': [relaxed ? 'p(95)<1500' : 'p(95)<400'],
    'http_req_duration{endpoint:note_update}': [relaxed ? 'p(95)<1500' : 'p(95)<400'],
    'http_req_duration{endpoint:backlinks}': [relaxed ? 'p(95)<1000' : 'p(95)<250'],
    'http_req_duration{endpoint:graph}': [relaxed ? 'p(95)<2000' : 'p(95)<500'],
    'http_req_duration{endpoint:bookmark_create}': [relaxed ? 'p(95)<1500' : 'p(95)<400'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

const conflicts = new Counter('version_conflicts');

function word(i) { return WORDS[Math.abs(i) % WORDS.length]; }
function headers(token) {
  return { headers: { Authorization: `Token ${token}`, 'Content-Type': 'application/json' } };
}
function tagged(token, endpoint) {
  const params = headers(token);
  params.tags = { endpoint };
  return params;
}

function obtainToken() {
  if (__ENV.TOKEN) return __ENV.TOKEN;
  let username = __ENV.USERNAME;
  let password = __ENV.PASSWORD;
  if (!username) {
    username = `k6-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    password = `k6-${Math.random().toString(36).slice(2)}-Passphrase!`;
    const signup = http.post(`${API}/auth/signup`, JSON.stringify({ username, password }),
      { headers: { 'Content-Type': 'application/json' }, tags: { endpoint: 'setup' } });
    if (signup.status !== 201) fail(`sign-up failed (${signup.status}): ${signup.body} — set TOKEN or USERNAME/PASSWORD, or SIGNUP_ENABLED=true`);
  }
  const res = http.post(`${API}/auth/token`, JSON.stringify({ username, password, name: 'k6' }),
    { headers: { 'Content-Type': 'application/json' }, tags: { endpoint: 'setup' } });
  if (res.status !== 201) fail(`sign-in failed (${res.status}): ${res.body}`);
  return res.json('token');
}

export function setup() {
  const token = obtainToken();
  const run = Date.now().toString(36);
  const ids = [];
  for (let start = 0; start < SEED_NOTES; start += 20) {
    const batch = [];
    for (let i = start; i < Math.min(start + 20, SEED_NOTES); i++) {
      const title = `Seed ${run} ${i} ${word(i)}`;
      const body = `# ${title}\n\nAbout ${word(i)} and ${word(i * 7)} with #${word(i * 3)}.\n\n` +
        `See [[Seed ${run} ${(i + 1) % SEED_NOTES} ${word(i + 1)}]] and [[Seed ${run} ${(i + 7) % SEED_NOTES} ${word(i + 7)}]].`;
      batch.push(['POST', `${API}/notes/`, JSON.stringify({ title, body, tags: [`k6/${word(i)}`] }), tagged(token, 'setup')]);
    }
    for (const res of http.batch(batch)) {
      if (res.status !== 201) fail(`seeding failed (${res.status}): ${res.body}`);
      ids.push(res.json('id'));
    }
  }
  return { token, ids, run };
}

function pick(ids) { return ids[Math.floor(Math.random() * ids.length)]; }

function readNote(data) {
  const res = http.get(`${API}/notes/${pick(data.ids)}/`, tagged(data.token, 'note_read'));
  check(res, { 'note read 200': (r) => r.status === 200 });
}
function listNotes(data) {
  const res = http.get(`${API}/notes/?page_size=20`, tagged(data.token, 'note_list'));
  check(res, { 'note list 200': (r) => r.status === 200 && r.json('results').length > 0 });
}
function search(data) {
  const queries = [word(__ITER), `${word(__ITER).slice(0, 3)}`, `"${word(__ITER)} and"`, `${word(__ITER)} -${word(__ITER + 1)}`, 'cafe'];
  const q = encodeURIComponent(queries[__ITER % queries.length]);
  const res = http.get(`${API}/search/?q=${q}&page_size=20`, tagged(data.token, 'search'));
  check(res, { 'search 200': (r) => r.status === 200 });
}
function createNote(data) {
  const title = `k6 ${data.run} vu${__VU} it${__ITER}`;
  const body = `Written under load about ${word(__ITER)}. Links to [[Seed ${data.run} 0 ${word(0)}]] #k6/load`;
  const res = http.post(`${API}/notes/`, JSON.stringify({ title, body }), tagged(data.token, 'note_create'));
  check(res, { 'note create 201': (r) => r.status === 201 });
}
function updateNote(data) {
  const id = pick(data.ids);
  const current = http.get(`${API}/notes/${id}/`, tagged(data.token, 'note_read'));
  if (current.status !== 200) { check(current, { 'note read 200': () => false }); return; }
  const res = http.patch(`${API}/notes/${id}/`,
    JSON.stringify({ body: `${current.json('body')}\n\nEdited by VU ${__VU} #k6/edited`, version: current.json('version') }),
    { ...tagged(data.token, 'note_update'), responseCallback: http.expectedStatuses(200, 409, 412) });
  // Two VUs editing the same note: the second gets a version conflict, which is the correct answer.
  if (res.status === 409 || res.status === 412) conflicts.add(1);
  check(res, { 'note update 200 or conflict': (r) => [200, 409, 412].includes(r.status) });
}
function backlinks(data) {
  const res = http.get(`${API}/notes/${pick(data.ids)}/backlinks/`, tagged(data.token, 'backlinks'));
  check(res, { 'backlinks 200': (r) => r.status === 200 });
}
function graph(data) {
  const res = http.get(`${API}/graph/?page_size=100`, tagged(data.token, 'graph'));
  check(res, { 'graph 200': (r) => r.status === 200 });
}
function createBookmark(data) {
  // Pages of the server under test itself: load-test traffic never leaves this machine. Each URL has its
  // own path, as real bookmarks do (the placeholder title is host + path; thousands of bookmarks of one
  // path within seconds exhaust the "Title (n)" variants and answer 409 — reported, not a load pattern).
  const url = `${BASE_URL}/k6/${data.run}/${__VU}/${__ITER}`;
  const res = http.post(`${API}/bookmarks`, JSON.stringify({ url }),
    { ...tagged(data.token, 'bookmark_create'), responseCallback: http.expectedStatuses(200, 201) });
  check(res, { 'bookmark create 201': (r) => r.status === 201 || r.status === 200 });
}

// ~50% reads and lists, 20% search, 15% creates/updates, 10% backlinks/graph, 5% bookmark creates.
const MIX = [
  [30, readNote], [20, listNotes], [20, search], [8, createNote], [7, updateNote],
  [7, backlinks], [3, graph], [5, createBookmark],
];
const TOTAL = MIX.reduce((sum, [weight]) => sum + weight, 0);

export default function (data) {
  let roll = Math.random() * TOTAL;
  for (const [weight, action] of MIX) {
    roll -= weight;
    if (roll < 0) { action(data); return; }
  }
}

export function handleSummary(data) {
  // The summary is written to disk and shared: never with the API token setup() created.
  if (data.setup_data && data.setup_data.token) data.setup_data.token = '(removed)';
  return {
    [`${SUMMARY_DIR}/k6-summary-${SCENARIO}.json`]: JSON.stringify(data, null, 2),
    [`${SUMMARY_DIR}/k6-summary-${SCENARIO}.txt`]: textSummary(data),
    stdout: textSummary(data),
  };
}
