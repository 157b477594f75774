// 绿色通道报表 (SPEC §4.3, §8.1): #/reports/green-channel compares green-channel and ordinary applications
// submitted in a period — counts, the median and 90th-percentile hours to a decision, money approved, and the
// green channel's own follow-ups (documents overdue, reviews pending, flagged) — with a bar chart in inline SVG.

import { api, withQuery } from '/api.js';
import { h, svg, pageHeader, card, field, bindForm, errorBox, formatFen, formatNumber, printButton, exportButtons } from '/ui.js';

const ROWS = [
  ['submitted', '提交件数'], ['pending', '待决定'], ['overdue', '超时未决'], ['approved', '批准'], ['rejected', '驳回'],
  ['decided', '已决定'], ['within_deadline', '按时决定'], ['median_hours', '决定用时中位数（小时）'], ['p90_hours', '决定用时90分位（小时）'],
  ['approved_amount_fen', '批准金额'], ['docs_overdue', '补交材料逾期'], ['review_pending', '待事后复核'], ['flagged', '复核存疑'],
];

function cellValue(lane, key, green) {
  const v = lane[key];
  if (key.endsWith('_fen')) return formatFen(v);
  if (key.endsWith('_hours')) return lane.decided ? formatNumber(Math.round(v * 10) / 10) : '—';
  if (!green && ['docs_overdue', 'review_pending', 'flagged'].includes(key)) return '—';
  return formatNumber(v);
}


/** chart: grouped horizontal bars of the decision hours, green vs normal, each labelled with its value. */
function chart(r) {
  const groups = [['median_hours', '中位数'], ['p90_hours', '90分位']];
  const lanes = [['green', '绿色通道', '#2f9e44'], ['normal', '普通申请', '#868e96']];
  const max = Math.max(1, ...groups.flatMap(([k]) => lanes.map(([l]) => r[l][k] || 0)));
  const W = 640; const left = 90; const barH = 22; const gap = 6; const groupGap = 22; const right = 90;
  const scale = (W - left - right) / max;
  const nodes = [];
  let y = 10;
  for (const [key, name] of groups) {
    nodes.push(svg('text', { x: 0, y: y + barH + 4, class: 'chart-group' }, name));
    for (const [lane, laneName, color] of lanes) {
      const v = r[lane][key] || 0;
      const w = Math.max(v > 0 ? 2 : 0, v * scale);
      nodes.push(svg('rect', { x: left, y, width: w, height: barH, fill: color, rx: 3 }, svg('title', null, `${laneName}${name}：${v} 小时`)));
      nodes.push(svg('text', { x: left + w + 6, y: y + barH - 6, class: 'chart-value' },
        r[lane].decided ? `${formatNumber(Math.round(v * 10) / 10)} 小时` : '无已决定'));
      y += barH + gap;
    }
    y += groupGap;
  }
  const legend = lanes.map(([, laneName, color], i) => svg('g', { transform: `translate(${left + i * 120}, ${y})` },
    svg('rect', { width: 12, height: 12, fill: color, rx: 2 }), svg('text', { x: 18, y: 11, class: 'chart-legend' }, laneName)));
  return svg('svg', { viewBox: `0 0 ${W} ${y + 20}`, width: '100%', role: 'img', 'aria-label': '决定用时对比', class: 'chart', id: 'green-chart' },
    ...nodes, ...legend);
}

export async function render(root, params, ctx) {
  const year = new Date().getFullYear();
  const from = params.query.from || `${year}-01-01`;
  const to = params.query.to || `${year}-12-31`;
  const exports = h('span');
  root.append(pageHeader('绿色通道报表', exports, printButton()));
  const form = h('form', { class: 'form list-filters', id: 'green-report-form' },
    field('提交日期自', h('input', { type: 'date', name: 'from', value: from }), { required: true }),
    field('至', h('input', { type: 'date', name: 'to', value: to }), { required: true }),
    h('div', { style: { alignSelf: 'flex-end', marginBottom: '14px' } }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'green-report-run' }, '统计')));
  const out = h('div', { id: 'green-report' });
  root.append(card(null, form), out);
  async function run(f, t) {
    history.replaceState(history.state, '', withQuery('#/reports/green-channel', { from: f, to: t }));
    exports.replaceChildren(exportButtons('green-report', '/reports/green-channel/export', { from: f, to: t }));
    let r;
    try { r = await api('GET', withQuery('/reports/green-channel', { from: f, to: t })); } catch (err) { out.replaceChildren(errorBox(err)); throw err; }
    const table = h('table', { class: 'table', id: 'green-report-table' },
      h('thead', null, h('tr', null, h('th', null, `${r.from} 至 ${r.to}`), h('th', { class: 'num' }, '绿色通道'), h('th', { class: 'num' }, '普通申请'))),
      h('tbody', null, ROWS.map(([k, name]) => h('tr', { dataset: { key: k } }, h('td', null, name),
        h('td', { class: 'num' }, cellValue(r.green, k, true)), h('td', { class: 'num' }, cellValue(r.normal, k, false))))));
    const rate = (l) => (l.decided ? `${Math.round((l.within_deadline / l.decided) * 100)}%` : '—');
    out.replaceChildren(
      card('决定用时（小时）', chart(r), h('p', { class: 'muted' },
        `按时决定率：绿色通道 ${rate(r.green)}（时限按政策参数，通常24小时），普通申请 ${rate(r.normal)}（15个工作日）。用时自提交至批准或驳回。`)),
      card('明细', h('div', { class: 'table-wrap' }, table)));
  }
  bindForm(form, (data) => run(data.from, data.to));
  ctx.setTitle('绿色通道报表');
  await run(from, to).catch(() => {});
}
