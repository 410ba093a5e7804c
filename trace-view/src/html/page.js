// trace-view's waterfall. Every text from the trace goes into the page through `textContent`
// (never as HTML), and only the rows in view exist as elements, so 100,000 spans open fast.
(() => {
  'use strict';

  const ROW_H = 22;
  const OVERSCAN = 15;
  // Span fields, as written by trace-view's html/mod.rs. NAME, KIND, PROCESS and CODE are
  // indices into the trace's `strings` (CODE is -1 when unknown): 100,000 spans repeat few.
  const S = { ID: 0, PARENT: 1, NAME: 2, KIND: 3, SERVICE: 4, PROCESS: 5, START: 6, DUR: 7,
    FLAGS: 8, ERROR: 9, TAGS: 10, CHECKPOINTS: 11, LINKS: 12, CODE: 13 };
  const F = { CRITICAL: 1, SKEW: 2, ORPHAN: 4, ERROR: 8 };

  const data = JSON.parse(document.getElementById('trace-data').textContent);
  const $ = (id) => document.getElementById(id);
  const rowsEl = $('rows');
  const spacer = $('spacer');
  const details = $('details');

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function fmtDur(ns) {
    const a = Math.abs(ns);
    const [v, u] = a < 1e3 ? [ns, 'ns'] : a < 1e6 ? [ns / 1e3, 'µs'] : a < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, 's'];
    if (u === 'ns') return `${v} ns`;
    const d = Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0;
    return `${v.toFixed(d)} ${u}`;
  }

  function serviceColor(i) {
    return `hsl(${(i * 137.508 + 210) % 360}, 60%, 52%)`;
  }

  // The current trace and what is shown of it.
  let trace = null;
  let spans = [];
  let rows = [];
  let nrows = 0;
  let collapsed = new Uint8Array(0);
  let visible = new Int32Array(0);
  let viewStart = 0;
  let viewEnd = 1;
  let selected = -1; // a span index
  let query = '';
  let haystack = null;

  function showTraceList() {
    const nav = $('trace-list');
    if (data.traces.length < 2) return;
    const frag = document.createDocumentFragment();
    data.traces.forEach((t, i) => {
      const b = el('button', 'trace-item');
      b.type = 'button';
      b.dataset.traceIndex = i;
      b.dataset.traceId = t.id;
      b.appendChild(el('span', 't-name', t.root || t.id));
      const meta = el('span', 't-meta', `${t.spans.length} spans · ${fmtDur(t.duration)}`);
      if (t.errors) meta.appendChild(el('span', 't-errors', ` · ${t.errors} errors`));
      if (t.missing) meta.appendChild(el('span', 't-missing', ` · incomplete: ${t.missing} spans missing`));
      b.appendChild(meta);
      frag.appendChild(b);
    });
    nav.appendChild(frag);
    nav.addEventListener('click', (e) => {
      const b = e.target.closest('.trace-item');
      if (b) openTrace(Number(b.dataset.traceIndex));
    });
  }

  function openTrace(index) {
    trace = data.traces[index];
    if (!trace) return;
    spans = trace.spans;
    rows = trace.rows;
    nrows = rows.length / 3;
    collapsed = new Uint8Array(nrows);
    viewStart = 0;
    viewEnd = Math.max(trace.duration, 1);
    selected = -1;
    query = '';
    haystack = null;
    $('search').value = '';
    $('reset-zoom').disabled = true;
    details.hidden = true;
    document.querySelectorAll('.trace-item').forEach((b) => {
      b.classList.toggle('current', Number(b.dataset.traceIndex) === index);
    });

    const head = $('trace-head');
    head.replaceChildren();
    head.appendChild(el('h1', null, trace.root || '(no root span)'));
    const meta = el('div', 'meta',
      `trace ${trace.id} · ${trace.start} · ${fmtDur(trace.duration)} · ${spans.length} spans · ${trace.errors} errors · ` +
      (trace.missing ? `incomplete: ${trace.missing} spans missing · ` : ''));
    trace.services.forEach((name, i) => {
      const l = el('span', 'legend');
      const dot = el('span', 'dot');
      dot.style.background = serviceColor(i);
      l.appendChild(dot);
      l.appendChild(el('span', null, name));
      meta.appendChild(l);
    });
    head.appendChild(meta);
    rowsEl.scrollTop = 0;
    refresh();
  }

  function orphanLabel(orphans, spans) {
    const what = orphans === 1 ? '1 orphan' : `${orphans} orphans`;
    return `${what} (parent not in the input): ${spans} spans with their children`;
  }

  function str(i) {
    return trace.strings[i];
  }

  function spanText(s) {
    const parts = [str(s[S.NAME]), trace.services[s[S.SERVICE]] || ''];
    for (const [k, v] of s[S.TAGS]) parts.push(`${k}=${v}`);
    if (s[S.ERROR] !== null) parts.push(s[S.ERROR]);
    return parts.join('\n').toLowerCase();
  }

  // Which rows are shown: without a search, every row not under a collapsed one; with one, the
  // spans whose name, service, tags or error contain it.
  function computeVisible() {
    const out = new Int32Array(nrows);
    let n = 0;
    if (query) {
      if (!haystack) haystack = spans.map(spanText);
      for (let r = 0; r < nrows; r++) {
        const s = rows[3 * r];
        if (s >= 0 && haystack[s].includes(query)) out[n++] = r;
      }
    } else {
      for (let r = 0; r < nrows;) {
        out[n++] = r;
        r = collapsed[r] ? rows[3 * r + 2] : r + 1;
      }
    }
    visible = out.subarray(0, n);
    spacer.style.height = `${n * ROW_H}px`;
    const what = query ? `${n} of ${spans.length} spans match` : `${n} of ${nrows} rows shown`;
    $('status').textContent = what;
  }

  function refresh() {
    computeVisible();
    drawAxis();
    render();
  }

  function drawAxis() {
    const axis = $('axis');
    axis.replaceChildren();
    const ticks = 5;
    for (let k = 0; k < ticks; k++) {
      const t = el('div', 'tick', fmtDur(viewStart + (k * (viewEnd - viewStart)) / ticks));
      t.style.left = `${(100 * k) / ticks}%`;
      axis.appendChild(t);
    }
  }

  function pct(ns) {
    return (100 * (ns - viewStart)) / (viewEnd - viewStart);
  }

  function render() {
    const top = rowsEl.scrollTop;
    const height = rowsEl.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(visible.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const frag = document.createDocumentFragment();
    for (let v = first; v < last; v++) frag.appendChild(makeRow(visible[v], v));
    spacer.replaceChildren(frag);
  }

  function makeRow(r, v) {
    const s = rows[3 * r];
    const depth = rows[3 * r + 1];
    const end = rows[3 * r + 2];
    const row = el('div', 'row');
    row.style.top = `${v * ROW_H}px`;
    row.dataset.row = r;
    const label = el('div', 'label');
    label.style.paddingLeft = `${4 + depth * 14}px`;
    const toggle = el('span', 'toggle', end > r + 1 ? (collapsed[r] ? '▸' : '▾') : '');
    if (end > r + 1) toggle.dataset.toggle = r;
    label.appendChild(toggle);
    row.appendChild(label);
    const lane = el('div', 'lane');
    row.appendChild(lane);
    if (s < 0) {
      row.classList.add('group');
      let orphans = 0;
      for (let o = r + 1; o < end; o++) if (rows[3 * o + 1] === 1) orphans++;
      label.appendChild(el('span', 'name', orphanLabel(orphans, end - r - 1)));
      return row;
    }
    const span = spans[s];
    const flags = span[S.FLAGS];
    row.dataset.spanId = span[S.ID];
    if (flags & F.ERROR) row.classList.add('error');
    if (flags & F.CRITICAL) row.classList.add('critical');
    if (flags & F.SKEW) row.classList.add('skew');
    if (s === selected) row.classList.add('selected');
    const dot = el('span', 'dot');
    dot.style.background = serviceColor(span[S.SERVICE]);
    label.appendChild(dot);
    label.appendChild(el('span', 'name', str(span[S.NAME])));
    if (flags & F.SKEW) {
      const badge = el('span', 'skew-badge', '⚠');
      badge.title = 'Starts before or ends after its parent: the clocks of the two hosts disagree (or it outlived its parent). Drawn where it was recorded.';
      label.appendChild(badge);
    }

    const start = span[S.START];
    const dur = span[S.DUR];
    const left = pct(start);
    const right = pct(start + dur);
    if (right >= 0 && left <= 100) {
      const bar = el('div', 'bar');
      const l = Math.max(0, left);
      bar.style.left = `${l}%`;
      bar.style.width = `${Math.max(0, Math.min(100, right) - l)}%`;
      bar.style.background = serviceColor(span[S.SERVICE]);
      for (const [, offset] of span[S.CHECKPOINTS]) {
        const at = pct(start + offset);
        if (at < 0 || at > 100 || right === left) continue;
        const tick = el('div', 'tick-mark');
        tick.style.left = `${(100 * (at - left)) / Math.max(right - l, 1e-9)}%`;
        bar.appendChild(tick);
      }
      lane.appendChild(bar);
    }
    const durLabel = el('span', 'dur', fmtDur(dur));
    if (right > 85 && right - left > 10) {
      // No room after the bar: the label goes inside it, at its end.
      durLabel.classList.add('inside');
      durLabel.style.right = `${Math.max(0, 100 - right)}%`;
    } else if (right > 85) {
      // A short bar at the end: the label goes before it.
      durLabel.classList.add('before');
      durLabel.style.right = `${Math.max(0, 100 - left)}%`;
    } else {
      durLabel.style.left = `${Math.max(0, right)}%`;
    }
    lane.appendChild(durLabel);
    return row;
  }

  function showDetails(s) {
    const span = spans[s];
    details.replaceChildren();
    details.appendChild(el('h2', null, str(span[S.NAME])));
    const flags = span[S.FLAGS];
    const badges = el('div');
    if (flags & F.ERROR) badges.appendChild(el('span', 'flag error', 'error'));
    if (flags & F.CRITICAL) badges.appendChild(el('span', 'flag critical', 'critical path'));
    if (flags & F.SKEW) badges.appendChild(el('span', 'flag', '⚠ outside its parent (clock skew?)'));
    if (flags & F.ORPHAN) badges.appendChild(el('span', 'flag', 'orphan: parent not in the input'));
    details.appendChild(badges);

    const actions = el('div', 'actions');
    const zoom = el('button', null, 'Zoom to span');
    zoom.type = 'button';
    zoom.id = 'zoom-span';
    zoom.addEventListener('click', () => {
      viewStart = span[S.START];
      viewEnd = span[S.START] + Math.max(span[S.DUR], 1);
      $('reset-zoom').disabled = false;
      drawAxis();
      render();
    });
    const close = el('button', null, 'Close');
    close.type = 'button';
    close.addEventListener('click', () => {
      details.hidden = true;
      selected = -1;
      render();
    });
    actions.append(zoom, close);
    details.appendChild(actions);

    const table = el('table');
    const add = (key, value) => {
      if (value === null || value === undefined) return;
      const tr = el('tr');
      tr.appendChild(el('th', null, key));
      tr.appendChild(el('td', null, value));
      table.appendChild(tr);
    };
    add('span id', span[S.ID]);
    add('parent id', span[S.PARENT] === null ? '(root)' : span[S.PARENT]);
    add('trace id', trace.id);
    add('kind', str(span[S.KIND]));
    add('service', trace.services[span[S.SERVICE]]);
    add('process', str(span[S.PROCESS]));
    add('location', span[S.CODE] < 0 ? null : str(span[S.CODE]));
    add('start', `+${fmtDur(span[S.START])} after ${trace.start}`);
    add('duration', fmtDur(span[S.DUR]));
    add('status', span[S.ERROR] === null && !(flags & F.ERROR) ? 'ok' : 'error');
    add('error', span[S.ERROR]);
    details.appendChild(table);

    const section = (title, items, cells) => {
      if (!items.length) return;
      details.appendChild(el('h3', null, title));
      const t = el('table');
      t.className = title;
      for (const item of items) {
        const [k, v] = cells(item);
        const tr = el('tr');
        tr.appendChild(el('th', null, k));
        tr.appendChild(el('td', null, v));
        t.appendChild(tr);
      }
      details.appendChild(t);
    };
    section('tags', span[S.TAGS], ([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    section('checkpoints', span[S.CHECKPOINTS], ([name, offset]) => [`+${fmtDur(offset)}`, name]);
    section('links', span[S.LINKS], ([t, sp]) => [sp, `trace ${t}`]);
    details.hidden = false;
  }

  spacer.addEventListener('click', (e) => {
    const toggle = e.target.closest('[data-toggle]');
    if (toggle) {
      const r = Number(toggle.dataset.toggle);
      collapsed[r] ^= 1;
      computeVisible();
      render();
      return;
    }
    const row = e.target.closest('.row');
    if (!row || row.dataset.spanId === undefined) return;
    selected = rows[3 * Number(row.dataset.row)];
    showDetails(selected);
    render();
  });

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  };
  rowsEl.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);

  let searchTimer = 0;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      query = $('search').value.trim().toLowerCase();
      rowsEl.scrollTop = 0;
      computeVisible();
      render();
    }, 100);
  });
  $('critical').addEventListener('change', (e) => {
    document.body.classList.toggle('show-critical', e.target.checked);
  });
  $('reset-zoom').addEventListener('click', () => {
    viewStart = 0;
    viewEnd = Math.max(trace.duration, 1);
    $('reset-zoom').disabled = true;
    drawAxis();
    render();
  });

  showTraceList();
  if (data.traces.length) {
    openTrace(data.selected);
  } else {
    $('trace-head').appendChild(el('h1', null, 'No spans in the input'));
  }
  // For tests and for people timing it: the page is drawn and answers input from here on.
  window.traceViewReadyMs = performance.now();
  document.body.dataset.ready = '1';
})();
