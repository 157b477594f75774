// 政策参数 (admin): the policy versions of SPEC §2. #/policies shows the policy in force and every version;
// #/policies/new creates a version prefilled from the current one; #/policies/{id} shows one version.
// Money is fen in JSON and yuan on screen.

import { api, withQuery, loadOrgs, loadAll } from '/api.js';
import {
  h, clear, pageHeader, card, field, select, formActions, bindForm, listView, linkButton, badge,
  orgOptions, formatFen, formatDate, formatDateTime, todayISO, errorBox, affix, moneyInput, alert,
} from '/ui.js';
import { POLICY_PARAMS } from '/labels.js';

const seen = new Map();

export async function render(root, params, ctx) {
  if (!params.id) return renderOverview(root, params, ctx);
  if (params.id === 'new') return renderCreate(root, ctx);
  return renderOne(root, params.id);
}

/** paramDefs: the known parameters in order, then any the server sends that this page does not know yet. */
function paramDefs(p) {
  const defs = [...POLICY_PARAMS];
  for (const key of Object.keys(p || {})) {
    if (!defs.some((d) => d.key === key)) {
      defs.push({ key, label: key, kind: key.endsWith('_fen') ? 'money' : 'ratio', group: '其他' });
    }
  }
  return defs;
}

function formatParam(d, v) {
  if (v === null || v === undefined) return '—';
  if (d.kind === 'money') return formatFen(v);
  return `${v}${d.unit ? ' ' + d.unit : ''}`;
}

function scope(p) {
  return p.org_id ? p.org_name || `组织 #${p.org_id}` : '全区';
}

/** paramsTable: every parameter with its Chinese label, grouped. */
function paramsTable(p, id) {
  const defs = paramDefs(p.params);
  const groups = [...new Set(defs.map((d) => d.group))];
  return h('table', { class: 'table table-params', id },
    h('tbody', null, groups.map((g) => [
      h('tr', { class: 'group-row' }, h('th', { colspan: 2 }, g)),
      defs.filter((d) => d.group === g).map((d) => h('tr', { dataset: { key: d.key } },
        h('th', { scope: 'row' }, d.label, d.hint ? h('div', { class: 'field-hint' }, d.hint) : null),
        h('td', { class: 'num' }, formatParam(d, (p.params || {})[d.key])))),
    ])));
}

function versionHead(p) {
  return h('div', { class: 'policy-head' },
    h('span', null, '生效日期 ', h('strong', null, formatDate(p.effective_from))),
    h('span', null, '适用范围 ', badge(scope(p), p.org_id ? 'info' : 'ok')),
    p.created_by ? h('span', { class: 'muted' }, `${p.created_by} 创建于 ${formatDateTime(p.created_at)}`) : null);
}

async function renderOverview(root, params, ctx) {
  root.append(pageHeader('政策参数', linkButton('新建政策版本', '#/policies/new', { kind: 'primary', id: 'policy-new' })));

  // The policy that applies on a date to an org (by default: today, the whole district).
  const orgs = await loadOrgs().catch(() => []);
  const currentBox = h('div', { id: 'policy-current' });
  const date = h('input', { type: 'date', name: 'date', value: todayISO(), id: 'policy-current-date' });
  const org = select('org_id', orgOptions(orgs, '全区'), '', { id: 'policy-current-org' });
  async function showCurrent() {
    clear(currentBox, h('p', { class: 'muted' }, '加载中…'));
    try {
      const p = await api('GET', withQuery('/policies/current', { date: date.value, org_id: org.value }));
      seen.set(String(p.id), p);
      clear(currentBox, versionHead(p), paramsTable(p, 'policy-current-params'));
    } catch (err) {
      clear(currentBox, err.status === 404 ? alert('该日期尚无生效的政策版本。', 'warn') : errorBox(err));
    }
  }
  date.addEventListener('change', showCurrent);
  org.addEventListener('change', showCurrent);
  root.append(card('现行政策',
    h('div', { class: 'list-filters' },
      h('div', { class: 'filter' }, h('label', { class: 'filter-label', for: date.id }, '适用日期'), date),
      h('div', { class: 'filter' }, h('label', { class: 'filter-label', for: org.id }, '适用组织'), org)),
    currentBox));
  showCurrent();

  const versions = card('历史版本');
  root.append(versions);
  listView(versions, {
    id: 'policy-list',
    query: params.query,
    search: false,
    exportPath: '/policies/export',
    load: async (q) => {
      const res = await api('GET', withQuery('/policies', { page: q.page, per_page: q.per_page }));
      for (const p of res.items || []) seen.set(String(p.id), p);
      return res;
    },
    rowLink: (p) => `#/policies/${p.id}`,
    columns: [
      { key: 'effective_from', title: '生效日期', render: (p) => h('a', { href: `#/policies/${p.id}` }, formatDate(p.effective_from)), nowrap: true },
      { key: 'scope', title: '适用范围', render: (p) => scope(p) },
      { key: 'dibao', title: '低保标准（月）', align: 'right', render: (p) => formatFen((p.params || {}).dibao_monthly_fen) },
      { key: 'created_by', title: '创建人' },
      { key: 'created_at', title: '创建时间', render: (p) => formatDateTime(p.created_at), nowrap: true },
    ],
  });
}

