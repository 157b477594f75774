// ui.js — the small toolkit every page builds on: elements, money and dates, forms with field errors,
// lists with search, filters and paging, toasts and dialogs. No framework: plain DOM, one function per job.

import { ApiError, withQuery } from '/api.js';

// ───────────────────────────── elements ─────────────────────────────

/**
 * h builds an element: h('a', {href: '#/', class: 'link', onclick: fn}, 'text', child, [more]).
 * Strings become text nodes (never HTML), null/false/undefined children are skipped, arrays are flattened.
 * Attributes: class, style (string or object), dataset (object), on<event> (function), value/checked/selected/
 * disabled (set as properties), true → empty attribute, false/null → left out.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class' || k === 'className') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'indeterminate') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false || c === true) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** clear empties el and appends children. */
/** svg is h for SVG elements (charts): attributes set as given, children appended. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** pageHeader: the page's <h1> with its buttons on the right. */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', null, title), h('div', { class: 'page-actions' }, actions));
}

/** card: a titled white panel. */
export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', { class: 'card-title' }, title) : null, children);
}

/** button: h('button') with type=button unless given; kind: primary | danger | link | (default). */
export function button(text, onclick, attrs = {}) {
  const { kind, class: cls, ...rest } = attrs;
  return h('button', { type: 'button', ...rest, class: ['btn', kind && `btn-${kind}`, cls], onclick }, text);
}

/** linkButton: an <a> that looks like a button. */
export function linkButton(text, href, attrs = {}) {
  const { kind, class: cls, ...rest } = attrs;
  return h('a', { ...rest, href, class: ['btn', kind && `btn-${kind}`, cls] }, text);
}

/** badge: a small coloured label; kind: ok | warn | danger | info | muted. */
export function badge(text, kind = 'info') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** alert: a message box; kind: error | ok | info | warn. */
export function alert(message, kind = 'error') {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
}

/** errorBox shows any thrown error as a red box (ApiError's Chinese message, else a generic one). */
export function errorBox(err) {
  return alert(errorMessage(err), 'error');
}

/** errorMessage: the Chinese text to show for err. */
export function errorMessage(err) {
  if (err instanceof ApiError) return err.message;
  console.error(err);
  return '页面出错，请刷新后重试。' + (err && err.message ? `（${err.message}）` : '');
}

/** dl: a description list from [[label, value], …]; values may be nodes. Empty values show “—”. */
export function dl(pairs, cls = '') {
  return h('dl', { class: ['details', cls] }, pairs.map(([k, v]) => [
    h('dt', null, k),
    h('dd', null, v === null || v === undefined || v === '' ? '—' : v),
  ]));
}

// ───────────────────────────── numbers, money and dates ─────────────────────────────

/** formatNumber: 1234567 → "1,234,567". */
export function formatNumber(n) {
  if (n === null || n === undefined || n === '') return '';
  const x = Number(n);
  if (!Number.isFinite(x)) return String(n);
  return x.toLocaleString('zh-CN', { maximumFractionDigits: 4 });
}

function groupDigits(s) {
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** formatFen: integer fen → "¥1,234.50" (negative: "-¥1,234.50"). Empty for null. */
export function formatFen(fen, { symbol = true } = {}) {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Math.round(Number(fen));
  if (!Number.isFinite(n)) return String(fen);
  const s = String(Math.abs(n)).padStart(3, '0');
  return `${n < 0 ? '-' : ''}${symbol ? '¥' : ''}${groupDigits(s.slice(0, -2))}.${s.slice(-2)}`;
}

/** fenToYuan: integer fen → a plain yuan string for an input: 90000 → "900", 123456 → "1234.56". */
export function fenToYuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Math.round(Number(fen));
  const s = String(Math.abs(n)).padStart(3, '0');
  const cents = s.slice(-2);
  return `${n < 0 ? '-' : ''}${s.slice(0, -2)}${cents === '00' ? '' : '.' + cents}`;
}

/**
 * parseYuan: what a person typed as yuan → integer fen, by string arithmetic (no float rounding).
 * Accepts "1,234.5", "¥1234.50", "１２３", "12元"; at most two decimals. Returns NaN when it is not an amount.
 */
