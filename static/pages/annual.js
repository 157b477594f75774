// 年度统计 (issue 12 item 2): #/reports/annual?year= — the year-end figures of GET /reports/annual in the
// user's scope, as tables that print on A4 (the union's name and the date on top, no navigation), with an
// Excel export of the same figures (?format=xlsx, audited as an export).

import { api, withQuery } from '/api.js';
import { h, pageHeader, button, select, errorBox, formatNumber, formatFen, formatDate, todayISO } from '/ui.js';

function table(id, head, rows) {
  return h('table', { class: 'table', id },
    h('thead', null, h('tr', null, head.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
    h('tbody', null, rows.map((r) => h('tr', { class: r.total ? 'row-total' : null }, r.cells.map((c, i) =>
      (i ? h('td', { class: 'num' }, c) : h('th', { scope: 'row' }, c)))))));
}

const hours = (lane, key) => (lane.decided ? `${formatNumber(Math.round(lane[key] * 10) / 10)} 小时` : '—');

export function annualBody(r) {
  const g = r.green_channel;
  return [
    h('div', { class: 'annual-head' }, h('h1', null, `${r.org_name}${r.year}年度困难职工帮扶工作统计`),
      h('p', null, `统计日期：${formatDate(todayISO())}`)),
    h('h2', null, '一、困难职工摸底与建档'),
    table('annual-households', ['困难类别', '当年摸底登记（户）', '当年首次建档（户）'], [
      ...r.categories.map((c) => ({ cells: [c.name, formatNumber(c.surveyed), formatNumber(c.filed)] })),
      { total: true, cells: ['合计', formatNumber(r.surveyed), formatNumber(r.filed)] }]),
    h('h2', null, '二、救助发放'),
    table('annual-aid', ['救助类型', '受助户（人）数', '发放笔数', '发放金额'], [
      ...r.aid.map((x) => ({ cells: [x.name, formatNumber(x.people), formatNumber(x.payments), formatFen(x.amount_fen)] })),
      { total: true, cells: ['合计（同一户多项只计一次）', formatNumber(r.people), formatNumber(r.aid.reduce((n, x) => n + x.payments, 0)), formatFen(r.amount_fen)] }]),
    h('h2', null, '三、绿色通道'),
    table('annual-green', ['', '绿色通道', '普通申请'], [
      { cells: ['提交件数', formatNumber(g.green.submitted), formatNumber(g.normal.submitted)] },
      { cells: ['批准件数', formatNumber(g.green.approved), formatNumber(g.normal.approved)] },
      { cells: ['批准金额', formatFen(g.green.approved_amount_fen), formatFen(g.normal.approved_amount_fen)] },
      { cells: ['按时决定 / 已决定', `${formatNumber(g.green.within_deadline)} / ${formatNumber(g.green.decided)}`,
        `${formatNumber(g.normal.within_deadline)} / ${formatNumber(g.normal.decided)}`] },
      { cells: ['决定用时中位数', hours(g.green, 'median_hours'), hours(g.normal, 'median_hours')] },
      { cells: ['决定用时90分位', hours(g.green, 'p90_hours'), hours(g.normal, 'p90_hours')] }]),
    h('h2', null, '四、送清凉与免费体检'),
    table('annual-campaigns', ['项目', '数值'], [
      { cells: ['送清凉活动（项）', formatNumber(r.cooling.campaigns)] },
      { cells: ['送达物资价值', formatFen(r.cooling.value_fen)] },
      { cells: ['送达站点（个）', formatNumber(r.cooling.sites)] },
      { cells: ['覆盖职工（人次）', formatNumber(r.cooling.workers)] },
      { cells: ['免费体检活动（项）', formatNumber(r.health_check.campaigns)] },
      { cells: ['报名体检（人）', formatNumber(r.health_check.enrolled)] },
      { cells: ['完成体检（人）', formatNumber(r.health_check.checked)] }]),
    h('p', { class: 'muted' }, `统计范围：${r.org_name}及下属工会。救助按救助年度统计已发放款项，已追回的不计。`),
  ];
}

export async function render(root, params) {
  const thisYear = new Date().getFullYear();
  const year = Number(params.query.year) || thisYear;
  root.classList.add('annual');
  const years = Array.from({ length: 5 }, (_, i) => ({ value: String(thisYear - i), label: `${thisYear - i}年` }));
  const pick = select('year', years, String(year), { id: 'annual-year', onchange: (ev) => { location.hash = withQuery('#/reports/annual', { year: ev.target.value }); } });
  root.append(pageHeader('年度统计',
    h('label', { class: 'annual-form' }, '年度 ', pick),
    button('打印', () => window.print(), { id: 'annual-print' }),
    h('a', { class: 'btn btn-primary', id: 'annual-export', href: '/api/v1' + withQuery('/reports/annual', { year, format: 'xlsx' }), download: '' }, '导出 Excel')));
  const out = h('div', { id: 'annual-report' });
  root.append(out);
  try {
    const r = await api('GET', withQuery('/reports/annual', { year }));
    out.append(...annualBody(r));
  } catch (err) {
    out.append(errorBox(err));
  }
}
