// nav.js — the registry of pages. Adding a page = one module in /pages/ exporting
//   export async function render(root, params, ctx)
// plus one entry here. The router picks the entry whose path is the longest prefix of the address
// (#/users matches #/users, #/users/new and #/users/5) and passes the rest as params (see app.js).
//
// Entry fields:
//   path    '#/name' — the address; also the nav link
//   title   the nav text and the browser tab title
//   module  the page module's URL, or a function of the rest segments that returns it (one area, several modules)
//   needs   the API route the page is built on, as "METHOD /api/v1/path" of the server's permission table
//           (internal/web/permissions.go); the page opens for a user whose GET /me "routes" hold it, so who may
//           see a page is written once, on the server. Absent = every logged-in user.
//   group   the nav section it is listed under (one of GROUPS); absent = top
//   hidden  true = routable but not listed in the nav (detail pages reached by links)
//   navNeeds  the route the nav lists it for, when fewer may be listed than may open it (absent = needs)

/** applicationPage: #/applications the list, …/{id} and …/{id}/decide the detail, …/{id}/edit the form. */
function applicationPage(rest) {
  if (!rest.length) return '/pages/applications/list.js';
  return rest[1] === 'edit' ? '/pages/applications/form.js' : '/pages/applications/detail.js';
}

/** Nav sections, in display order. Pages of later areas go into the matching group. */
export const GROUPS = ['', '困难职工档案', '救助审批', '经费管理', '帮扶活动', '统计报表', '审计监督', '系统管理', '个人'];

export const NAV = [
  { path: '#/', title: '首页', module: '/pages/dashboard.js' },
  { path: '#/households', title: '档案查询', needs: 'GET /api/v1/households', group: '困难职工档案', module: '/pages/households.js' },
  { path: '#/households/new', title: '新建档案', needs: 'POST /api/v1/households', group: '困难职工档案', module: '/pages/households.js' },
  { path: '#/imports', title: '摸底导入', needs: 'POST /api/v1/imports', group: '困难职工档案', module: '/pages/imports.js' },
  { path: '#/publicity', title: '公示名单', needs: 'GET /api/v1/households/publicity-rounds', group: '困难职工档案', module: '/pages/print.js' },
  { path: '#/approval-forms', title: '审批表', needs: 'GET /api/v1/applications/forms', hidden: true, module: '/pages/print.js' },
  { path: '#/referrals', title: '转介跟踪', needs: 'GET /api/v1/referrals', group: '困难职工档案', module: '/pages/referrals.js' },
  { path: '#/applications', title: '救助申请', needs: 'GET /api/v1/applications', navNeeds: 'POST /api/v1/applications', group: '救助审批', module: applicationPage },
  { path: '#/applications/new', title: '申请救助', needs: 'POST /api/v1/applications', hidden: true, group: '救助审批', module: '/pages/applications/form.js' },
  { path: '#/approvals', title: '审批队列', needs: 'POST /api/v1/applications/:id/approve', group: '救助审批', module: '/pages/queues.js' },
  { path: '#/reviews', title: '事后复核', needs: 'POST /api/v1/applications/:id/review', group: '救助审批', module: '/pages/queues.js' },
  { path: '#/disbursements', title: '发放队列', needs: 'POST /api/v1/applications/:id/disburse', group: '救助审批', module: '/pages/queues.js' },
  { path: '#/receipts', title: '签收确认', needs: 'POST /api/v1/applications/:id/confirm-receipt', group: '救助审批', module: '/pages/queues.js' },
  { path: '#/campaigns', title: '活动管理', needs: 'GET /api/v1/campaigns', group: '帮扶活动', module: '/pages/campaigns.js' },
  { path: '#/reports/annual', title: '年度统计', needs: 'GET /api/v1/reports/annual', group: '统计报表', module: '/pages/annual.js' },
  { path: '#/reports/campaigns', title: '活动覆盖报表', needs: 'GET /api/v1/reports/campaigns', group: '统计报表', module: '/pages/campaign-report.js' },
  { path: '#/reports/green-channel', title: '绿色通道报表', needs: 'GET /api/v1/reports/green-channel', group: '统计报表', module: '/pages/green-report.js' },
  { path: '#/holidays', title: '节假日设置', needs: 'PUT /api/v1/holidays/:date', group: '系统管理', module: '/pages/holidays.js' },
  { path: '#/funds', title: '经费台账', needs: 'GET /api/v1/funds', group: '经费管理', module: '/pages/funds.js' },
  { path: '#/allocations', title: '下拨额度', needs: 'GET /api/v1/allocations', group: '经费管理', module: '/pages/allocations.js' },
  { path: '#/audit', title: '审计日志', needs: 'GET /api/v1/audit/events', group: '审计监督', module: '/pages/audit.js' },
  { path: '#/finaudit/register', title: '支出明细', needs: 'GET /api/v1/reports/register', group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/fund-use', title: '经费使用情况', needs: 'GET /api/v1/reports/fund-use', group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/reconciliation', title: '对账', needs: 'GET /api/v1/reports/reconciliation', group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/anomalies', title: '异常线索', needs: 'GET /api/v1/reports/anomalies', group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/checkpoints', title: '审计检查点', needs: 'GET /api/v1/audit/checkpoints', group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/users', title: '用户管理', needs: 'GET /api/v1/users', group: '系统管理', module: '/pages/users.js' },
  { path: '#/orgs', title: '组织机构', needs: 'POST /api/v1/orgs', group: '系统管理', module: '/pages/orgs.js' },
  { path: '#/policies', title: '政策参数', needs: 'POST /api/v1/policies', group: '系统管理', module: '/pages/policies.js' },
  { path: '#/account', title: '我的账户', group: '个人', module: '/pages/account.js' },
];

/** allowed: may a user whose /me routes are routes open entry? */
export function allowed(entry, routes) {
  return !entry.needs || (routes || []).includes(entry.needs);
}

/** listed: does the nav list entry for a user whose /me routes are routes? */
export function listed(entry, routes) {
  return !entry.hidden && allowed(entry, routes) && allowed({ needs: entry.navNeeds }, routes);
}