export function parseYuan(input) {
  if (input === null || input === undefined) return NaN;
  const s = String(input).trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[．。]/g, '.')
    .replace(/[,，\s¥￥元]/g, '');
  const m = /^([+-]?)(\d*)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m || (m[2] === '' && !m[3])) return NaN;
  const digits = ((m[2] || '0') + (m[3] || '').padEnd(2, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return NaN; // beyond what a JS number holds exactly
  const n = Number(digits);
  return m[1] === '-' && n !== 0 ? -n : n;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** formatDate: "2026-01-01" stays as is; an RFC 3339 time → its local date "2026-01-01". */
export function formatDate(v) {
  if (!v) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** formatDateTime: an RFC 3339 time → local "2026-01-01 09:05" (seconds: true adds ":07"). */
export function formatDateTime(v, { seconds = false } = {}) {
  if (!v) return '';
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return `${formatDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? ':' + pad(d.getSeconds()) : ''}`;
}

/** todayISO: today's local date as "YYYY-MM-DD". */
export function todayISO() {
  return formatDate(new Date());
}

// ───────────────────────────── forms ─────────────────────────────

let fieldSeq = 0;

/**
 * field wraps a control with its label, an optional hint, and the place where its error will appear:
 * field('用户名', h('input', {name: 'username'}), {required: true, hint: '…'}).
 * Field errors are inserted as <div class="field-error"> right after the control with the same name.
 */
export function field(labelText, control, { required = false, hint = '', wide = false, id } = {}) {
  const isGroup = control.classList.contains('choices');
  // the labelled input: the control itself, or the one inside a wrapper such as affix()
  const input = isGroup ? null : control.matches('input,select,textarea') ? control : control.querySelector('input,select,textarea');
  if (input && !input.id) input.id = id || `f-${input.getAttribute('name') || 'x'}-${++fieldSeq}`;
  if (required && input) input.required = true;
  const lab = input
    ? h('label', { class: 'field-label', for: input.id }, labelText, required ? h('span', { class: 'req' }, '*') : null)
    : h('span', { class: 'field-label' }, labelText, required ? h('span', { class: 'req' }, '*') : null);
  return h('div', { class: ['field', wide && 'field-wide'], dataset: required && isGroup ? { required: '1' } : {} },
    lab, control, hint ? h('div', { class: 'field-hint' }, hint) : null);
}

/** select: <select name> from [{value,label}]; value is preselected. */
export function select(name, options, value, attrs = {}) {
  const sel = h('select', { name, ...attrs },
    options.map((o) => h('option', { value: String(o.value ?? '') }, o.label)));
  if (value !== undefined && value !== null) sel.value = String(value);
  return sel;
}

/** checkboxes: a group of checkboxes with one name; readForm returns the checked values as an array. */
export function checkboxes(name, options, values = [], attrs = {}) {
  const set = new Set((values || []).map(String));
  return h('div', { class: 'choices', role: 'group', ...attrs },
    options.map((o) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name, value: String(o.value), checked: set.has(String(o.value)) }),
      h('span', null, o.label))));
}

/** affix: an input with a unit after it, e.g. affix(moneyInput('amount_fen'), '元'). */
export function affix(control, text) {
  return h('div', { class: 'input-affix' }, control, h('span', { class: 'affix' }, text));
}

/** moneyInput: a text input for yuan whose value readForm turns into integer fen; value is in fen. */
export function moneyInput(name, fen, attrs = {}) {
  return h('input', { name, inputmode: 'decimal', 'data-type': 'money', 'data-min': '0', autocomplete: 'off',
    value: fenToYuan(fen), placeholder: '0.00', class: 'input-money', ...attrs });
}

/** formActions: the row of buttons at the bottom of a form. */
export function formActions(...buttons) {
  return h('div', { class: 'form-actions' }, buttons);
}

/** validationError: a client-side refusal shaped like the server's, for bindForm to show. */
export function validationError(fields, message = '请检查标红的项目') {
  return new ApiError('validation', message, fields, 0);
}

