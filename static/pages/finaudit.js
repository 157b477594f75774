// 经审 (SPEC §7, §8.2): the finance audit pages for finance and auditors (the register and the summary for
// supervisors too). Every filter lives in the address, so a view can be bookmarked and shared:
//   #/finaudit/register        支出明细 — every payment, with the totals of the filter
//   #/finaudit/fund-use        经费使用情况 — per fund, budget line and allocation, with the monthly chart
//   #/finaudit/reconciliation  对账 — the ledger against the registers, differences one by one
//   #/finaudit/anomalies       异常线索 — findings grouped by rule; ?rule= drills into one
//   #/finaudit/checkpoints     审计检查点 — signed heads of the audit trail, with a QR code to file on paper

import { api, withQuery } from '/api.js';
import { h, svg, pageHeader, card, field, bindForm, errorBox, formatFen, formatNumber, formatDateTime, listView, button, toast, badge, exportButtons, printButton } from '/ui.js';
import { AID_TYPES } from '/labels.js';

const FLOW_COLUMNS = [
  ['received_fen', '来款/安排/下拨'], ['allocated_fen', '安排/下拨出'], ['reserved_fen', '已批待付'],
  ['paid_fen', '已支付'], ['reversed_fen', '冲正'], ['available_fen', '可用余额'],
];

function link(ref) {
  const href = { household: `#/households/${ref.id}`, delivery: `#/campaigns/slip/${ref.id}`, campaign: `#/campaigns/${ref.id}` }[ref.type]
    || `#/applications/${ref.id}`;
  return h('a', { href, class: 'finding-ref', dataset: { type: ref.type, id: ref.id } }, ref.label || String(ref.id));
}

/** periodForm: the from/to dates of a report, written into the address on submit. */
function periodForm(id, query, run, extra = []) {
  const form = h('form', { class: 'form list-filters', id },
    field('日期自', h('input', { type: 'date', name: 'from', value: query.from || '' })),
    field('至', h('input', { type: 'date', name: 'to', value: query.to || '' })),
    ...extra,
    h('div', { style: { alignSelf: 'flex-end', marginBottom: '14px' } }, h('button', { type: 'submit', class: 'btn btn-primary', id: `${id}-run` }, '查询')));
  bindForm(form, (data) => run({ ...query, ...data }));
  return form;
}

function syncHash(path, q) {
  history.replaceState(history.state, '', withQuery(`#${path}`, q));
}

async function register(root, params, ctx) {
  root.append(pageHeader('支出明细', printButton()));
  const totals = h('div', { id: 'register-totals', class: 'muted' });
  root.append(totals);
  const funds = async () => (await api('GET', withQuery('/funds', { per_page: 200 }))).items
    .filter((f) => f.kind === 'fund').map((f) => ({ value: f.id, label: f.name }));
  const orgs = async () => (await api('GET', '/orgs')).items.map((o) => ({ value: o.id, label: o.name }));
  listView(root, {
    id: 'register',
    search: false,
    query: params.query,
    filters: [
      { name: 'from', label: '支付日期自', type: 'date' },
      { name: 'to', label: '至', type: 'date' },
      { name: 'type', label: '救助类型', type: 'select', options: AID_TYPES },
      { name: 'fund_id', label: '经费来源', type: 'select', options: funds },
      { name: 'org_id', label: '组织', type: 'select', options: orgs },
      { name: 'status', label: '状态', type: 'select', options: [{ value: 'disbursed', label: '已发放' }, { value: 'received', label: '已签收' }, { value: 'recovered', label: '已追回' }] },
      { name: 'green', label: '通道', type: 'select', options: [{ value: 'true', label: '绿色通道' }, { value: 'false', label: '普通' }] },
    ],
    columns: [
      { key: 'app_no', title: '申请编号', nowrap: true, render: (p) => (p.kind === 'campaign_cost'
        ? link({ type: 'campaign', id: p.campaign_id, label: p.app_no }) // a campaign's purchase or health checks
        : link({ type: 'application', id: p.application_id, label: p.app_no })) },
      { key: 'type_name', title: '类型', render: (p) => [p.type_name, p.green ? badge('绿色通道', 'ok') : null] },
      { key: 'amount_fen', title: '金额' },
      { key: 'paid_at', title: '支付时间', nowrap: true, render: (p) => formatDateTime(p.paid_at) },
      { key: 'voucher_no', title: '凭证号', nowrap: true },
      { key: 'payment_method_name', title: '方式' },
      { key: 'payee_name', title: '收款人', render: (p) => [p.payee_name, p.payee_card ? h('div', { class: 'muted' }, p.payee_card) : null] },
      { key: 'org_name', title: '所属工会' },
      { key: 'approvers', title: '审批人', render: (p) => (p.approvers || []).join('、') || '—' },
      { key: 'disbursed_by', title: '发放人' },
    ],
    load: async (q) => {
      const r = await api('GET', withQuery('/reports/register', q));
      const byType = Object.entries(r.by_type || {}).map(([t, s]) => `${(AID_TYPES.find((a) => a.value === t) || {}).label || t} ${formatNumber(s.count)} 笔 ${formatFen(s.fen)}`);
      totals.textContent = `合计 ${formatNumber(r.total)} 笔，${formatFen(r.total_fen)}${byType.length ? '：' + byType.join('；') : ''}`;
      return r;
    },
    empty: '该条件下没有支出',
    exportPath: '/reports/register/export',
    unmasked: ctx.can('export.unmasked'),
  });
  ctx.setTitle('支出明细');
}