async function renderOne(root, id) {
  root.append(pageHeader('政策版本', linkButton('返回', '#/policies')));
  let p = seen.get(String(id));
  if (!p) {
    try {
      p = (await loadAll('/policies')).find((x) => String(x.id) === String(id));
    } catch (err) {
      root.append(errorBox(err));
      return;
    }
  }
  if (!p) {
    root.append(alert('政策版本不存在。', 'warn'));
    return;
  }
  root.append(card(null, versionHead(p), paramsTable(p, 'policy-params')));
}

function paramInput(d, value) {
  if (d.kind === 'money') return affix(moneyInput(d.key, value), '元');
  const input = h('input', {
    name: d.key, type: 'number', 'data-type': d.kind === 'int' ? 'int' : 'number',
    step: d.kind === 'int' ? '1' : '0.01', min: '0', value: value ?? '', class: 'input-number',
  });
  return d.unit ? affix(input, d.unit) : input;
}

async function renderCreate(root, ctx) {
  root.append(pageHeader('新建政策版本', linkButton('返回', '#/policies')));
  const [orgs, current] = await Promise.all([
    loadOrgs().catch(() => []),
    api('GET', '/policies/current').catch((err) => (err.status === 404 ? null : Promise.reject(err))),
  ]);
  const base = (current && current.params) || {};
  const defs = paramDefs(base);
  const groups = [...new Set(defs.map((d) => d.group))];

  const form = h('form', { class: 'form', id: 'policy-form' },
    h('div', { class: 'form-grid' },
      field('生效日期', h('input', { type: 'date', name: 'effective_from', value: todayISO() }), { required: true, hint: '自该日起新办理的认定与审批使用此版本；已作出的决定不受影响。' }),
      field('适用组织', select('org_id', orgOptions(orgs, '全区（所有组织）'), '', { 'data-type': 'number' }), { hint: '选择某组织时，仅对该组织及其下级生效。' })),
    current ? h('p', { class: 'muted' }, `以下各项已按 ${formatDate(current.effective_from)} 起生效的版本（${scope(current)}）预填。金额单位为元。`) : null,
    groups.map((g) => h('fieldset', { class: 'fieldset' },
      h('legend', null, g),
      h('div', { class: 'form-grid' }, defs.filter((d) => d.group === g).map((d) => field(d.label, paramInput(d, base[d.key]), { required: true, hint: d.hint }))))),
    formActions(
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'policy-form-submit' }, '保存新版本'),
      linkButton('取消', '#/policies')));

  bindForm(form, async (data) => {
    const params = {};
    for (const d of defs) params[d.key] = data[d.key];
    const ok = await ctx.confirm({
      title: '保存政策版本',
      message: `新版本将于 ${data.effective_from} 起对${data.org_id ? '所选组织' : '全区'}生效，保存后不能修改或删除。确定保存？`,
      okText: '保存', danger: false,
    });
    if (!ok) return;
    const p = await api('POST', '/policies', { effective_from: data.effective_from, org_id: data.org_id, params });
    if (p && p.id) seen.set(String(p.id), p);
    ctx.toast('政策版本已保存');
    ctx.navigate('#/policies');
  });

  root.append(card(null, form));
}