/**
 * readForm reads a form into an object. By control:
 *  - type=number or data-type="number": a number ('' → null); data-type="int": a whole number
 *  - data-type="money": yuan typed → integer fen ('' → null), via parseYuan
 *  - checkbox with data-type="bool": true/false; other checkboxes: array of checked values (per name)
 *  - radio: the checked value; select with data-type="number": a number ('' → null)
 *  - data-empty="null": '' → null; text is trimmed (passwords are not)
 *  - required and empty → a Chinese field error
 * Disabled controls and controls without a name are skipped. Throws a validation ApiError listing bad fields.
 */
export function readForm(form) {
  const out = {};
  const errors = {};
  for (const el of form.elements) {
    const name = el.name;
    if (!name || el.disabled || el.type === 'submit' || el.type === 'button' || el.type === 'reset' || el.type === 'file') continue;
    const dt = el.dataset.type || '';
    if (el.type === 'checkbox') {
      if (dt === 'bool') out[name] = el.checked;
      else {
        if (!Array.isArray(out[name])) out[name] = [];
        if (el.checked) out[name].push(dt === 'number' ? Number(el.value) : el.value);
      }
      continue;
    }
    if (el.type === 'radio') {
      if (!(name in out)) out[name] = null;
      if (el.checked) out[name] = dt === 'number' ? Number(el.value) : el.value;
      continue;
    }
    const raw = el.type === 'password' ? el.value : String(el.value ?? '').trim();
    if (el.required && raw === '') {
      errors[name] = el.tagName === 'SELECT' ? '请选择' : '请填写此项';
      continue;
    }
    if (dt === 'money') {
      if (raw === '') { out[name] = null; continue; }
      const fen = parseYuan(raw);
      if (Number.isNaN(fen)) errors[name] = '请输入正确的金额（元，最多两位小数）';
      else if (el.dataset.min !== undefined && fen < Number(el.dataset.min)) errors[name] = '金额不能为负数';
      else out[name] = fen;
    } else if (el.type === 'number' || dt === 'number' || dt === 'int') {
      if (raw === '') { out[name] = null; continue; }
      const n = Number(raw);
      if (!Number.isFinite(n)) errors[name] = '请输入数字';
      else if (dt === 'int' && !Number.isInteger(n)) errors[name] = '请输入整数';
      else out[name] = n;
    } else if (raw === '' && el.dataset.empty === 'null') {
      out[name] = null;
    } else {
      out[name] = raw;
    }
  }
  const required = form.querySelectorAll('.field[data-required] .choices');
  for (const g of required) {
    const first = g.querySelector('input[name]');
    if (first && Array.isArray(out[first.name]) && out[first.name].length === 0) errors[first.name] = '请至少选择一项';
  }
  if (Object.keys(errors).length) throw validationError(errors);
  return out;
}

function findControl(form, name) {
  const byName = (n) => {
    try { return form.querySelector(`[name="${CSS.escape(n)}"]`); } catch { return null; }
  };
  return byName(name)
    || byName(name.replace(/\[\d+\]$/, ''))
    || byName(name.split('.').pop())
    || byName(name.split('.').pop().replace(/\[\d+\]$/, ''));
}

/** clearFormErrors removes the banner text and every field error of form. */
export function clearFormErrors(form) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  form.querySelectorAll('.has-error').forEach((e) => e.classList.remove('has-error'));
  const banner = form.querySelector('.form-error');
  if (banner) { banner.replaceChildren(); banner.hidden = true; }
}

/**
 * showFormErrors shows err.message in the form's banner (a .form-error at the top of the form, created if absent)
 * and each err.fields[name] in a <div class="field-error"> right after the control with that name.
 * A field message with no matching control is listed in the banner. What the user typed is left alone.
 */