/** monthChart: paid and received per month as paired columns, each with its value in its tooltip. */
function monthChart(months) {
  const W = 720; const H = 220; const left = 10; const bottom = 30;
  const max = Math.max(1, ...months.flatMap((m) => [m.paid_fen, m.received_fen]));
  const slot = (W - left * 2) / Math.max(1, months.length);
  const bar = Math.min(28, slot / 2.5);
  const nodes = [];
  months.forEach((m, i) => {
    const x = left + i * slot + slot / 2;
    for (const [k, color, dx, name] of [['received_fen', '#4dabf7', -bar, '来款'], ['paid_fen', '#e8590c', 0, '支付']]) {
      const hgt = (m[k] / max) * (H - bottom - 20);
      nodes.push(svg('rect', { x: x + dx, y: H - bottom - hgt, width: bar - 2, height: Math.max(m[k] > 0 ? 1 : 0, hgt), fill: color, 'data-month': m.month },
        svg('title', null, `${m.month} ${name} ${formatFen(m[k])}`)));
    }
    nodes.push(svg('text', { x, y: H - 10, 'text-anchor': 'middle', class: 'chart-legend' }, m.month.slice(2)));
  });
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': '月度来款与支付', class: 'chart', id: 'fund-use-chart' }, ...nodes);
}

function flowTable(id, title, rows) {
  return card(title, h('div', { class: 'table-wrap' }, h('table', { class: 'table', id },
    h('thead', null, h('tr', null, h('th', null, '名称'), h('th', null, '组织'), FLOW_COLUMNS.map(([, t]) => h('th', { class: 'num' }, t)))),
    h('tbody', null, rows.length ? rows.map((r) => h('tr', { dataset: { id: r.account_id } }, h('td', null, r.name), h('td', null, r.org_name || '—'),
      FLOW_COLUMNS.map(([k]) => h('td', { class: 'num' }, formatFen(r[k])))))
      : h('tr', null, h('td', { colspan: FLOW_COLUMNS.length + 2, class: 'table-empty' }, '暂无数据'))))));
}

async function fundUse(root, params, ctx) {
  const exports = h('span');
  root.append(pageHeader('经费使用情况', exports, printButton()));
  const out = h('div', { id: 'fund-use' });
  async function run(q) {
    syncHash('/finaudit/fund-use', { from: q.from, to: q.to });
    exports.replaceChildren(exportButtons('fund-use', '/reports/fund-use/export', { from: q.from, to: q.to }));
    let r;
    try { r = await api('GET', withQuery('/reports/fund-use', { from: q.from, to: q.to })); } catch (err) { out.replaceChildren(errorBox(err)); return; }
    out.replaceChildren(
      card('月度来款与支付', r.months.length ? monthChart(r.months) : h('p', { class: 'muted' }, '该期间没有资金往来'),
        h('p', { class: 'muted' }, '蓝色为来款，橙色为支付；与账本逐分一致（bangfu ledger check 重算）。')),
      flowTable('fund-use-funds', '经费来源', r.funds),
      flowTable('fund-use-lines', '预算科目', r.budget_lines),
      flowTable('fund-use-allocations', '下拨基层工会', r.allocations));
  }
  root.append(card(null, periodForm('fund-use-form', params.query, run)), out);
  ctx.setTitle('经费使用情况');
  await run(params.query);
}

async function reconciliation(root, params, ctx) {
  root.append(pageHeader('对账', exportButtons('reconciliation', '/reports/reconciliation/export'), printButton()));
  const out = h('div', { id: 'reconciliation' });
  root.append(out);
  let r;
  try { r = await api('GET', '/reports/reconciliation'); } catch (err) { out.append(errorBox(err)); return; }
  out.append(card(null,
    h('p', { id: 'reconciliation-result', class: r.ok ? 'ok' : 'error' }, r.ok ? '账实相符：没有差异' : `发现 ${r.differences.length} 处差异`),
    h('p', { class: 'muted' }, `核对记账转账 ${formatNumber(r.transfers)} 笔、已发放申请 ${formatNumber(r.applications)} 笔；账本支付 ${formatFen(r.ledger_paid_fen)}，业务登记 ${formatFen(r.register_paid_fen)}。`)));
  if (r.differences.length) {
    out.append(card('差异明细', h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'reconciliation-differences' },
      h('thead', null, h('tr', null, ['规则', '说明', '申请', '转账', '账本金额', '登记金额'].map((t) => h('th', null, t)))),
      h('tbody', null, r.differences.map((d) => h('tr', null, h('td', null, d.rule), h('td', null, d.message),
        h('td', null, d.application_id ? link({ type: 'application', id: d.application_id, label: d.app_no }) : '—'),
        h('td', null, d.transfer_id || '—'), h('td', { class: 'num' }, formatFen(d.ledger_fen)), h('td', { class: 'num' }, formatFen(d.register_fen)))))))));
  }
  ctx.setTitle('对账');
}

