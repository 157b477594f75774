// 首页 (SPEC §8.1): GET /reports/dashboard in the user's scope — what waits for this user (work lists with
// counts, green-channel countdowns), then charts of the open households by status and category, the year's
// applications by type and status (green channel vs normal) and, for the roles that read the ledger, money by
// fund, budget line and month. Each chart carries its numbers as a table (charts.js). An admin reads no case
// data: their home is the system's own summary and the admin pages.

import { api, withQuery } from '/api.js';
import { h, pageHeader, card, dl, badge, errorBox, formatNumber, formatFen, linkButton, exportButtons } from '/ui.js';
import { roleLabel, orgLevelLabel } from '/labels.js';
import { chartFigure, disposeCharts, compactYuan } from '/charts.js';
import { countdown } from '/pages/applications/shared.js';

const ROLE_HINTS = {
  caseworker: '登记困难职工档案、入户走访、起草和提交救助申请、登记活动发放。',
  supervisor: '审核档案与救助申请，绿色通道审批与事后复核，年度复审。',
  finance: '管理经费来源、预算与下拨，办理发放与作废，对账。',
  auditor: '查阅辖区内全部数据、审计日志与异常报告，不作任何修改。',
  admin: '管理用户、组织机构和政策参数，不办理业务与资金。',
};

// Where each work list of the dashboard is worked (the keys are report.workLists').
const QUEUE_LINKS = {
  approval: '#/approvals', review: '#/reviews', finance: '#/disbursements', receipt: '#/receipts',
  returned: '#/applications?status=returned', docs_overdue: '#/applications?green=1',
  households_publicizing: '#/households?status=publicizing', households_review_due: '#/households?status=review_due',
  households_submitted: '#/households?status=submitted', households_draft: '#/households?status=draft',
};

const yuan = (v) => formatFen(Math.round(v * 100));
const toYuan = (fen) => Math.round(fen) / 100;

function greeting() {
  const hr = new Date().getHours();
  if (hr < 6) return '凌晨好';
  if (hr < 12) return '上午好';
  if (hr < 14) return '中午好';
  if (hr < 18) return '下午好';
  return '晚上好';
}

function welcome(me) {
  const org = me.org || {};
  return h('div', { class: 'welcome card', id: 'dashboard-welcome' },
    h('h2', { class: 'welcome-title' }, `${greeting()}，${me.name || me.username}`),
    dl([
      ['所属组织', org.name ? [org.name, ' ', badge(org.level_name || orgLevelLabel(org.level), 'muted')] : ''],
      ['角色', h('span', { class: 'badges', id: 'dashboard-roles' }, (me.roles || []).map((r) => badge(roleLabel(r), 'info')))],
    ], 'details-inline'));
}

function waiting(queues) {
  if (!queues.length) return null;
  const approval = queues.find((q) => q.key === 'approval');
  return card('我的待办',
    h('div', { class: 'tiles queue-tiles', id: 'dashboard-queues' }, queues.map((q) => h('a', {
      class: ['tile', 'queue-tile', q.n ? 'queue-busy' : ''], href: QUEUE_LINKS[q.key] || '#/', id: `queue-${q.key}`, dataset: { n: String(q.n) } },
    h('span', { class: 'queue-count' }, `${formatNumber(q.n)}${q.capped ? '+' : ''}`), h('span', { class: 'tile-title' }, q.name)))),
    approval && approval.countdowns && approval.countdowns.length ? h('div', { class: 'green-countdowns', id: 'dashboard-countdowns' },
      h('h3', { class: 'card-subtitle' }, '绿色通道待审批（按时限先后）'),
      h('table', { class: 'table' },
        h('thead', null, h('tr', null, ['申请编号', '类型', '申请人', '金额', '审批时限'].map((t) => h('th', null, t)))),
        h('tbody', null, approval.countdowns.map((c) => h('tr', null,
          h('td', null, h('a', { href: `#/applications/${c.id}` }, c.app_no)), h('td', null, c.type_name), h('td', null, c.applicant_name),
          h('td', { class: 'num' }, formatFen(c.amount_fen)), h('td', null, countdown(c.decide_by))))))) : null);
}

