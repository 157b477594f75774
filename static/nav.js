// nav.js — the registry of pages. Adding a page = one module in /pages/ exporting
//   export async function render(root, params, ctx)
// plus one entry here. The router picks the entry whose path is the longest prefix of the address
// (#/users matches #/users, #/users/new and #/users/5) and passes the rest as params (see app.js).
//
// Entry fields:
//   path    '#/name' — the address; also the nav link
//   title   the nav text and the browser tab title
//   module  the page module's URL, or a function of the rest segments that returns it (one area, several modules)
//   roles   the roles that may open it (any one is enough); absent = every logged-in user
//   group   the nav section it is listed under (one of GROUPS); absent = top
//   hidden  true = routable but not listed in the nav (detail pages reached by links)
//   navRoles  the roles the nav lists it for, when fewer than may open it (absent = roles)

/** applicationPage: #/applications the list, …/{id} and …/{id}/decide the detail, …/{id}/edit the form. */
function applicationPage(rest) {
  if (!rest.length) return '/pages/applications/list.js';
  return rest[1] === 'edit' ? '/pages/applications/form.js' : '/pages/applications/detail.js';
}

/** Nav sections, in display order. Pages of later areas go into the matching group. */
export const GROUPS = ['', '困难职工档案', '救助审批', '经费管理', '帮扶活动', '统计报表', '审计监督', '系统管理', '个人'];

export const NAV = [
  { path: '#/', title: '首页', module: '/pages/dashboard.js' },
  { path: '#/households', title: '档案查询', roles: ['caseworker', 'supervisor', 'finance', 'auditor'], group: '困难职工档案', module: '/pages/households.js' },
  { path: '#/households/new', title: '新建档案', roles: ['caseworker'], group: '困难职工档案', module: '/pages/households.js' },
  { path: '#/imports', title: '摸底导入', roles: ['caseworker', 'supervisor'], group: '困难职工档案', module: '/pages/imports.js' },
  { path: '#/referrals', title: '转介跟踪', roles: ['caseworker', 'supervisor', 'finance', 'auditor'], group: '困难职工档案', module: '/pages/referrals.js' },
  { path: '#/applications', title: '救助申请', roles: ['caseworker', 'supervisor', 'finance', 'auditor'], navRoles: ['caseworker'], group: '救助审批', module: applicationPage },
  { path: '#/applications/new', title: '申请救助', roles: ['caseworker'], hidden: true, group: '救助审批', module: '/pages/applications/form.js' },
  { path: '#/approvals', title: '审批队列', roles: ['supervisor'], group: '救助审批', module: '/pages/queues.js' },
  { path: '#/reviews', title: '事后复核', roles: ['supervisor'], group: '救助审批', module: '/pages/queues.js' },
  { path: '#/disbursements', title: '发放队列', roles: ['finance'], group: '救助审批', module: '/pages/queues.js' },
  { path: '#/receipts', title: '签收确认', roles: ['caseworker', 'finance'], group: '救助审批', module: '/pages/queues.js' },
  { path: '#/campaigns', title: '活动管理', roles: ['caseworker', 'supervisor', 'finance', 'auditor'], group: '帮扶活动', module: '/pages/campaigns.js' },
  { path: '#/reports/annual', title: '年度统计', roles: ['caseworker', 'supervisor', 'finance', 'auditor'], group: '统计报表', module: '/pages/annual.js' },
  { path: '#/reports/campaigns', title: '活动覆盖报表', roles: ['caseworker', 'supervisor', 'finance', 'auditor'], group: '统计报表', module: '/pages/campaign-report.js' },
  { path: '#/reports/green-channel', title: '绿色通道报表', roles: ['auditor', 'supervisor'], group: '统计报表', module: '/pages/green-report.js' },
  { path: '#/holidays', title: '节假日设置', roles: ['admin'], group: '系统管理', module: '/pages/holidays.js' },
  { path: '#/funds', title: '经费台账', roles: ['finance', 'auditor', 'supervisor'], group: '经费管理', module: '/pages/funds.js' },
  { path: '#/allocations', title: '下拨额度', roles: ['finance', 'auditor', 'supervisor'], group: '经费管理', module: '/pages/allocations.js' },
  { path: '#/audit', title: '审计日志', roles: ['auditor', 'admin'], group: '审计监督', module: '/pages/audit.js' },
  { path: '#/finaudit/register', title: '支出明细', roles: ['finance', 'auditor', 'supervisor'], group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/fund-use', title: '经费使用情况', roles: ['finance', 'auditor', 'supervisor'], group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/reconciliation', title: '对账', roles: ['finance', 'auditor'], group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/anomalies', title: '异常线索', roles: ['finance', 'auditor'], group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/finaudit/checkpoints', title: '审计检查点', roles: ['finance', 'auditor', 'admin'], group: '审计监督', module: '/pages/finaudit.js' },
  { path: '#/users', title: '用户管理', roles: ['admin'], group: '系统管理', module: '/pages/users.js' },
  { path: '#/orgs', title: '组织机构', roles: ['admin'], group: '系统管理', module: '/pages/orgs.js' },
  { path: '#/policies', title: '政策参数', roles: ['admin'], group: '系统管理', module: '/pages/policies.js' },
  { path: '#/account', title: '我的账户', group: '个人', module: '/pages/account.js' },
];

/** allowed: may a user with these roles open entry? */
export function allowed(entry, roles) {
  return !entry.roles || entry.roles.length === 0 || entry.roles.some((r) => (roles || []).includes(r));
}