export function showFormErrors(form, err) {
  clearFormErrors(form);
  let banner = form.querySelector('.form-error');
  if (!banner) {
    banner = h('div', { class: 'form-error', role: 'alert' });
    form.prepend(banner);
  }
  const unplaced = [];
  let first = null;
  for (const [name, msg] of Object.entries((err && err.fields) || {})) {
    const ctl = findControl(form, name);
    if (!ctl) { unplaced.push(msg); continue; }
    const group = ctl.closest('.choices');
    const anchor = ctl.closest('.choices, .input-affix') || ctl;
    const holder = ctl.closest('.field');
    if (holder) holder.classList.add('has-error');
    (group ? group.querySelectorAll('input') : [ctl]).forEach((c) => c.setAttribute('aria-invalid', 'true'));
    anchor.after(h('div', { class: 'field-error', dataset: { for: name } }, msg));
    first = first || ctl;
  }
  const message = (err && err.message) || '提交失败';
  banner.append(h('div', null, message));
  if (unplaced.length) banner.append(h('ul', null, unplaced.map((m) => h('li', null, m))));
  banner.hidden = false;
  if (first && typeof first.focus === 'function') first.focus({ preventScroll: false });
  else banner.scrollIntoView({ block: 'nearest' });
}

/**
 * bindForm makes form submit through handler(data, form): it reads the form (readForm), clears old errors,
 * disables the submit buttons while the request runs, and on an ApiError shows the banner and field errors
 * while keeping everything the user typed. The handler may throw validationError({...}) for client checks.
 */
export function bindForm(form, handler) {
  form.noValidate = true;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (form.dataset.busy) return;
    clearFormErrors(form);
    const buttons = [...form.querySelectorAll('button[type="submit"]')];
    if (form.id) buttons.push(...document.querySelectorAll(`button[type="submit"][form="${form.id}"]`));
    form.dataset.busy = '1';
    form.setAttribute('aria-busy', 'true');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const data = readForm(form);
      await handler(data, form);
    } catch (err) {
      showFormErrors(form, err instanceof ApiError ? err : new ApiError('internal', errorMessage(err)));
    } finally {
      delete form.dataset.busy;
      form.removeAttribute('aria-busy');
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

/** orgOptions: [{value: id, label: indented name}] from the tree-ordered org list, with an optional empty first choice. */
export function orgOptions(orgs, empty) {
  const opts = empty !== undefined ? [{ value: '', label: empty }] : [];
  for (const o of orgs) opts.push({ value: o.id, label: '\u3000'.repeat(Math.max(0, (o.level || 1) - 1)) + o.name });
  return opts;
}

// ───────────────────────────── toasts and dialogs ─────────────────────────────

/** toast shows a short notice in the corner; kind: ok | error | info. */
export function toast(message, kind = 'ok', ms = 3500) {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(t);
  setTimeout(() => { t.classList.add('toast-out'); setTimeout(() => t.remove(), 300); }, ms);
  return t;
}

function makeDialog({ title, id, wide }) {
  const dlg = h('dialog', { class: ['dialog', wide && 'dialog-wide'], id, 'aria-label': title });
  document.body.append(dlg);
  dlg.addEventListener('close', () => setTimeout(() => dlg.remove(), 0));
  return dlg;
}

/**
 * confirmDialog asks before a destructive action; resolves true on 确定, false on 取消 or Esc.
 * Buttons: #confirm-ok, #confirm-cancel.
 */
export function confirmDialog({ title = '请确认', message = '', okText = '确定', cancelText = '取消', danger = true } = {}) {
  return new Promise((resolve) => {
    const dlg = makeDialog({ title, id: 'confirm-dialog' });
    let answer = false;
    const ok = button(okText, () => { answer = true; dlg.close(); }, { kind: danger ? 'danger' : 'primary', id: 'confirm-ok' });
    dlg.append(
      h('div', { class: 'dialog-head' }, h('h2', null, title)),
      h('div', { class: 'dialog-body' }, typeof message === 'string' ? h('p', null, message) : message),
      h('div', { class: 'dialog-foot' }, button(cancelText, () => dlg.close(), { id: 'confirm-cancel' }), ok),
    );
    dlg.addEventListener('close', () => resolve(answer));
    dlg.showModal();
    ok.focus();
  });
}

/** infoDialog shows read-only content in a modal with a 关闭 button; resolves when closed. */
export function infoDialog({ title, body, id = 'info-dialog', wide = true }) {
  return new Promise((resolve) => {
    const dlg = makeDialog({ title, id, wide });
    const close = button('关闭', () => dlg.close(), { kind: 'primary', id: `${id}-close` });
    dlg.append(
      h('div', { class: 'dialog-head' }, h('h2', null, title)),
      h('div', { class: 'dialog-body' }, body),
      h('div', { class: 'dialog-foot' }, close));
    dlg.addEventListener('close', () => resolve());
    dlg.showModal();
    close.focus();
  });
}

/**
 * formDialog shows a form in a modal: body is the form's content (fields); onSubmit(data, form) runs on submit and
 * may throw an ApiError (shown inside the dialog, the input kept). Resolves with onSubmit's result, or null if the
 * dialog was cancelled. The form gets id opts.formId (default "dialog-form"); the submit button "<formId>-submit".
 */
export function formDialog({ title, body, submitText = '保存', onSubmit, formId = 'dialog-form', wide = false, danger = false }) {
  return new Promise((resolve) => {
    const dlg = makeDialog({ title, id: `${formId}-dialog`, wide });
    let result = null;
    let done = false;
    const form = h('form', { id: formId, class: 'form', novalidate: true },
      h('div', { class: 'dialog-head' }, h('h2', null, title)),
      h('div', { class: 'dialog-body' }, h('div', { class: 'form-error', role: 'alert', hidden: true }), body),
      h('div', { class: 'dialog-foot' },
        button('取消', () => dlg.close(), { id: `${formId}-cancel` }),
        h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], id: `${formId}-submit` }, submitText)));
    bindForm(form, async (data) => {
      result = await onSubmit(data, form);
      done = true;
      dlg.close();
    });
    dlg.append(form);
    dlg.addEventListener('close', () => resolve(done ? (result ?? true) : null));
    dlg.showModal();
    const firstInput = form.querySelector('input:not([type=hidden]):not([disabled]),select,textarea');
    if (firstInput) firstInput.focus();
  });
}