/** figures builds the dashboard's charts from its answer; each is drawn once it is on the page. */
export function figures(d) {
  const out = [];
  const hh = d.households;
  out.push(chartFigure({ id: 'chart-household-status', title: `在档困难职工（按状态，共 ${formatNumber(hh.open)} 户）`, categoryTitle: '状态',
    categories: hh.by_status.map((c) => c.name), series: [{ name: '户数', data: hh.by_status.map((c) => c.n) }] }));
  out.push(chartFigure({ id: 'chart-household-category', title: '在档困难职工（按困难类别）', kind: 'pie', categoryTitle: '类别',
    categories: hh.by_category.map((c) => c.name), series: [{ name: '户数', data: hh.by_category.map((c) => c.n) }] }));
  const ap = d.applications;
  const lanes = (rows) => [{ name: '绿色通道', data: rows.map((r) => r.green) }, { name: '普通申请', data: rows.map((r) => r.normal) }];
  out.push(chartFigure({ id: 'chart-application-type', title: `${ap.year}年救助申请（按类型，共 ${formatNumber(ap.total)} 件）`, categoryTitle: '类型',
    categories: ap.by_type.map((r) => r.name), series: lanes(ap.by_type), stack: true, colors: ['#2f9e44', '#1c7ed6'] }));
  out.push(chartFigure({ id: 'chart-application-status', title: `${ap.year}年救助申请（按状态）`, categoryTitle: '状态', horizontal: true, height: 300,
    categories: ap.by_status.map((r) => r.name), series: lanes(ap.by_status), stack: true, colors: ['#2f9e44', '#1c7ed6'] }));
  if (d.money) {
    const m = d.money;
    const flows = (rows) => [
      { name: '已支付', data: rows.map((r) => toYuan(r.paid_fen)) },
      { name: '已预留', data: rows.map((r) => toYuan(r.reserved_fen)) },
      { name: '可用余额', data: rows.map((r) => toYuan(r.available_fen)) }];
    out.push(chartFigure({ id: 'chart-money-fund', title: `经费来源（${m.year}年）`, categoryTitle: '经费来源', horizontal: true, format: yuan, short: compactYuan,
      height: Math.max(200, 60 + m.funds.length * 56), categories: m.funds.map((r) => r.name), series: flows(m.funds), colors: ['#e03131', '#f08c00', '#2f9e44'] }));
    out.push(chartFigure({ id: 'chart-money-line', title: `预算科目（${m.year}年）`, categoryTitle: '预算科目', horizontal: true, format: yuan, short: compactYuan,
      height: Math.max(200, 60 + m.budget_lines.length * 56), categories: m.budget_lines.map((r) => r.name), series: flows(m.budget_lines),
      colors: ['#e03131', '#f08c00', '#2f9e44'] }));
    out.push(chartFigure({ id: 'chart-money-month', title: `月度收支（${m.year}年）`, categoryTitle: '月份', format: yuan, short: compactYuan,
      categories: m.months.map((x) => x.month), colors: ['#1c7ed6', '#e03131'],
      series: [{ name: '来款', data: m.months.map((x) => toYuan(x.received_fen)) }, { name: '支出', data: m.months.map((x) => toYuan(x.paid_fen)) }] }));
  }
  if (d.campaigns.length) {
    const cs = d.campaigns;
    out.push(chartFigure({ id: 'chart-campaigns', title: `${ap.year}年帮扶活动覆盖（基层工会）`, categoryTitle: '活动', horizontal: true,
      height: Math.max(200, 60 + cs.length * 48), categories: cs.map((c) => c.name), colors: ['#adb5bd', '#1c7ed6'],
      series: [{ name: '计划覆盖', data: cs.map((c) => c.unions_planned) }, { name: '已覆盖', data: cs.map((c) => c.unions_reached) }],
      note: h('ul', { class: 'chart-notes' }, cs.map((c) => h('li', null, `${c.name}（${c.kind_name}，${c.status_name}）：${c.reach}`))) }));
  }
  return out;
}

async function adminHome(root, ctx) {
  const summary = h('div', { id: 'admin-summary' });
  root.append(card('系统概况', summary));
  const [users, orgs, policy] = await Promise.allSettled([api('GET', withQuery('/users', { per_page: 1 })), api('GET', '/orgs'),
    api('GET', '/policies/current')]);
  const n = (r) => (r.status === 'fulfilled' ? (r.value.total ?? (r.value.items || r.value).length) : '—');
  summary.append(dl([
    ['用户数', formatNumber(n(users))],
    ['组织机构数', formatNumber(n(orgs))],
    ['现行政策版本', policy.status === 'fulfilled' && policy.value ? `自 ${policy.value.effective_from || ''} 起执行` : '—'],
  ], 'details-inline'));
  root.append(card('系统管理',
    h('div', { class: 'tiles' }, ctx.nav.filter((e) => e.path !== '#/').map((e) =>
      h('a', { class: 'tile', href: e.path }, h('span', { class: 'tile-title' }, e.title), e.group ? h('span', { class: 'tile-group' }, e.group) : null)))),
  card('我的职责', h('p', null, ROLE_HINTS.admin, '为保护个人信息，管理员不查看困难职工档案、救助和经费数据。')));
}

export async function render(root, params, ctx) {
  disposeCharts();
  const me = ctx.me;
  const caseRoles = ctx.may('GET /api/v1/reports/dashboard'); // admin reads no case data: the system's home instead
  root.append(pageHeader('首页', caseRoles ? linkButton('年度统计', '#/reports/annual') : null,
    caseRoles ? exportButtons('dashboard', '/reports/dashboard/export') : null), welcome(me));
  if (!caseRoles) {
    await adminHome(root, ctx);
    return;
  }
  let d;
  try {
    d = await api('GET', '/reports/dashboard');
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const q = waiting(d.waiting);
  if (q) root.append(q);
  const figs = figures(d);
  root.append(h('div', { class: 'chart-grid', id: 'dashboard-charts' }, figs.map((f) => f.el)),
    h('p', { class: 'muted' }, `统计范围：${d.org_name} 及下属工会。救助申请按救助年度统计，不含草稿。`));
  await Promise.all(figs.map((f) => f.draw()));
}
