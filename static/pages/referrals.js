// 转介跟踪 (SPEC §3.4): referrals to grassroots unions with follow-up dates; overdue follow-ups first.

import { api, withQuery, loadOrgs } from '/api.js';
import { h, pageHeader, card, field, select, listView, button, badge, formDialog, affix, moneyInput, formatFen, toast } from '/ui.js';
import { REFERRAL_STATUS as STATUS } from '/labels.js';

export async function render(root, params, ctx) {
  const counts = h('p', { class: 'muted', id: 'referral-counts' });
  root.append(pageHeader('转介跟踪', ctx.may('POST /api/v1/referrals') ? button('新建转介', () => create(ctx, view), { kind: 'primary', id: 'referral-new' }) : null), counts);
  const view = listView(root, {
    id: 'referral-list',
    exportPath: '/referrals/export',
    query: params.query,
    search: '姓名',
    filters: [
      { name: 'status', label: '状态', type: 'select', options: Object.entries(STATUS).map(([value, label]) => ({ value, label })) },
      { name: 'overdue', label: '回访', type: 'select', all: '全部', options: [{ value: 'true', label: '仅逾期未回访' }] },
    ],
    load: async (q) => {
      const r = await api('GET', withQuery('/referrals', q));
      counts.textContent = `跟进中 ${r.counts.pending} 件（其中逾期 ${r.counts.overdue} 件），已帮扶 ${r.counts.helped} 件，未帮扶 ${r.counts.declined} 件`;
      return r;
    },
    columns: [
      { key: 'name', title: '姓名' },
      { key: 'id_number', title: '身份证号', nowrap: true },
      { key: 'org_name', title: '转介至' },
      { key: 'reason', title: '转介原因' },
      { key: 'follow_up_date', title: '回访日期', nowrap: true, render: (r) => h('span', null, r.follow_up_date, r.overdue ? badge('逾期', 'danger') : null) },
      { key: 'status', title: '状态', render: (r) => badge(STATUS[r.status], r.status === 'pending' ? 'warn' : 'ok') },
      { key: 'amount_fen', title: '帮扶金额', render: (r) => (r.status === 'helped' ? formatFen(r.amount_fen) : '—') },
      { key: 'act', title: '', render: (r) => ((r.actions || []).includes('close') ? button('办结', () => close(r, view), { kind: 'link' }) : r.outcome) },
    ],
  });
}

async function create(ctx, view) {
  const orgs = (await loadOrgs()).filter((o) => o.level === 4);
  await formDialog({ title: '新建转介', formId: 'referral-form', wide: true,
    body: h('div', { class: 'form-grid' },
      field('姓名', h('input', { name: 'name' }), { required: true }),
      field('身份证号', h('input', { name: 'id_number', maxlength: 18 }), { required: true }),
      field('手机号', h('input', { name: 'phone', maxlength: 11 })),
      field('转介至基层工会', select('org_id', [{ value: '', label: '请选择' }, ...orgs.map((o) => ({ value: o.id, label: o.name }))], '', { 'data-type': 'number' }), { required: true }),
      field('回访日期', h('input', { type: 'date', name: 'follow_up_date' }), { required: true }),
      field('转介原因', h('textarea', { name: 'reason', rows: 3 }), { required: true, wide: true })),
    onSubmit: async (data) => { await api('POST', '/referrals', data); toast('已转介'); view.reload(); } });
}

function close(r, view) {
  return formDialog({ title: `办结转介：${r.name}`, formId: 'referral-close',
    body: h('div', { class: 'form-grid' },
      field('结果', select('outcome', [{ value: 'helped', label: '已帮扶' }, { value: 'declined', label: '未帮扶' }], 'helped'), { required: true }),
      field('帮扶金额', affix(moneyInput('amount_fen', 0), '元')),
      field('说明', h('textarea', { name: 'note', rows: 2 }), { hint: '未帮扶时请说明原因' })),
    onSubmit: async (data) => { await api('POST', `/referrals/${r.id}/close`, { ...data, amount_fen: data.amount_fen || 0 }); toast('已办结'); view.reload(); } });
}