async function anomalies(root, params, ctx) {
  const exports = h('span');
  root.append(pageHeader('异常线索', exports, printButton()));
  const out = h('div', { id: 'anomalies' });
  async function run(q) {
    syncHash('/finaudit/anomalies', { from: q.from, to: q.to, rule: q.rule });
    exports.replaceChildren(exportButtons('anomalies', '/reports/anomalies/export', { from: q.from, to: q.to, rule: q.rule }));
    let r;
    try { r = await api('GET', withQuery('/reports/anomalies', { from: q.from, to: q.to, rule: q.rule })); } catch (err) { out.replaceChildren(errorBox(err)); return; }
    const summary = h('p', { class: 'muted', id: 'anomalies-summary' },
      `检查支付 ${formatNumber(r.payments)} 笔，发现线索 ${formatNumber(r.total)} 条。每条线索列出触发的规则、涉及的记录和金额，供经审委员会核查；本次查询已记入审计日志。`);
    const groups = r.rules.map((g) => {
      const drill = withQuery('#/finaudit/anomalies', { from: q.from, to: q.to, rule: g.rule });
      const head = h('div', { class: 'anomaly-head' },
        h('strong', null, g.name), ' ', badge(`${g.count} 条`, g.count ? 'warn' : 'ok'),
        q.rule ? null : (g.count ? h('a', { href: drill, class: 'btn anomaly-drill', dataset: { rule: g.rule } }, '查看明细') : h('span', { class: 'muted' }, ' 未发现')));
      const body = q.rule ? h('table', { class: 'table', id: `anomaly-${g.rule}` },
        h('thead', null, h('tr', null, h('th', null, '线索'), h('th', { class: 'num' }, '金额'), h('th', null, '涉及记录'))),
        h('tbody', null, g.findings.length ? g.findings.map((f) => h('tr', { class: 'finding' }, h('td', null, f.message), h('td', { class: 'num' }, formatFen(f.amount_fen)),
          h('td', null, f.records.map((ref, i) => [i ? '、' : '', link(ref)]))))
          : h('tr', null, h('td', { colspan: 3, class: 'table-empty' }, '未发现')))) : null;
      return h('div', { class: 'anomaly-group', dataset: { rule: g.rule, count: g.count } }, head, body);
    });
    out.replaceChildren(card(null, summary, q.rule ? h('p', null, h('a', { href: withQuery('#/finaudit/anomalies', { from: q.from, to: q.to }), id: 'anomalies-all' }, '← 返回全部规则')) : null, ...groups));
  }
  root.append(card(null, periodForm('anomalies-form', params.query, run)), out);
  ctx.setTitle('异常线索');
  await run(params.query);
}

async function checkpoints(root, params, ctx) {
  const canTake = ctx.may('POST /api/v1/audit/checkpoints');
  const list = h('div', { id: 'checkpoints' });
  async function load() {
    let r;
    try { r = await api('GET', '/audit/checkpoints'); } catch (err) { list.replaceChildren(errorBox(err)); return; }
    list.replaceChildren(...(r.items.length ? r.items.map((c) => card(`检查点 #${c.id}：日志序号 ${c.seq}`,
      h('div', { class: 'checkpoint', dataset: { id: c.id, seq: c.seq } },
        h('img', { src: `/api/v1/audit/checkpoints/${c.id}/qr.png`, alt: `检查点 ${c.id} 的二维码`, width: 160, height: 160, style: { float: 'right' } }),
        h('p', { class: 'muted' }, `${formatDateTime(c.time)} 由 ${c.actor} 签署`),
        h('pre', { class: 'checkpoint-text' }, c.text)))) : [h('p', { class: 'muted' }, '尚未生成检查点')]));
  }
  root.append(pageHeader('审计检查点', canTake ? button('生成检查点', async () => {
    try {
      const c = await api('POST', '/audit/checkpoints');
      toast(`已生成检查点，日志序号 ${c.seq}`);
      await load();
    } catch (err) { toast(err.message || String(err), 'error'); }
  }, { kind: 'primary', id: 'checkpoint-take' }) : null),
  h('p', { class: 'muted' }, '检查点用本系统的 Ed25519 密钥签署审计日志的当前位置。请打印归档；日后用 bangfu audit verify --checkpoint 文件 核验日志自那时起只增不改。'), list);
  ctx.setTitle('审计检查点');
  await load();
}

const PAGES = { register, 'fund-use': fundUse, reconciliation, anomalies, checkpoints };

export async function render(root, params, ctx) {
  const name = params.path.split('/')[2] || 'register';
  const page = PAGES[name] || register;
  await page(root, params, ctx);
}