/** exportButtons: 导出 Excel / 导出 CSV links to an export route (SPEC §8.1) with a report's current filters
 *  ("/reports/anomalies/export", {from, to}); ids are "<id>-export-xlsx" and "<id>-export-csv". The server audits it. */
export function exportButtons(id, path, query = {}) {
  return h('span', { class: 'export-links no-print', id: `${id}-export` },
    [['xlsx', '导出 Excel'], ['csv', '导出 CSV']].map(([format, text]) =>
      h('a', { class: 'btn', id: `${id}-export-${format}`, href: '/api/v1' + withQuery(path, { ...query, format }), download: '' }, text)));
}

/** printButton: 打印 for a record or report page; the print CSS leaves the shell and the buttons off the paper. */
export function printButton(id = 'print-now') {
  return button('打印', () => window.print(), { id, class: 'no-print' });
}

// ───────────────────────────── lists ─────────────────────────────

/**
 * listView renders a searchable, filterable, paged table into root and loads it. Options:
 *  id        the table's id (the pager total is "<id>-total", the search box "<id>-q", the filter form "<id>-filters")
 *  columns   [{key, title, render(row) → node|string, align: 'right'|'center', nowrap, noPrint}] — a key ending
 *            in _fen is shown as money, right-aligned; noPrint leaves the column (e.g. 操作) off the printout
 *  load      async (query) → {items, total, total_capped}; query has q, page, per_page and every filter's value;
 *            total_capped means "at least total" (shown as "10000+")
 *  search    placeholder text for the search box, or false for none
 *  filters   [{name, label, type: 'select'|'text'|'date', options: [{value,label}] or async () => [...]}]
 *  query     the initial state (params.query from the router), so a reload or a shared link keeps the filters
 *  perPage   default 20;  syncUrl: default true (writes the state into the address bar's hash)
 *  rowLink   (row) → '#/…': clicking a row opens it;  empty: the text when there are no rows
 *  toolbar   extra nodes at the right of the filter bar (e.g. an export button)
 * Returns {reload(), state, table}.
 */
