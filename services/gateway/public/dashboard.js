// simstream dashboard: lists the caller's simulations and draws live anomaly scores (with the
// labelled event of a benchmark run marked).
// EventSource cannot send an Authorization header, so the event stream is read with fetch()
// and parsed here; on a dropped stream it reconnects with Last-Event-ID (no gap, no repeat).
/* global document */
'use strict';

const KEY_ITEM = 'simstream.apiKey';
const HISTORY = 600;
const $ = (id) => document.getElementById(id);

let selected = null;
let streamAbort = null;
let scores = [];
// A labelled benchmark run (`bench sim-events --stream`) carries its event in its attributes.
let label = null;

function apiKey() {
  return sessionStorage.getItem(KEY_ITEM) ?? '';
}

function setStatus(id, text, isError = false) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle('error', isError);
}

async function api(path) {
  const res = await fetch(path, {
    headers: { authorization: `Bearer ${apiKey()}`, accept: 'application/json' },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status} ${body.code ?? ''}: ${body.detail ?? res.statusText}`);
  return { body, stale: res.headers.get('x-simstream-stale-ms') };
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

function fmt(x, digits = 3) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
}

async function refreshList() {
  if (apiKey() === '') return;
  try {
    const { body, stale } = await api('/v1/simulations?page_size=200');
    const rows = $('simulation-rows');
    rows.replaceChildren();
    for (const s of body.simulations) {
      const tr = document.createElement('tr');
      if (s.simulation_id === selected) tr.className = 'selected';
      cell(tr, s.simulation_id);
      cell(tr, s.kind || '—');
      cell(tr, String(s.frames));
      cell(tr, String(s.last_step));
      cell(tr, fmt(s.last_anomaly_score), (s.last_anomaly_score ?? 0) > 0.9 ? 'high' : '');
      tr.addEventListener('click', () => select(s));
      rows.appendChild(tr);
    }
    const when = new Date().toLocaleTimeString();
    setStatus(
      'list-status',
      `${body.simulations.length} simulations · ${when}${stale ? ` · stale (${Math.round(stale / 1000)} s old: query service unavailable)` : ''}`,
    );
  } catch (error) {
    setStatus('list-status', String(error.message ?? error), true);
  }
}

function labelOf(attributes) {
  const a = attributes ?? {};
  const onset = Number.parseInt(a.event_onset_step ?? '', 10);
  if (a.benchmark === undefined || !Number.isFinite(onset)) return null;
  const end = Number.parseInt(a.event_window_end_step ?? '', 10);
  return {
    onset,
    end: Number.isFinite(end) ? end : onset,
    name: a.event_class || 'event',
    what: a.event || '',
  };
}

function select(simulation) {
  selected = simulation.simulation_id;
  scores = [];
  label = labelOf(simulation.attributes);
  $('result-rows').replaceChildren();
  $('detail-title').textContent =
    `Live anomaly scores · ${selected}` + (label ? ` · ${label.name} at step ${label.onset}` : '');
  for (const tr of $('simulation-rows').children)
    tr.classList.toggle('selected', tr.firstChild.textContent === selected);
  streamAbort?.abort();
  const from = Math.max(0, (simulation.last_step ?? 0) - HISTORY);
  void follow(selected, from);
}

function parseEvent(block) {
  const event = { name: 'message', id: undefined, data: '' };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event.name = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') event.data += (event.data ? '\n' : '') + value;
  }
  return event;
}

async function follow(simulationId, fromStep) {
  const controller = new AbortController();
  streamAbort = controller;
  let lastId;
  while (!controller.signal.aborted && selected === simulationId) {
    const headers = { authorization: `Bearer ${apiKey()}`, accept: 'text/event-stream' };
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    const query = lastId === undefined ? `&from_step=${fromStep}` : '';
    try {
      const res = await fetch(
        `/v1/simulations/${encodeURIComponent(simulationId)}/results/stream?kind=neuromorphic${query}`,
        {
          headers,
          signal: controller.signal,
        },
      );
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw new Error(`${res.status} ${body.code ?? ''}: ${body.detail ?? res.statusText}`);
      }
      setStatus('stream-status', 'live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event.id !== undefined) lastId = event.id;
          if (event.name === 'result') onResult(JSON.parse(event.data));
          if (event.name === 'error')
            setStatus('stream-status', `stream ended: ${JSON.parse(event.data).detail}`, true);
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      setStatus('stream-status', `${error.message ?? error} · reconnecting`, true);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function onResult(result) {
  const n = result.neuromorphic ?? {};
  scores.push({ step: result.step, score: n.anomaly_score ?? result.score });
  if (scores.length > HISTORY) scores.splice(0, scores.length - HISTORY);
  const tr = document.createElement('tr');
  cell(tr, String(result.step));
  cell(tr, fmt(result.sim_time));
  cell(tr, fmt(n.anomaly_score ?? result.score), (n.anomaly_score ?? 0) > 0.9 ? 'high' : '');
  cell(tr, fmt(n.raw_score));
  cell(tr, fmt(n.spike_rate));
  cell(tr, n.pattern_id === undefined ? '—' : String(n.pattern_id));
  const rows = $('result-rows');
  rows.insertBefore(tr, rows.firstChild);
  while (rows.children.length > 15) rows.removeChild(rows.lastChild);
  draw();
}

function draw() {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = '#e5e9f0';
  for (const y of [0.25, 0.5, 0.75]) {
    ctx.beginPath();
    ctx.moveTo(0, height * (1 - y));
    ctx.lineTo(width, height * (1 - y));
    ctx.stroke();
  }
  ctx.strokeStyle = '#f2b8b5';
  ctx.beginPath();
  ctx.moveTo(0, height * 0.1);
  ctx.lineTo(width, height * 0.1);
  ctx.stroke();
  if (scores.length < 2) return;
  const first = scores[0].step;
  const span = Math.max(1, scores[scores.length - 1].step - first);
  const xOf = (step) => ((step - first) / span) * (width - 2) + 1;
  if (label && label.end >= first && label.onset <= first + span) {
    // The labelled event: its scoring window shaded, its onset a line.
    const left = xOf(Math.max(first, label.onset));
    ctx.fillStyle = 'rgba(242, 184, 181, 0.35)';
    ctx.fillRect(left, 0, Math.max(2, xOf(Math.min(first + span, label.end)) - left), height);
    ctx.strokeStyle = '#d1242f';
    ctx.beginPath();
    ctx.moveTo(xOf(label.onset), 0);
    ctx.lineTo(xOf(label.onset), height);
    ctx.stroke();
    ctx.fillStyle = '#d1242f';
    ctx.fillText(`${label.name}${label.what ? `: ${label.what}` : ''}`, left + 4, 12);
  }
  ctx.strokeStyle = '#1f6feb';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  scores.forEach((p, i) => {
    const x = xOf(p.step);
    const y = height - Math.min(1, Math.max(0, p.score)) * (height - 2) - 1;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY_ITEM, $('api-key').value.trim());
  $('api-key').value = '';
  void refreshList();
});
$('forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_ITEM);
  streamAbort?.abort();
  setStatus('list-status', 'Enter an API key with the read scope.');
});
void refreshList();
setInterval(() => void refreshList(), 10_000);
