//! The scripts the bench runs in the page: marks, hooks and observers.

/// Runs in every document before the app: first-render marks, the SSE hook,
/// the patch observer and the wasm memory handle, all under `window.__bench`.
pub const INIT_SCRIPT: &str = r#"
(() => {
  const b = window.__bench = {
    marks: {}, pending: new Map(), patches: [], superseded: 0, watching: false, memory: null,
  };
  const now = () => performance.now();

  // First render: the first row in the DOM, then the next frame.
  const first = new MutationObserver(() => {
    if (b.marks.rows !== undefined || !document.querySelector('tr[data-id]')) return;
    b.marks.rows = now();
    b.marks.rowCount = document.querySelectorAll('tr[data-id]').length;
    first.disconnect();
    requestAnimationFrame(() => {
      b.marks.frame = now();
      setTimeout(() => { b.marks.painted = now(); }, 0);
    });
  });
  first.observe(document, { childList: true, subtree: true });

  // The wasm module's memory: from the start event index.html sends once the
  // main module has started, or from instantiation.
  addEventListener('budtags-started', e => {
    b.marks.started = now();
    const w = e.detail && e.detail.wasm;
    if (w && w.memory) b.memory = w.memory;
  });
  for (const f of ['instantiate', 'instantiateStreaming']) {
    const orig = WebAssembly[f];
    if (!orig) continue;
    WebAssembly[f] = function (...args) {
      return orig.apply(this, args).then(r => {
        const inst = r.instance || r;
        if (inst.exports && inst.exports.memory && !b.memory) b.memory = inst.exports.memory;
        return r;
      });
    };
  }
  b.wasmBytes = () => b.memory ? b.memory.buffer.byteLength : null;

  // Patches: SSE arrival, then the row showing the new revision and quantity.
  const shown = q => String(Math.round(q * 100) / 100) + ' ';
  const check = () => {
    if (!b.pending.size) return;
    const at = now();
    for (const [key, p] of b.pending) {
      const row = document.querySelector(`tr[data-id="${p.id}"][data-revision="${p.rev}"]`);
      const cell = row && row.querySelector('[data-testid=quantity]');
      if (!cell || !cell.textContent.startsWith(p.q)) continue;
      b.patches.push({ id: p.id, rev: p.rev, msgAt: p.msgAt, msgWall: performance.timeOrigin + p.msgAt,
                       domAt: at, domWall: performance.timeOrigin + at });
      b.pending.delete(key);
      // Older changes of the same row that were never shown on their own:
      // the app rendered two quick changes at once.
      for (const [k, q] of b.pending) {
        if (q.id === p.id && q.rev < p.rev) { b.pending.delete(k); b.superseded += 1; }
      }
    }
  };
  b.watch = () => {
    b.pending.clear();
    b.patches = [];
    b.superseded = 0;
    b.watching = true;
    if (!b.observer) {
      b.observer = new MutationObserver(check);
      b.observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    }
  };
  const wrapped = new WeakMap();
  const add = EventSource.prototype.addEventListener;
  const remove = EventSource.prototype.removeEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type === 'package-update' && typeof listener === 'function') {
      const inner = listener;
      listener = function (e) {
        const at = now();
        if (b.watching) {
          try {
            const d = JSON.parse(e.data);
            b.pending.set(d.packageId + ':' + d.data.Revision,
              { id: d.packageId, rev: d.data.Revision, q: shown(d.data.Quantity), msgAt: at });
          } catch (_) {}
        }
        return inner.call(this, e);
      };
      wrapped.set(inner, listener);
    }
    return add.call(this, type, listener, options);
  };
  EventSource.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, wrapped.get(listener) || listener, options);
  };

  // What one visit transferred before its rows were painted: the data
  // (`/api/…`) and everything else (the page, the app's files: 0 when the
  // service worker or the HTTP cache answered, a few hundred bytes for a 304).
  b.transferred = () => {
    const painted = b.marks.painted;
    const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    let assets = 0, data = 0, files = 0;
    for (const e of all.filter(e => e.startTime <= painted)) {
      if (new URL(e.name).pathname.startsWith('/api/')) data += e.transferSize;
      else { assets += e.transferSize; files += 1; }
    }
    return { painted, assets, data, files };
  };

  // One load's marks, with the resource timings they sit between.
  b.load = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const wasm = res.find(r => r.name.endsWith('_bg.wasm'));
    const list = res.find(r => r.name.includes('/api/licenses/') && r.name.includes('/packages'));
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      rows: b.marks.rows, frame: b.marks.frame, painted: b.marks.painted, started: b.marks.started,
      rowCount: b.marks.rowCount,
      htmlEnd: nav ? nav.responseEnd : null,
      wasmFirstByte: wasm ? wasm.responseStart : null,
      wasmEnd: wasm ? wasm.responseEnd : null,
      listStart: list ? list.startTime : null,
      listFirstByte: list ? list.responseStart : null,
      listEnd: list ? list.responseEnd : null,
      listBytes: list ? list.encodedBodySize : null,
      listDecodedBytes: list ? list.decodedBodySize : null,
      fcp: fcp ? fcp.startTime : null,
    };
  };
})();
"#;

/// The `tr[data-id]` rows inside the scroller's visible area.
pub const VISIBLE_IDS: &str = "
  const box = document.querySelector('[data-testid=scroller]').getBoundingClientRect();
  return [...document.querySelectorAll('tr[data-id]')]
    .filter(r => { const b = r.getBoundingClientRect(); return b.top >= box.top && b.bottom <= box.bottom; })
    .map(r => Number(r.dataset.id));";
