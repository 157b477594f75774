// 审计日志 (auditor, admin): the audit trail of SPEC §7, newest first, with filters, the details of one event,
// and a check of the hash chain (GET /audit/verify).

import { api, withQuery } from '/api.js';
import { h, clear, pageHeader, button, listView, infoDialog, dl, formatDateTime, alert, errorBox, formatNumber } from '/ui.js';
import { actionLabel, roleLabel, roleList, ENTITY_TYPES, label } from '/labels.js';

export async function render(root, params, ctx) {
  const result = h('div', { id: 'audit-verify-result', class: 'verify-result', 'aria-live': 'polite' });
  const verifyBtn = button('校验审计链', verify, { kind: 'primary', id: 'audit-verify' });

  async function verify() {
    verifyBtn.disabled = true;
    clear(result, h('span', { class: 'muted' }, '正在校验审计链…'));
    try {
      const r = await api('GET', '/audit/verify');
      if (r.ok) {
        clear(result, alert(h('span', null,
          h('strong', null, '审计链完整。'),
          ` 共校验至第 ${formatNumber(r.head_seq)} 条，链头哈希 `,
          h('code', { class: 'hash', title: r.head_hash }, r.head_hash || '')), 'ok'));
        result.dataset.ok = 'true';
      } else {
        clear(result, alert(h('span', null,
          h('strong', null, '审计链校验失败！'),
          ` 自第 ${formatNumber(r.first_bad_seq)} 条起记录与哈希不符，可能被篡改，请立即报告经审会。`), 'error'));
        result.dataset.ok = 'false';
      }
    } catch (err) {
      clear(result, errorBox(err));
      delete result.dataset.ok;
    } finally {
      verifyBtn.disabled = false;
    }
  }

  root.append(
    pageHeader('审计日志', verifyBtn),
    h('p', { class: 'muted page-intro' }, '每一次修改数据、登录、查看完整证件号码与导出，都会在同一事务内记录一条审计事件，并以哈希链相连。'),
    result);

  listView(root, {
    id: 'audit-list',
    query: params.query,
    search: false,
    perPage: 50,
    exportPath: '/audit/events/export',
    filters: [
      { name: 'actor', label: '操作人', type: 'text', placeholder: '用户名' },
      { name: 'action', label: '动作', type: 'text', placeholder: '如 user.create' },
      { name: 'entity_type', label: '对象类型', type: 'select', options: Object.entries(ENTITY_TYPES).map(([value, l]) => ({ value, label: `${l}（${value}）` })) },
      { name: 'entity_id', label: '对象编号', type: 'text', placeholder: '编号' },
      { name: 'from', label: '起始日期', type: 'date' },
      { name: 'to', label: '截止日期', type: 'date' },
    ],
    load: (q) => api('GET', withQuery('/audit/events', q)),
    columns: [
      { key: 'seq', title: '序号', align: 'right', nowrap: true },
      { key: 'time', title: '时间', render: (e) => formatDateTime(e.time, { seconds: true }), nowrap: true },
      { key: 'actor', title: '操作人', render: (e) => (e.actor ? h('span', { title: roleList(e.roles).map(roleLabel).join('、') }, e.actor) : h('span', { class: 'muted' }, '系统')) },
      { key: 'action', title: '动作', render: (e) => h('span', { title: e.action }, actionLabel(e.action)) },
      { key: 'entity', title: '对象', render: (e) => (e.entity_type ? `${label(ENTITY_TYPES, e.entity_type)}${e.entity_id ? ' #' + e.entity_id : ''}` : '—') },
      { key: 'reason', title: '原因', render: (e) => e.reason || '—' },
      { key: 'client_addr', title: '来源地址', class: 'mono', nowrap: true },
      { key: 'details', title: '详情', render: (e) => button('查看', () => showEvent(e), { kind: 'link', class: 'audit-details' }), nowrap: true, noPrint: true },
    ],
  });
}

function showEvent(e) {
  infoDialog({
    title: `审计事件 #${e.seq}`,
    id: 'audit-event-dialog',
    body: [
      dl([
        ['时间', formatDateTime(e.time, { seconds: true })],
        ['操作人', e.actor || '系统'],
        ['角色', roleList(e.roles).map(roleLabel).join('、')],
        ['组织编号', e.org_id],
        ['动作', `${actionLabel(e.action)}（${e.action}）`],
        ['对象', e.entity_type ? `${label(ENTITY_TYPES, e.entity_type)}（${e.entity_type}）${e.entity_id ? ' #' + e.entity_id : ''}` : ''],
        ['原因', e.reason],
        ['请求编号', e.request_id ? h('code', null, e.request_id) : ''],
        ['来源地址', e.client_addr],
        ['哈希', e.hash ? h('code', { class: 'hash-full' }, e.hash) : ''],
      ]),
      h('h3', { class: 'sub-title' }, '变更内容'),
      changesView(e.changes),
    ],
  });
}

function show(v) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, '（空）');
  if (typeof v === 'object') return h('code', null, JSON.stringify(v));
  return String(v);
}

/** changesView: {field: {before, after}} or {before: {...}, after: {...}} as a before/after table; anything else as JSON. */
function changesView(changes) {
  if (!changes || (typeof changes === 'object' && Object.keys(changes).length === 0)) return h('p', { class: 'muted' }, '无字段变更');
  let rows = null;
  if (typeof changes === 'object' && !Array.isArray(changes)) {
    const keys = Object.keys(changes);
    const isPair = (v) => v && typeof v === 'object' && !Array.isArray(v) && ('before' in v || 'after' in v || 'old' in v || 'new' in v);
    if (keys.every((k) => isPair(changes[k]))) {
      rows = keys.map((k) => [k, changes[k].before ?? changes[k].old, changes[k].after ?? changes[k].new]);
    } else if (keys.every((k) => k === 'before' || k === 'after')) {
      const b = changes.before || {};
      const a = changes.after || {};
      rows = [...new Set([...Object.keys(b), ...Object.keys(a)])].map((k) => [k, b[k], a[k]]);
    }
  }
  if (!rows) return h('pre', { class: 'json' }, JSON.stringify(changes, null, 2));
  return h('table', { class: 'table table-compact' },
    h('thead', null, h('tr', null, h('th', null, '字段'), h('th', null, '修改前'), h('th', null, '修改后'))),
    h('tbody', null, rows.map(([k, b, a]) => h('tr', null, h('td', { class: 'mono' }, k), h('td', null, show(b)), h('td', null, show(a))))));
}
