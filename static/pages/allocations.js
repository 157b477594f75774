// 下拨额度 (SPEC §6): the grassroots unions' allocations in scope with their balances; finance allocates (下拨)
// from a budget line. A grassroots union's finance user sees only its own allocations.

import { api, withQuery, loadOrgs } from '/api.js';
import { h, pageHeader, card, button, listView, orgOptions } from '/ui.js';
import { label, AID_TYPES, FUND_PURPOSES } from '/labels.js';
import { amount, allocateDialog } from '/pages/funds.js';

export async function render(root, params, ctx) {
  let list;
  root.append(pageHeader('下拨额度',
    ctx.may('POST /api/v1/allocations') ? button('下拨', () => allocateDialog(null).then((r) => { if (r) { ctx.toast('已下拨'); list.reload(); } }),
      { kind: 'primary', id: 'allocation-new' }) : null));
  const box = card(null);
  root.append(box);
  const year = new Date().getFullYear();
  list = listView(box, {
    id: 'allocation-list',
    query: params.query,
    search: '名称',
    filters: [
      { name: 'org_id', label: '基层工会', type: 'select', options: async () => orgOptions((await loadOrgs()).filter((o) => o.level === 4)) },
      { name: 'year', label: '年度', type: 'select', options: [year, year - 1, year - 2].map((y) => ({ value: y, label: `${y}年` })) },
      { name: 'aid_type', label: '救助类型', type: 'select', options: AID_TYPES },
    ],
    load: (q) => api('GET', withQuery('/allocations', q)),
    exportPath: '/allocations/export',
    rowLink: (a) => `#/funds/${a.id}`,
    columns: [
      { key: 'org_name', title: '基层工会', render: (a) => h('a', { href: `#/funds/${a.id}` }, a.org_name) },
      { key: 'name', title: '预算科目', render: (a) => a.name.split('·').slice(1).join('·') || a.name },
      { key: 'purpose', title: '用途', render: (a) => label(FUND_PURPOSES, a.purpose) },
      { key: 'posted', title: '已下拨余额', align: 'right', render: (a) => amount(a, 'posted') },
      { key: 'pending_out', title: '待支付', align: 'right', render: (a) => amount(a, 'pending_out') },
      { key: 'available', title: '可用余额', align: 'right', render: (a) => h('strong', null, amount(a, 'available')) },
    ],
  });
}
