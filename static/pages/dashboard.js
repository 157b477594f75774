// 首页: a welcome with who the user is and where they may go. The reports engineer replaces this with the
// dashboard of SPEC §8.1 (households by category, applications by status, money by fund).

import { h, pageHeader, card, dl, badge } from '/ui.js';
import { roleLabel, orgLevelLabel } from '/labels.js';

const ROLE_HINTS = {
  caseworker: '登记困难职工档案、入户走访、起草和提交救助申请、登记活动发放。',
  supervisor: '审核档案与救助申请，绿色通道审批与事后复核，年度复审。',
  finance: '管理经费来源、预算与下拨，办理发放与作废，对账。',
  auditor: '查阅辖区内全部数据、审计日志与异常报告，不作任何修改。',
  admin: '管理用户、组织机构和政策参数，不办理业务与资金。',
};

function greeting() {
  const hr = new Date().getHours();
  if (hr < 6) return '凌晨好';
  if (hr < 12) return '上午好';
  if (hr < 14) return '中午好';
  if (hr < 18) return '下午好';
  return '晚上好';
}

export async function render(root, params, ctx) {
  const me = ctx.me;
  const org = me.org || {};
  root.append(
    pageHeader('首页'),
    h('div', { class: 'welcome card', id: 'dashboard-welcome' },
      h('h2', { class: 'welcome-title' }, `${greeting()}，${me.name || me.username}`),
      dl([
        ['用户名', me.username],
        ['所属组织', org.name ? [org.name, ' ', badge(org.level_name || orgLevelLabel(org.level), 'muted')] : ''],
        ['角色', h('span', { class: 'badges', id: 'dashboard-roles' }, (me.roles || []).map((r) => badge(roleLabel(r), 'info')))],
      ], 'details-inline')),
    card('我的职责',
      h('ul', { class: 'duties' }, (me.roles || []).map((r) => h('li', null, h('strong', null, roleLabel(r)), '：', ROLE_HINTS[r] || '')))),
    card('常用功能',
      h('div', { class: 'tiles' }, ctx.nav.filter((e) => e.path !== '#/').map((e) =>
        h('a', { class: 'tile', href: e.path }, h('span', { class: 'tile-title' }, e.title), e.group ? h('span', { class: 'tile-group' }, e.group) : null)))),
  );
}