export function listView(root, opts) {
  const id = opts.id || `list-${++fieldSeq}`;
  const perPage = opts.perPage || 20;
  const filters = opts.filters || [];
  const init = opts.query || {};
  const state = { q: init.q || '', page: Math.max(1, parseInt(init.page, 10) || 1), per_page: parseInt(init.per_page, 10) || perPage };
  for (const f of filters) state[f.name] = init[f.name] ?? f.value ?? '';

  const controls = [];
  if (opts.search !== false) {
    controls.push(h('div', { class: 'filter filter-search' },
      h('input', { type: 'search', name: 'q', id: `${id}-q`, value: state.q, placeholder: opts.search || '搜索', 'aria-label': '搜索' })));
  }
  const filterControls = {};
  for (const f of filters) {
    let ctl;
    if (f.type === 'select') {
      ctl = select(f.name, [{ value: '', label: f.all || `全部${f.label}` }], '', { id: `${id}-${f.name}` });
      const fill = (options) => {
        ctl.replaceChildren(...[{ value: '', label: f.all || `全部${f.label}` }, ...options].map((o) => h('option', { value: String(o.value ?? '') }, o.label)));
        ctl.value = String(state[f.name] ?? '');
      };
      if (typeof f.options === 'function') Promise.resolve(f.options()).then(fill).catch(() => {});
      else fill(f.options || []);
      ctl.addEventListener('change', () => { state[f.name] = ctl.value; state.page = 1; reload(); });
    } else {
      ctl = h('input', { type: f.type || 'text', name: f.name, id: `${id}-${f.name}`, value: state[f.name] ?? '', placeholder: f.placeholder || f.label });
      if (f.type === 'date') ctl.addEventListener('change', () => { state[f.name] = ctl.value; state.page = 1; reload(); });
    }
    filterControls[f.name] = ctl;
    controls.push(h('div', { class: 'filter' }, h('label', { class: 'filter-label', for: ctl.id }, f.label), ctl));
  }
  // opts.exportPath: the list's export route (SPEC §8.1); the links carry the filters on screen. opts.unmasked
  // offers the full-number export to the roles that may ask for it (the server checks and audits it).
  const exportLinks = opts.exportPath ? h('span', { class: 'export-links no-print' },
    [['xlsx', '导出 Excel'], ['csv', '导出 CSV']].concat(opts.unmasked ? [['xlsx-full', '导出（不打码）']] : [])
      .map(([kind, text]) => h('a', { class: 'btn', id: `${id}-export-${kind}`, dataset: { kind }, href: '#', download: '' }, text))) : null;
  function updateExportLinks() {
    if (!exportLinks) return;
    for (const a of exportLinks.children) {
      const q = {};
      for (const [k, v] of Object.entries(state)) if (k !== 'page' && k !== 'per_page' && v !== '') q[k] = v;
      q.format = a.dataset.kind === 'csv' ? 'csv' : 'xlsx';
      if (a.dataset.kind === 'xlsx-full') q.unmasked = '1';
      a.href = '/api/v1' + withQuery(opts.exportPath, q);
    }
  }
  const filterForm = h('form', { class: 'list-filters', id: `${id}-filters`, role: 'search' },
    controls,
    (opts.search !== false || filters.some((f) => f.type !== 'select' && f.type !== 'date'))
      ? h('button', { type: 'submit', class: 'btn btn-primary', id: `${id}-search` }, '查询') : null,
    filters.length || opts.search !== false ? button('重置', () => {
      state.q = '';
      for (const f of filters) { state[f.name] = f.value ?? ''; filterControls[f.name].value = state[f.name]; }
      const qi = filterForm.querySelector('[name="q"]');
      if (qi) qi.value = '';
      state.page = 1;
      reload();
    }, { id: `${id}-reset` }) : null,
    h('div', { class: 'list-toolbar' }, opts.toolbar || [], exportLinks));
  filterForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const qi = filterForm.querySelector('[name="q"]');
    if (qi) state.q = qi.value.trim();
    for (const f of filters) state[f.name] = filterControls[f.name].value.trim();
    state.page = 1;
    reload();
  });

  const columns = opts.columns;
  const table = h('table', { class: 'table', id },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { class: colClass(c), style: c.width ? { width: c.width } : null }, c.title)))),
    h('tbody'));
  const tbody = table.tBodies[0];
  const total = h('span', { class: 'pager-total', id: `${id}-total` }, '');
  const pageInfo = h('span', { class: 'pager-info' });
  const prev = button('上一页', () => { if (state.page > 1) { state.page--; reload(); } }, { id: `${id}-prev` });
  const next = button('下一页', () => { state.page++; reload(); }, { id: `${id}-next` });
  const perSel = select('per_page', [10, 20, 50, 100, 200].map((n) => ({ value: n, label: `每页 ${n} 条` })), state.per_page,
    { 'aria-label': '每页条数', onchange: (e) => { state.per_page = Number(e.target.value); state.page = 1; reload(); } });
  const pager = h('div', { class: 'pager' }, total, h('div', { class: 'pager-nav' }, perSel, prev, pageInfo, next));
  const wrap = h('div', { class: 'table-wrap' }, table);
  root.append(h('div', { class: 'list' }, filterForm, wrap, pager));

  let seq = 0;
  let loaded = false;
  async function reload() {
    const my = ++seq;
    if (!loaded) tbody.replaceChildren(h('tr', null, h('td', { colspan: columns.length, class: 'table-empty' }, '加载中…')));
    wrap.classList.add('is-loading');
    if (opts.syncUrl !== false) syncUrl(state, perPage);
    updateExportLinks();
    const query = { ...state };
    let res;
    try {
      res = await opts.load(query);
    } catch (err) {
      if (my !== seq) return;
      wrap.classList.remove('is-loading');
      tbody.replaceChildren(h('tr', null, h('td', { colspan: columns.length, class: 'table-empty table-error' }, errorMessage(err))));
      return;
    }
    if (my !== seq) return;
    loaded = true;
    wrap.classList.remove('is-loading');
    const items = (res && res.items) || [];
    const n = (res && res.total) ?? items.length;
    // total_capped: the server counted up to `total` and stopped (e.g. 10000+); pages go on while they are full.
    const capped = !!(res && res.total_capped);
    const pages = Math.max(1, Math.ceil(n / state.per_page));
    if (!capped && state.page > pages && n > 0) { state.page = pages; return reload(); }
    total.textContent = capped ? `共 ${formatNumber(n)}+ 条` : `共 ${formatNumber(n)} 条`;
    pageInfo.textContent = capped ? `第 ${state.page} 页` : `第 ${state.page} / ${pages} 页`;
    prev.disabled = state.page <= 1;
    next.disabled = capped ? items.length < state.per_page : state.page >= pages;
    if (!items.length) {
      tbody.replaceChildren(h('tr', null, h('td', { colspan: columns.length, class: 'table-empty' }, opts.empty || '暂无数据')));
      return;
    }
    tbody.replaceChildren(...items.map((row) => {
      const tr = h('tr', { dataset: row.id !== undefined ? { id: row.id } : {} },
        columns.map((c) => h('td', { class: colClass(c) }, cell(c, row))));
      if (opts.rowLink) {
        const href = opts.rowLink(row);
        if (href) {
          tr.classList.add('row-link');
          tr.addEventListener('click', (ev) => {
            if (ev.target.closest('a,button,input,select,label')) return;
            location.hash = href;
          });
        }
      }
      return tr;
    }));
  }
  reload();
  return { reload, state, table };
}

function colClass(c) {
  const right = c.align === 'right' || (!c.align && c.key && c.key.endsWith('_fen'));
  return [right && 'num', c.align === 'center' && 'center', c.nowrap && 'nowrap', c.noPrint && 'no-print', c.class].filter(Boolean).join(' ');
}

function cell(c, row) {
  if (c.render) return c.render(row);
  const v = row[c.key];
  if (c.key && c.key.endsWith('_fen')) return formatFen(v);
  if (v === null || v === undefined || v === '') return '—';
  return String(v);
}

function syncUrl(state, perPage) {
  const base = (location.hash || '#/').split('?')[0];
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    if (v === '' || v === null || v === undefined) continue;
    if (k === 'page' && v === 1) continue;
    if (k === 'per_page' && v === perPage) continue;
    sp.set(k, v);
  }
  const s = sp.toString();
  const want = base + (s ? '?' + s : '');
  if (want !== location.hash) history.replaceState(history.state, '', want);
}
