// The dashboard of tabbysim: merchants, payments with their timelines,
// webhook deliveries, the request journal, clocks, scenarios and fault
// rules. Everything it shows it reads from the control API (v1/ beside this
// page), and everything it does it asks of the control API, with the
// control token when one is needed. It builds the page with DOM calls and
// text nodes only, so nothing it shows is ever parsed as HTML.
'use strict';

(() => {
  const T = JSON.parse(document.getElementById('text').textContent);
  const API = 'v1/';
  const STATUSES = ['CREATED', 'AUTHORIZED', 'CLOSED', 'REJECTED', 'EXPIRED'];
  const TXN_STATUSES = ['R', 'P', 'I', 'S', 'F', 'N'];
  const DELIVERY_STATUSES = ['pending', 'held', 'delivered', 'failed', 'dropped'];
  const ACTIONS = [
    ['approve', T.Approve], ['approve_without_redirect', T.ApproveWithoutRedirect],
    ['reject', T.Reject], ['cancel', T.Cancel], ['abandon', T.Abandon],
  ];
  const ADVANCES = [['5m', T.Plus5m], ['26m', T.Plus26m], ['1d', T.Plus1d], ['21d', T.Plus21d]];

  const state = {
    token: sessionStorage.getItem('tabbysim.token') || '',
    merchant: sessionStorage.getItem('tabbysim.merchant') || 'default',
    merchants: [],
    clock: null, // {now, mode, read: the real time it was read}
    stream: null, // the AbortController of the stream of changes
    removedRules: [], // fault rules switched off here, to switch back on
  };

  const $ = (id) => document.getElementById(id);

  // h builds an element: props are attributes (on* are listeners), kids
  // are nodes or text.
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid == null || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }

  // ltr keeps ids, times, URLs and code left to right in an Arabic page.
  const ltr = (text, tag = 'bdi') => h(tag, { dir: 'ltr' }, text);
  const code = (text) => ltr(text, 'code');

  function fmtTime(iso) {
    if (!iso) return '';
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(iso);
    if (!m) return iso;
    return m[1] + ' ' + m[2] + (m[4] === 'Z' ? '' : ' ' + m[4]);
  }
  const time = (iso) => h('time', { datetime: iso, dir: 'ltr' }, fmtTime(iso));

  // timeKey orders times to the nanosecond, which Date cannot.
  function timeKey(iso) {
    const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso || '');
    if (m) return m[1] + (m[2] || '.').slice(1).padEnd(9, '0');
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toISOString().slice(0, 19) + '000000000';
  }

  const badge = (text, kind) => h('span', { class: 'badge ' + (kind || String(text).toLowerCase()) }, text);
  const link = (href, text) => h('a', { href }, ltr(text));
  const paymentHref = (id) => '#/payments/' + encodeURIComponent(id);
  const transactionHref = (id) => '#/transactions/' + encodeURIComponent(id);
  const enc = encodeURIComponent;

  function dl(pairs) {
    const out = h('dl');
    for (const [k, v] of pairs) {
      if (v == null || v === '') continue;
      out.append(h('dt', null, k), h('dd', null, v instanceof Node ? v : ltr(v)));
    }
    return out;
  }

  // json shows any value as indented JSON text.
  const json = (v) => h('pre', { dir: 'ltr' }, typeof v === 'string' ? v : JSON.stringify(v, null, 2));

  // body shows a request or answer body, indented when it is JSON.
  function body(text) {
    if (!text) return h('p', { class: 'muted' }, T.Empty);
    try {
      return json(JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      return json(text);
    }
  }

  function headers(hs) {
    const names = Object.keys(hs || {}).sort();
    if (!names.length) return null;
    return h('table', { class: 'headers', dir: 'ltr' },
      names.map((n) => h('tr', null, h('th', null, n), h('td', null, hs[n]))));
  }

  // details is a disclosure whose open state survives re-rendering.
  const details = (key, summary, ...kids) =>
    h('details', { 'data-key': key, open: openKeys.has(key) }, h('summary', null, summary), ...kids);
  const openKeys = new Set();
  document.addEventListener('toggle', (e) => {
    const key = e.target.dataset && e.target.dataset.key;
    if (!key) return;
    if (e.target.open) openKeys.add(key);
    else openKeys.delete(key);
  }, true);

  // --- the control API ---

  class APIError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function authHeaders() {
    return state.token ? { Authorization: 'Bearer ' + state.token } : {};
  }

  async function api(method, path, data) {
    const init = { method, headers: authHeaders(), cache: 'no-store' };
    if (data !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(data);
    }
    const res = await fetch(API + path, init);
    let out = null;
    try {
      out = await res.json();
    } catch {
      // not JSON: the status says it all
    }
    if (res.status === 401) {
      askToken(out && out.error);
    }
    if (!res.ok) throw new APIError(res.status, (out && out.error) || res.status + ' ' + res.statusText);
    return out;
  }
  const get = (path) => api('GET', path);

  // optional reads a route that only some builds serve (Onerway
  // transactions, fault rules): null when it answers 404.
  async function optional(path) {
    try {
      return await get(path);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  // list is the array a listing answers, whatever its field is called.
  function list(out) {
    if (Array.isArray(out)) return out;
    for (const v of Object.values(out || {})) if (Array.isArray(v)) return v;
    return [];
  }

  // act runs a change through the control API from button, shows its
  // error if it fails and re-renders what it changed.
  async function act(button, fn) {
    if (button) button.disabled = true;
    try {
      const msg = await fn();
      notice(msg || '', false);
    } catch (e) {
      if (e.status !== 401) notice(T.Failed + ' ' + e.message, true);
    } finally {
      if (button) button.disabled = false;
    }
    await Promise.all([render(), renderClock()]);
  }

  function notice(text, error) {
    const n = $('notice');
    n.replaceChildren(text);
    n.hidden = !text;
    n.className = error ? 'error' : 'info';
  }

  // --- the token ---

  function askToken(why) {
    stopStream();
    $('live').dataset.live = 'off';
    $('live').textContent = T.Offline;
    const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', dir: 'ltr', required: true });
    const form = h('form', { id: 'token-form', class: 'card' },
      h('h1', null, T.TokenTitle),
      h('p', null, T.TokenHelp),
      why && state.token ? h('p', { class: 'error' }, ltr(why)) : null,
      h('label', { for: 'token' }, T.Token), input,
      h('button', { type: 'submit' }, T.UseToken));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      state.token = input.value.trim();
      sessionStorage.setItem('tabbysim.token', state.token);
      start();
    });
    renderSeq++;
    $('main').replaceChildren(form);
    input.focus();
  }

  // --- merchants and the clock ---

  const current = () => state.merchants.find((m) => m.id === state.merchant);

  async function loadMerchants() {
    state.merchants = list(await get('merchants'));
    if (!current() && state.merchants.length) selectMerchant(state.merchants[0].id, false);
    const sel = $('merchant');
    sel.replaceChildren(...state.merchants.map((m) =>
      h('option', { value: m.id, selected: m.id === state.merchant }, m.name ? m.id + ' · ' + m.name : m.id)));
    sel.value = state.merchant;
    const m = current();
    if (m) state.clock = { ...m.clock, read: Date.now() };
  }

  // selectMerchant makes id the merchant whose clock, payments and
  // changes the page follows; a payment's page selects its merchant
  // without rendering again.
  function selectMerchant(id, rerender = true) {
    if (id === state.merchant) return;
    state.merchant = id;
    sessionStorage.setItem('tabbysim.merchant', id);
    $('merchant').value = id;
    $('clock-to').value = '';
    listen();
    renderClock();
    if (rerender) render();
  }

  async function renderClock() {
    try {
      const c = await get('merchants/' + enc(state.merchant) + '/clock');
      state.clock = { ...c, read: Date.now() };
    } catch (e) {
      if (e.status === 401) return;
      state.clock = null;
    }
    tick();
  }

  // tick shows the clock; a wall clock moves on between readings.
  function tick() {
    const c = state.clock;
    if (!c) {
      $('clock-now').textContent = '';
      return;
    }
    let now = c.now;
    if (c.mode === 'wall') now = new Date(Date.parse(c.now) + Date.now() - c.read).toISOString();
    $('clock-now').replaceChildren(h('bdi', { dir: 'ltr' }, fmtTime(now) + ' UTC'));
    const to = $('clock-to');
    if (!to.value && document.activeElement !== to) to.value = now.slice(0, 19);
    $('clock-mode').textContent = c.mode === 'wall' ? T.WallClock : T.ManualClock;
  }

  function advance(button, by) {
    return act(button, async () => {
      const c = await api('POST', 'merchants/' + enc(state.merchant) + '/clock/advance', by);
      state.clock = { ...c, read: Date.now() };
      tick();
      return T.ClockAt + ' ' + fmtTime(c.now) + ' UTC';
    });
  }

  function buildClock() {
    const to = h('input', { id: 'clock-to', type: 'datetime-local', step: 1, dir: 'ltr' });
    $('clock').replaceChildren(
      h('span', { class: 'label' }, T.Clock),
      h('span', { id: 'clock-now', class: 'now' }),
      h('span', { id: 'clock-mode', class: 'muted' }),
      h('span', { class: 'buttons' }, ADVANCES.map(([by, label]) =>
        h('button', { type: 'button', 'data-advance': by, onclick: (e) => advance(e.currentTarget, { by }) }, label))),
      h('form', {
        class: 'to',
        onsubmit: (e) => {
          e.preventDefault();
          if (!to.value) return;
          const iso = (to.value.length === 16 ? to.value + ':00' : to.value) + 'Z';
          advance(e.submitter, { to: iso });
        },
      }, h('label', { for: 'clock-to' }, T.AdvanceTo), to, ' UTC ', h('button', { type: 'submit' }, T.Advance)));
    setInterval(tick, 1000);
  }

  // --- views ---

  function route() {
    const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
    const [view, ...rest] = path.split('/');
    return { view: view || 'payments', id: rest.length ? decodeURIComponent(rest.join('/')) : '', params: new URLSearchParams(query || '') };
  }

  // The views, with the kinds of change (as GET /_sim/v1/events names
  // them) each shows.
  const views = {
    payments: { kinds: ['tabby.payment', 'onerway.transaction'], render: paymentsView, nav: 'payments' },
    payment: { kinds: ['tabby.payment', 'webhook.delivery', 'journal', 'onerway.transaction'], render: paymentView, nav: 'payments' },
    transaction: {
      kinds: ['tabby.payment', 'webhook.delivery', 'journal', 'onerway.'], render: transactionView, nav: 'payments',
    },
    deliveries: { kinds: ['webhook.delivery'], render: deliveriesView, nav: 'deliveries' },
    journal: { kinds: ['journal'], render: journalView, nav: 'journal' },
    merchants: { kinds: ['merchant', 'clock'], render: merchantsView, nav: 'merchants' },
    faults: { kinds: ['merchant', 'fault'], render: faultsView, nav: 'faults' },
  };
  // A payment's page is #/payments/ID; a transaction's #/transactions/ID.
  const viewOf = (r) => (r.view === 'payments' && r.id ? 'payment' : r.view === 'transactions' && r.id ? 'transaction' : r.view);

  let renderSeq = 0;
  async function render() {
    const r = route();
    const name = viewOf(r);
    const view = views[name] || views.payments;
    const seq = ++renderSeq;
    let node;
    try {
      node = await view.render(r);
    } catch (e) {
      if (e.status === 401) return;
      node = h('p', { class: 'error', role: 'alert' }, T.Failed + ' ', ltr(e.message));
    }
    if (seq !== renderSeq) return; // a later render took over
    $('main').replaceChildren(node);
    $('main').dataset.view = name;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === view.nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function filter(label, id, values, selected, onchange) {
    const sel = h('select', { id, onchange: (e) => onchange(e.target.value) },
      h('option', { value: '' }, T.All), values.map((v) => h('option', { value: v, selected: v === selected }, v)));
    return h('label', { class: 'filter' }, label + ' ', sel);
  }

  // setParam shows the view with a filter set, or dropped when empty,
  // keeping the others.
  const setParam = (view, name, value) => {
    const params = route().params;
    if (value) params.set(name, value);
    else params.delete(name);
    const q = params.toString();
    location.hash = '#/' + view + (q ? '?' + q : '');
  };

  // paymentsView lists the Tabby payments and, where the control API
  // serves them, the Onerway transactions, each with a status filter
  // (?status= and ?txn=).
  async function paymentsView(r) {
    const status = r.params.get('status') || '';
    const txnStatus = r.params.get('txn') || '';
    const m = enc(state.merchant);
    const [pays, txns] = await Promise.all([
      get('payments?merchant=' + m + (status ? '&status=' + enc(status) : '')),
      optional('onerway/transactions?merchant=' + m + (txnStatus ? '&status=' + enc(txnStatus) : '')),
    ]);
    const out = h('div', null, h('h1', null, T.TabbyPayments),
      h('div', { class: 'toolbar' },
        filter(T.Status, 'status-filter', STATUSES, status, (v) => setParam('payments', 'status', v)),
        h('span', { class: 'muted' }, T.Total + ' ', ltr(String(pays.total_count)))),
      paymentsTable(pays.payments));
    if (txns) {
      out.append(h('h1', null, T.OnerwayTransactions),
        h('div', { class: 'toolbar' },
          filter(T.Status, 'txn-filter', TXN_STATUSES, txnStatus, (v) => setParam('payments', 'txn', v)),
          h('span', { class: 'muted' }, T.Total + ' ', ltr(String(txns.total_count)))),
        transactionsTable(list(txns)));
    }
    return out;
  }

  function paymentsTable(ps) {
    if (!ps.length) return h('p', { class: 'muted', id: 'no-payments' }, T.NoPayments);
    return h('table', { class: 'list', id: 'payments' },
      h('thead', null, h('tr', null, [T.Created, T.Payment, T.Status, T.Amount, T.Reference, T.Buyer, T.Channel]
        .map((c) => h('th', null, c)))),
      h('tbody', null, ps.map((p) => h('tr', { 'data-payment': p.payment.id },
        h('td', null, time(p.payment.created_at)),
        h('td', { class: 'id' }, link(paymentHref(p.payment.id), p.payment.id)),
        h('td', null, badge(p.payment.status)),
        h('td', { class: 'amount' }, ltr(p.payment.amount + ' ' + p.payment.currency)),
        h('td', null, ltr(p.payment.order.reference_id || '')),
        h('td', null, ltr(p.payment.buyer.name || ''), h('br'), h('span', { class: 'muted' }, ltr(p.payment.buyer.email || ''))),
        h('td', null, channel(p.channel))))));
  }

  // sum lists the amounts of captures or refunds.
  const sum = (xs, currency) => ((xs || []).length ? xs.map((x) => x.amount).join(' + ') + ' ' + currency : null);

  function channel(c) {
    if (!c || c.via !== 'onerway') return T.Direct;
    return h('span', null, T.ViaOnerway + ' ', c.transaction_id ? link(transactionHref(c.transaction_id), c.transaction_id) : null);
  }


  function transactionsTable(ts) {
    if (!ts.length) return h('p', { class: 'muted' }, T.NoTransactions);
    return h('table', { class: 'list', id: 'transactions' },
      h('thead', null, h('tr', null, [T.Created, T.Transaction, T.Status, T.Amount, T.Reference, T.TabbyPayment]
        .map((c) => h('th', null, c)))),
      h('tbody', null, ts.map((t) => h('tr', { 'data-transaction': t.transaction_id },
        h('td', null, time(t.created_at)),
        h('td', { class: 'id' }, link(transactionHref(t.transaction_id), t.transaction_id)),
        h('td', null, badge(t.status, txnBadge(t.status))),
        h('td', { class: 'amount' }, ltr(t.amount + ' ' + t.currency)),
        h('td', null, ltr(t.merchant_txn_id || '')),
        h('td', { class: 'id' }, t.tabby_payment_id ? link(paymentHref(t.tabby_payment_id), t.tabby_payment_id) : '')))));
  }

  async function paymentView(r) {
    const id = enc(r.id);
    const [p, journal, deliveries] = await Promise.all([
      get('payments/' + id), get('journal?limit=0&payment=' + id), get('deliveries?limit=0&payment=' + id),
    ]);
    if (p.merchant !== state.merchant) selectMerchant(p.merchant, false);
    const pay = p.payment;
    const open = pay.status === 'CREATED' && p.session_status === 'created';
    return h('div', { 'data-payment': pay.id },
      h('h1', null, T.Payment + ' ', ltr(pay.id), ' ', badge(pay.status)),
      h('section', { class: 'card' }, dl([
        [T.Merchant, p.merchant], [T.MerchantCode, p.merchant_code], [T.Amount, pay.amount + ' ' + pay.currency],
        [T.Status, badge(pay.status)], [T.Session, ltr(p.session_id + ' · ' + p.session_status)],
        [T.Created, time(pay.created_at)], [T.Expires, pay.expires_at ? time(pay.expires_at) : null],
        [T.Channel, channel(p.channel)], [T.Reference, pay.order.reference_id], [T.Description, pay.description],
        [T.Buyer, [pay.buyer.name, pay.buyer.email, pay.buyer.phone].filter(Boolean).join(' · ')],
        [T.Captured, sum(pay.captures, pay.currency)], [T.Refunded, sum(pay.refunds, pay.currency)],
      ])),
      customerActions(pay.id, open),
      h('section', null, h('h2', null, T.Timeline),
        timeline(p.history, list(journal), list(deliveries))),
      h('section', null, h('h2', null, T.Deliveries), deliveryList(list(deliveries), false)));
  }

  // The colour of an Onerway status: S is done, F and N failed, the others
  // wait.
  const txnBadge = (st) => ({ S: 'ok', F: 'bad', N: 'bad' })[st] || 'created';

  // customerActions are the hosted page's choices for the Tabby payment id
  // names (the control API also takes an Onerway transaction's id).
  function customerActions(id, open) {
    return h('section', { id: 'customer' },
      h('h2', null, T.CustomerActions),
      open ? h('div', { class: 'buttons' }, ACTIONS.map(([a, label]) => h('button', {
        type: 'button', 'data-action': a,
        onclick: (e) => act(e.currentTarget, async () => {
          const res = await api('POST', 'payments/' + enc(id) + '/customer', { action: a });
          return [res.status, res.transaction_status, res.redirect_url ? '→ ' + res.redirect_url : null].filter(Boolean).join(' ');
        }),
      }, label))) : h('p', { class: 'muted' }, T.NoActions));
  }

  // transactionView is an Onerway transaction's page: its fields as the
  // control API gives them (the scalars in a list, the others, such as the
  // order and the reason, as sections of their own), its settlement once it
  // succeeded, the customer's actions while it waits for them, and its
  // timeline.
  async function transactionView(r) {
    const id = enc(r.id);
    const [txn, journal, deliveries] = await Promise.all([
      get('onerway/transactions/' + id), get('journal?limit=0&payment=' + id), get('deliveries?limit=0&payment=' + id),
    ]);
    if (txn.merchant !== state.merchant) selectMerchant(txn.merchant, false);
    // A successful payment has a settlement, which the control API serves
    // apart from the transaction.
    const settlement = txn.txn_type === 'SALE' && txn.status === 'S'
      ? await optional('onerway/transactions/' + id + '/settlement') : null;
    const scalars = [];
    const objects = [];
    for (const [k, v] of Object.entries(txn)) {
      if (k === 'history' || v == null || v === '') continue;
      if (typeof v === 'object') objects.push([k, v]);
      else if (k === 'tabby_payment_id') scalars.push([k, link(paymentHref(v), v)]);
      else if (k.endsWith('_at')) scalars.push([k, time(v)]);
      else scalars.push([k, String(v)]);
    }
    return h('div', { 'data-transaction': txn.transaction_id },
      h('h1', null, T.Transaction + ' ', ltr(txn.transaction_id), ' ', badge(txn.status, txnBadge(txn.status))),
      h('section', { class: 'card' }, dl(scalars.map(([k, v]) => [ltr(k), v]))),
      txn.tabby_payment_id ? customerActions(txn.transaction_id, txn.status === 'R') : null,
      h('section', null, h('h2', null, T.Timeline), timeline(txn.history || [], list(journal), list(deliveries))),
      settlement ? h('section', { 'data-field': 'settlement' },
        h('h2', null, T.Settlement + ' ', badge(settlement.state, SETTLEMENT_BADGE[settlement.state] || 'pending')),
        json(settlement)) : null,
      objects.map(([k, v]) => h('section', { 'data-field': k }, h('h2', null, ltr(k)), json(v))),
      h('section', null, h('h2', null, T.Deliveries), deliveryList(list(deliveries), false)));
  }

  const SETTLEMENT_BADGE = { settled: 'ok', overdue: 'bad' };

  // timeline merges what happened to a payment on its merchant's clock:
  // state changes, API calls, webhook deliveries and their attempts. At one
  // instant (a manual clock) calls come first, then state changes, then
  // webhooks, then their attempts.
  function timeline(history, journal, deliveries) {
    const items = [];
    history.forEach((e, i) => items.push({
      at: e.at, rank: 1, seq: i, kind: 'state', label: T.StateChange,
      text: [h('strong', null, h('bdi', null, e.event)), ' · ', T.By + ' ', h('bdi', null, e.by), e.detail ? [' · ', h('bdi', null, e.detail)] : null],
    }));
    journal.forEach((e) => items.push({
      at: e.clock_at || e.at, rank: 0, seq: e.seq, kind: 'call', label: T.APICall,
      text: [h('bdi', { dir: 'ltr' }, e.method + ' ' + e.path + ' → ', badge(String(e.status), e.status < 400 ? 'ok' : 'bad'),
        ' ', e.operation || ''), extras(e)],
      more: () => details('call-' + e.seq, T.RequestAndAnswer,
        h('h4', null, T.Request), body(e.request_body), h('h4', null, T.Answer), body(e.response_body)),
    }));
    deliveries.slice().reverse().forEach((d, i) => {
      items.push({
        at: d.created_at, rank: 2, seq: i, kind: 'webhook', label: T.Webhook,
        text: [h('bdi', { dir: 'ltr' }, h('strong', null, d.event), ' → ' + d.url + ' ', badge(d.status)),
          d.resend_of ? [' · ', T.ResendOf + ' ', ltr(d.resend_of)] : null],
      });
      (d.attempts || []).forEach((a) => items.push({
        at: a.at, rank: 3, seq: i * 1000 + a.n, kind: 'attempt', label: T.Attempt + ' ' + a.n,
        text: [h('bdi', { dir: 'ltr' }, h('strong', null, d.event), ' → '), attemptResult(a)],
      }));
    });
    items.sort((a, b) => {
      const ka = timeKey(a.at);
      const kb = timeKey(b.at);
      return ka < kb ? -1 : ka > kb ? 1 : a.rank - b.rank || a.seq - b.seq;
    });
    if (!items.length) return h('p', { class: 'muted' }, T.Nothing);
    return h('ol', { class: 'timeline', id: 'timeline' }, items.map((it) =>
      h('li', { class: 'tl ' + it.kind, 'data-kind': it.kind },
        time(it.at), h('span', { class: 'tl-label' }, it.label), h('span', { class: 'tl-text' }, it.text),
        it.more ? it.more() : null)));
  }

  function attemptResult(a) {
    const out = [];
    if (a.error) out.push(badge(T.Error, 'bad'), ' ', ltr(a.error));
    else out.push(badge(String(a.status), a.accepted ? 'ok' : 'bad'));
    out.push(' ', a.accepted ? T.Accepted : T.NotAccepted, ' · ', ltr(a.latency_ms + ' ms'));
    if (a.next_attempt_at) out.push(' · ', T.NextAttempt + ' ', time(a.next_attempt_at));
    return out;
  }

  // extras shows what a journal entry carries beyond the request itself:
  // lint warnings, the fault rule that fired, a hint.
  const ENTRY_FIELDS = new Set(['seq', 'at', 'clock_at', 'request_id', 'provider', 'operation', 'merchant', 'method',
    'path', 'query', 'status', 'latency_ms', 'request_body', 'response_body', 'truncated']);
  function extras(e) {
    return Object.entries(e).filter(([k, v]) => !ENTRY_FIELDS.has(k) && v != null && v !== '' &&
      !(Array.isArray(v) && !v.length)).map(([k, v]) =>
      h('span', { class: 'extra', 'data-field': k }, ' ', badge(k, 'extra'), ' ',
        ltr(typeof v === 'string' ? v : JSON.stringify(v))));
  }

  function deliveryList(ds, withPayment) {
    if (!ds.length) return h('p', { class: 'muted', id: 'no-deliveries' }, T.NoDeliveries);
    return h('div', { class: 'deliveries' }, ds.map((d) => delivery(d, withPayment)));
  }

  function delivery(d, withPayment) {
    return h('article', { class: 'card delivery', 'data-delivery': d.id, 'data-status': d.status },
      h('header', null,
        h('strong', null, d.event), ' ', badge(d.status), ' ', ltr(d.id),
        h('button', {
          type: 'button', class: 'resend', 'data-resend': d.id,
          onclick: (e) => act(e.currentTarget, async () => {
            const n = await api('POST', 'deliveries/' + enc(d.id) + '/resend');
            return T.Resent + ' ' + n.id;
          }),
        }, T.Resend)),
      dl([
        [T.URL, d.url], [T.Created, time(d.created_at)],
        withPayment ? [T.Payment, link(d.provider === 'tabby' ? paymentHref(d.payment_id) : transactionHref(d.payment_id), d.payment_id)] : [],
        [T.Provider, d.provider], [T.ResendOf, d.resend_of], [T.DuplicateOf, d.duplicate_of],
        [T.Chaos, (d.chaos || []).join(', ')], [T.NextAttempt, d.next_attempt_at ? time(d.next_attempt_at) : null],
      ]),
      details('dlv-' + d.id, T.Request, headers(d.headers), body(d.body)),
      (d.attempts || []).length ? h('table', { class: 'attempts' },
        h('thead', null, h('tr', null, [T.Attempt, T.At, T.Answer].map((c) => h('th', null, c)))),
        h('tbody', null, d.attempts.map((a) => h('tr', { 'data-attempt': a.n },
          h('td', null, ltr(String(a.n))), h('td', null, time(a.at)),
          h('td', null, attemptResult(a),
            details('att-' + d.id + '-' + a.n, T.RequestAndAnswer,
              h('h4', null, T.Request), headers(a.request_headers), h('h4', null, T.Answer),
              a.error ? json(a.error) : body(a.response_body))))))) : h('p', { class: 'muted' }, T.NoAttempts));
  }

  async function deliveriesView(r) {
    const status = r.params.get('status') || '';
    const out = await get('deliveries?limit=200&merchant=' + enc(state.merchant) + (status ? '&status=' + enc(status) : ''));
    return h('div', null, h('h1', null, T.Deliveries),
      h('div', { class: 'toolbar' },
        filter(T.Status, 'delivery-filter', DELIVERY_STATUSES, status, (v) => setParam('deliveries', 'status', v))),
      deliveryList(list(out), true));
  }

  async function journalView() {
    const es = list(await get('journal?limit=200&merchant=' + enc(state.merchant)));
    if (!es.length) return h('div', null, h('h1', null, T.Journal), h('p', { class: 'muted' }, T.NoRequests));
    return h('div', null, h('h1', null, T.Journal),
      h('ol', { class: 'journal', id: 'journal' }, es.map((e) => h('li', { 'data-seq': e.seq },
        details('req-' + e.seq,
          [time(e.clock_at || e.at), ' ', ltr(e.operation || e.provider || ''), ' ', ltr(e.method + ' ' + e.path),
            ' → ', badge(String(e.status), e.status < 400 ? 'ok' : 'bad'), ' ', ltr(e.latency_ms + ' ms'), extras(e)],
          dl([[T.RequestID, e.request_id], [T.RealTime, time(e.at)], [T.Query, e.query]]),
          h('h4', null, T.Request), body(e.request_body), h('h4', null, T.Answer), body(e.response_body),
          e.truncated ? h('p', { class: 'muted' }, T.Truncated) : null)))));
  }

  async function merchantsView() {
    await loadMerchants();
    return h('div', null, h('h1', null, T.Merchants), state.merchants.map((m) =>
      h('article', { class: 'card merchant', 'data-merchant': m.id },
        h('header', null, h('strong', null, ltr(m.id)), m.name ? [' · ', m.name] : null, ' ',
          m.id === state.merchant ? badge(T.Selected, 'ok')
            : h('button', { type: 'button', onclick: () => selectMerchant(m.id) }, T.Select)),
        h('div', { class: 'cols' },
          h('div', null, h('h3', null, T.TabbyKeys), dl([
            [T.SecretKey, code(m.tabby.secret_key)], [T.PublicKey, code(m.tabby.public_key)],
            [T.MerchantCodes, Object.entries(m.tabby.merchant_codes || {}).map(([k, v]) => k + ' → ' + v).join(', ')],
          ])),
          m.onerway ? h('div', null, h('h3', null, T.OnerwayCredentials), dl([
            [T.MerchantNo, code(m.onerway.merchant_no)], [T.SecretKey, code(m.onerway.secret_key)],
            [T.AppID, code(m.onerway.app_id)],
          ])) : null,
          h('div', null, h('h3', null, T.Clock), dl([[T.Now, time(m.clock.now)],
            [T.Mode, m.clock.mode === 'wall' ? T.WallClock : T.ManualClock], [T.Created, time(m.created_at)]]))),
        details('settings-' + m.id, T.Settings, json(m.settings)))));
  }

  // contains tells whether settings hold every value of patch.
  function contains(settings, patch) {
    if (patch === null || typeof patch !== 'object') return settings === patch;
    if (settings === null || typeof settings !== 'object') return false;
    return Object.entries(patch).every(([k, v]) => contains(settings[k], v));
  }

  // applied tells whether scenario s is on for merchant m: its fault rules
  // are there, or its settings are the merchant's.
  function applied(s, m, rules) {
    if (rules.some((r) => r.scenario === s.name && (!r.merchant || r.merchant === m.id))) return true;
    const patch = s.settings || {};
    return Object.keys(patch).length > 0 && contains(m.settings, patch);
  }

  async function faultsView() {
    await loadMerchants();
    const m = current();
    const [scenarios, faults] = await Promise.all([get('scenarios'), optional('faults')]);
    const applyScenario = (name, button) => act(button, async () => {
      await api('POST', 'merchants/' + enc(state.merchant) + '/scenario', { name });
      return T.Applied + ' ' + name;
    });
    const out = h('div', null, h('h1', null, T.Scenarios), h('p', { class: 'muted' }, T.ScenariosHelp));
    out.append(h('ul', { class: 'switches', id: 'scenarios' }, list(scenarios).map((s) => {
      if (s.name === 'calm') {
        return h('li', { 'data-scenario': s.name },
          h('button', { type: 'button', onclick: (e) => applyScenario('calm', e.currentTarget) }, T.Calm),
          ' ', h('bdi', { class: 'muted' }, s.description));
      }
      const on = !!m && applied(s, m, faults ? list(faults) : []);
      const input = h('input', {
        type: 'checkbox', role: 'switch', checked: on,
        onchange: (e) => applyScenario(e.target.checked ? s.name : 'calm', e.target),
      });
      return h('li', { 'data-scenario': s.name, 'data-on': String(on) },
        h('label', { class: 'switch' }, input, ' ', h('strong', null, ltr(s.name))),
        ' ', h('bdi', { class: 'muted' }, s.description));
    })));
    if (faults) out.append(faultRules(list(faults)));
    return out;
  }

  // faultRules lists the fault rules (GET v1/faults) with a switch each:
  // off removes the rule, on adds it back as it was written.
  function faultRules(rules) {
    const spec = (r) => ({ name: r.name, merchant: r.merchant, match: r.match, action: r.action, scope: r.scope });
    const key = (r) => JSON.stringify(spec(r));
    const live = new Set(rules.map(key));
    state.removedRules = state.removedRules.filter((r) => !live.has(key(r)));
    const row = (r, on) => {
      const { id, name, merchant, scenario, ...rest } = r;
      return h('li', { 'data-rule': id || '', 'data-on': String(on) },
        h('label', { class: 'switch' }, h('input', {
          type: 'checkbox', role: 'switch', checked: on,
          onchange: (e) => act(e.target, async () => {
            if (on) {
              await api('DELETE', 'faults/' + enc(id));
              state.removedRules.push(r);
            } else {
              await api('POST', 'faults', spec(r));
              state.removedRules = state.removedRules.filter((x) => x !== r);
            }
          }),
        }), ' ', h('strong', null, ltr(name || id || '')), ' · ', merchant ? ltr(merchant) : T.AllMerchants,
        scenario ? [' · ', T.Scenario + ' ', ltr(scenario)] : null),
        json(rest));
    };
    return h('section', { id: 'faults' }, h('h1', null, T.FaultRules),
      rules.length ? h('button', {
        type: 'button', onclick: (e) => act(e.currentTarget, async () => {
          await api('DELETE', 'faults');
          state.removedRules.push(...rules);
        }),
      }, T.RemoveAll) : null,
      rules.length || state.removedRules.length
        ? h('ul', { class: 'switches' }, rules.map((r) => row(r, true)), state.removedRules.map((r) => row(r, false)))
        : h('p', { class: 'muted' }, T.NoRules));
  }

  // --- live updates ---

  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
  }

  function setLive(on) {
    $('live').dataset.live = on ? 'on' : 'off';
    $('live').textContent = on ? T.Live : T.Offline;
  }

  // listen follows GET v1/events for the selected merchant, reconnecting
  // when the stream breaks. It reads the stream with fetch, which, unlike
  // EventSource, can send the token.
  async function listen() {
    stopStream();
    const ctl = new AbortController();
    state.stream = ctl;
    while (!ctl.signal.aborted) {
      try {
        const res = await fetch(API + 'events?merchant=' + enc(state.merchant),
          { headers: authHeaders(), signal: ctl.signal, cache: 'no-store' });
        if (res.status === 401) {
          askToken();
          return;
        }
        if (res.ok) await readStream(res.body, ctl.signal);
      } catch {
        // dropped; reconnect below unless stopped
      }
      setLive(false);
      if (!ctl.signal.aborted) await new Promise((ok) => setTimeout(ok, 2000));
    }
  }

  async function readStream(stream, signal) {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trim();
        }
        if (event === 'ready') {
          setLive(true);
          changed({ kind: 'resync' }); // what changed while not connected
        } else if (event === 'message' && data) {
          changed(JSON.parse(data));
        }
      }
    }
  }

  // changed re-renders, once per burst, what a change touches.
  let pending = null;
  function changed(c) {
    pending = pending || { view: false, clock: false, merchants: false };
    const everything = c.kind === 'resync' || c.kind === 'reset';
    const view = views[viewOf(route())];
    if (everything || (view && view.kinds.some((k) => c.kind === k || c.kind.startsWith(k + '.') || (k.endsWith('.') && c.kind.startsWith(k))))) {
      pending.view = true;
    }
    if (everything || c.kind === 'clock') pending.clock = true;
    if (everything || c.kind === 'merchant') pending.merchants = true;
    if (pending.timer) return;
    pending.timer = setTimeout(async () => {
      const p = pending;
      pending = null;
      if (p.merchants) await loadMerchants().catch(() => {});
      await Promise.all([p.view ? render() : null, p.clock ? renderClock() : null]);
    }, 100);
  }

  // --- start ---

  async function start() {
    notice('', false);
    try {
      await loadMerchants();
    } catch (e) {
      if (e.status !== 401) notice(T.Failed + ' ' + e.message, true);
      return;
    }
    tick();
    listen();
    render();
  }

  function keepLanguageLink() {
    const a = $('lang');
    a.href = a.href.split('#')[0] + location.hash;
  }

  // Another merchant's payments, not the payment on show, which is the
  // other merchant's.
  $('merchant').addEventListener('change', (e) => {
    const onOne = route().id !== '';
    selectMerchant(e.target.value, !onOne);
    if (onOne) location.hash = '#/payments';
  });
  window.addEventListener('hashchange', () => {
    keepLanguageLink();
    notice('', false);
    render();
  });
  buildClock();
  keepLanguageLink();
  start();
})();
