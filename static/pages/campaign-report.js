// 活动覆盖报表 (SPEC §5, §8.1; issue 10 item 5): #/reports/campaigns lists every campaign the user sees with
// what it reached in the user's scope — unions reached against those planned, sites, workers, goods delivered
// and their value, deliveries confirmed, health checks against the quota, warmth households paid — and the
// totals of all campaigns the filters select. The filters live in the address (year, kind, status, q).

import { api, withQuery } from '/api.js';
import { h, pageHeader, card, listView, badge, dl, formatFen, formatNumber, printButton } from '/ui.js';
import { CAMPAIGN_KINDS as KIND, CAMPAIGN_STATUS as STATUS } from '/labels.js';

/** reach: "reached / planned" with a small bar, or just the count when nothing is planned. */
function reach(reached, planned, unit) {
  if (!planned) return `${formatNumber(reached)} ${unit}`;
  const pct = Math.min(100, Math.round((reached / planned) * 100));
  return h('div', { class: 'reach', title: `${pct}%` },
    h('span', null, `${formatNumber(reached)} / ${formatNumber(planned)} ${unit}`),
    h('div', { class: 'reach-bar', style: { height: '6px', background: '#e9ecef', borderRadius: '3px', marginTop: '3px', minWidth: '80px' } },
      h('div', { style: { width: `${pct}%`, height: '100%', background: pct >= 100 ? '#2f9e44' : '#1971c2', borderRadius: '3px' } })));
}

function coverage(r) {
  switch (r.kind) {
    case 'cooling':
      return `${formatNumber(r.sites)} 个点位（户外/高温 ${r.outdoor_sites}，驿站 ${r.rest_stations}）· 职工 ${formatNumber(r.workers_covered)} 人`;
    case 'health_check':
      return `报名 ${formatNumber(r.enrolled)} / 名额 ${formatNumber(r.quota)} 人 · 已体检 ${formatNumber(r.checked)} · 报告送达 ${formatNumber(r.reports_delivered)}`;
    default:
      return `名单 ${formatNumber(r.households)} 户 · 申请 ${formatNumber(r.applications)} · 批准 ${formatNumber(r.approved)} · 已发放 ${formatNumber(r.paid)} 户`;
  }
}

function value(r) {
  if (r.kind === 'cooling') return formatFen(r.delivered_value_fen);
  if (r.kind === 'health_check') return formatFen(r.checks_cost_fen);
  return formatFen(r.paid_fen);
}

function goods(r) {
  if (r.kind !== 'cooling' || !r.goods.length) return '—';
  return h('ul', { class: 'plain-list', style: { listStyle: 'none', margin: 0, padding: 0 } }, r.goods.map((g) => h('li', null, `${g.name} ${formatNumber(g.quantity)} ${g.unit}`)));
}

function confirmation(r) {
  if (r.kind !== 'cooling') return '—';
  if (!r.deliveries) return '无配送';
  return h('span', null, `已签收 ${r.confirmed} 笔`, r.unconfirmed ? [' · ', badge(`待签收 ${r.unconfirmed} 笔`, 'warn')] : null);
}

export async function render(root, params, ctx) {
  ctx.setTitle('活动覆盖报表');
  root.append(pageHeader('活动覆盖报表', printButton()),
    h('p', { class: 'muted' }, '各项活动在您管辖范围内的覆盖情况：覆盖的基层工会、点位和职工，配送物资及价值，签收确认，体检名额使用，送温暖发放。预算与支出为活动整体数字。'));
  const totals = h('div', { id: 'campaign-report-totals' });
  root.append(card('合计', totals));
  const year = new Date().getFullYear();
  const years = [];
  for (let y = year + 1; y >= year - 5; y--) years.push({ value: y, label: `${y} 年` });
  const query = { year: String(year), ...params.query };
  listView(root, {
    id: 'campaign-report',
    query,
    search: '活动名称',
    filters: [
      { name: 'year', label: '年度', type: 'select', options: years, all: '全部年度' },
      { name: 'kind', label: '类型', type: 'select', options: Object.entries(KIND).map(([v, label]) => ({ value: v, label })) },
      { name: 'status', label: '状态', type: 'select', options: Object.entries(STATUS).map(([v, label]) => ({ value: v, label })) },
    ],
    exportPath: '/reports/campaigns/export',
    load: async (q) => {
      const res = await api('GET', withQuery('/reports/campaigns', q));
      const t = res.totals;
      totals.replaceChildren(dl([
        ['活动', `${formatNumber(res.total)} 项`],
        ['送清凉配送', `${formatNumber(t.deliveries)} 笔，价值 ${formatFen(t.delivered_value_fen)}（待签收 ${formatNumber(t.unconfirmed)} 笔）`],
        ['覆盖点位（点次）', `${formatNumber(t.sites)} 个，职工 ${formatNumber(t.workers_covered)} 人次`],
        ['免费体检', `名额 ${formatNumber(t.quota)}，报名 ${formatNumber(t.enrolled)}，已体检 ${formatNumber(t.checked)}，费用 ${formatFen(t.checks_cost_fen)}`],
        ['送温暖', `${formatNumber(t.paid)} 户已发放，${formatFen(t.paid_fen)}`],
        ['已支出', formatFen(t.spent_fen)],
      ]));
      return res;
    },
    rowLink: (r) => `#/campaigns/${r.id}`,
    empty: '没有符合条件的活动',
    columns: [
      { key: 'name', title: '活动', render: (r) => h('a', { href: `#/campaigns/${r.id}` }, r.name) },
      { key: 'kind', title: '类型', nowrap: true, render: (r) => KIND[r.kind] },
      { key: 'status', title: '状态', nowrap: true, render: (r) => badge(STATUS[r.status], r.status === 'open' ? 'ok' : r.status === 'draft' ? 'warn' : 'info') },
      { key: 'unions', title: '覆盖基层工会', render: (r) => reach(r.unions_reached, r.unions_planned, '个') },
      { key: 'coverage', title: '覆盖情况', render: coverage },
      { key: 'goods', title: '配送物资', render: goods },
      { key: 'value_fen', title: '价值/费用', render: value },
      { key: 'confirm', title: '签收', render: confirmation },
      { key: 'spent_fen', title: '已支出', render: (r) => formatFen(r.spent_fen) },
      { key: 'budget_available_fen', title: '预算可用', render: (r) => formatFen(r.budget_available_fen) },
    ],
  });
}
