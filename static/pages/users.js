// 用户管理 (admin): #/users list, #/users/new create, #/users/{id} edit and reset password.

import { api, withQuery, loadOrgs } from '/api.js';
import {
  h, pageHeader, card, badge, field, select, checkboxes, formActions, bindForm, listView, linkButton,
  orgOptions, formatDateTime, validationError, errorBox, dl,
} from '/ui.js';
import { ROLES, roleLabel } from '/labels.js';

// Rows seen in the list, so that opening one needs no extra request.
const seen = new Map();

export async function render(root, params, ctx) {
  if (!params.id) return renderList(root, params, ctx);
  if (params.id === 'new') return renderCreate(root, ctx);
  return renderEdit(root, params.id, ctx);
}

function statusBadge(u) {
  if (u.disabled) return badge('已停用', 'danger');
  if (u.locked_until && new Date(u.locked_until) > new Date()) {
    const b = badge('已锁定', 'warn');
    b.title = `锁定至 ${formatDateTime(u.locked_until)}`;
    return b;
  }
  return badge('正常', 'ok');
}

function roleBadges(roles) {
  return h('span', { class: 'badges' }, (roles || []).map((r) => badge(roleLabel(r), r === 'admin' || r === 'auditor' ? 'muted' : 'info')));
}

function renderList(root, params, ctx) {
  root.append(pageHeader('用户管理', linkButton('新建用户', '#/users/new', { kind: 'primary', id: 'user-new' })));
  listView(root, {
    id: 'user-list',
    query: params.query,
    search: '用户名或姓名',
    exportPath: '/users/export',
    filters: [
      { name: 'role', label: '角色', type: 'select', options: ROLES },
      { name: 'org_id', label: '组织', type: 'select', options: async () => orgOptions(await loadOrgs()) },
    ],
    load: async (q) => {
      const res = await api('GET', withQuery('/users', q));
      for (const u of res.items || []) seen.set(String(u.id), u);
      return res;
    },
    rowLink: (u) => `#/users/${u.id}`,
    columns: [
      { key: 'username', title: '用户名', render: (u) => h('a', { href: `#/users/${u.id}` }, u.username) },
      { key: 'name', title: '姓名' },
      { key: 'org', title: '所属组织', render: (u) => (u.org ? u.org.name : '—') },
      { key: 'roles', title: '角色', render: (u) => roleBadges(u.roles) },
      { key: 'status', title: '状态', render: statusBadge, nowrap: true },
      { key: 'created_at', title: '创建时间', render: (u) => formatDateTime(u.created_at), nowrap: true },
      { key: 'actions', title: '操作', render: (u) => h('a', { href: `#/users/${u.id}`, class: 'action-link' }, '编辑'), nowrap: true, noPrint: true },
    ],
  });
}

const ROLE_HINT = '经审、管理员只能单独担任，不能与其他角色兼任。';

async function renderCreate(root, ctx) {
  const orgs = await loadOrgs();
  const form = h('form', { class: 'form', id: 'user-form' },
    h('div', { class: 'form-grid' },
      field('用户名', h('input', { name: 'username', autocomplete: 'off', maxlength: 64 }), { required: true, hint: '登录用，创建后不可修改。' }),
      field('姓名', h('input', { name: 'name', maxlength: 64 }), { required: true }),
      field('所属组织', select('org_id', orgOptions(orgs, '请选择组织'), '', { 'data-type': 'number' }), { required: true }),
      field('初始密码', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }), { required: true, hint: '请通知用户首次登录后在“我的账户”中修改。' }),
      field('角色', checkboxes('roles', ROLES, []), { required: true, wide: true, hint: ROLE_HINT })),
    formActions(
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'user-form-submit' }, '创建用户'),
      linkButton('取消', '#/users')));

  bindForm(form, async (data) => {
    const u = await api('POST', '/users', {
      username: data.username, name: data.name, org_id: data.org_id, roles: data.roles, password: data.password,
    });
    seen.set(String(u.id), u);
    ctx.toast(`已创建用户 ${u.username}`);
    ctx.navigate('#/users');
  });

  root.append(pageHeader('新建用户', linkButton('返回列表', '#/users')), card(null, form));
}

async function renderEdit(root, id, ctx) {
  root.append(pageHeader('编辑用户', linkButton('返回列表', '#/users')));
  let u;
  try {
    u = await api('GET', `/users/${encodeURIComponent(id)}`);
  } catch (err) {
    // Fall back to the row from the list if the server has no single-user read.
    u = seen.get(String(id));
    if (!u || err.status === 401) {
      root.append(errorBox(err));
      return;
    }
  }
  const orgs = await loadOrgs();

  const summary = card('账户', dl([
    ['用户名', h('span', { id: 'user-username' }, u.username)],
    ['状态', statusBadge(u)],
    ['锁定至', u.locked_until ? formatDateTime(u.locked_until) : ''],
    ['创建时间', formatDateTime(u.created_at)],
  ]));

  const edit = h('form', { class: 'form', id: 'user-edit-form' },
    h('div', { class: 'form-grid' },
      field('姓名', h('input', { name: 'name', value: u.name || '', maxlength: 64 }), { required: true }),
      field('所属组织', select('org_id', orgOptions(orgs, '请选择组织'), u.org ? u.org.id : '', { 'data-type': 'number' }), { required: true }),
      field('角色', checkboxes('roles', ROLES, u.roles), { required: true, wide: true, hint: ROLE_HINT }),
      field('账户状态', h('label', { class: 'choice' },
        h('input', { type: 'checkbox', name: 'disabled', 'data-type': 'bool', checked: !!u.disabled }),
        h('span', null, '停用此账户（停用后不能登录）')), { wide: true })),
    formActions(h('button', { type: 'submit', class: 'btn btn-primary', id: 'user-edit-submit' }, '保存修改')));

  bindForm(edit, async (data) => {
    if (data.disabled && !u.disabled) {
      const ok = await ctx.confirm({ title: '停用账户', message: `确定停用用户 ${u.username}（${u.name}）？停用后该用户将无法登录。`, okText: '停用' });
      if (!ok) return;
    }
    const updated = await api('PATCH', `/users/${u.id}`, { name: data.name, org_id: data.org_id, roles: data.roles, disabled: data.disabled });
    if (updated && updated.id) {
      u = updated;
      seen.set(String(u.id), u);
    }
    ctx.toast('用户信息已保存');
    ctx.navigate('#/users');
  });

  const pw = h('form', { class: 'form form-narrow', id: 'user-password-form' },
    field('新密码', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }), { required: true }),
    field('确认新密码', h('input', { name: 'confirm_password', type: 'password', autocomplete: 'new-password' }), { required: true }),
    formActions(h('button', { type: 'submit', class: 'btn', id: 'user-password-submit' }, '重置密码')));

  bindForm(pw, async (data) => {
    if (data.password !== data.confirm_password) throw validationError({ confirm_password: '两次输入的密码不一致' });
    await api('POST', `/users/${u.id}/password`, { password: data.password });
    pw.reset();
    ctx.toast(`已重置 ${u.username} 的密码`);
  });

  // SPEC §1.3: admin ends a lock-out (and forgets the failed log-ins) with a reason; the server audits it.
  const unlock = h('form', { class: 'form form-narrow', id: 'user-unlock-form' },
    field('解锁原因', h('textarea', { name: 'reason', maxlength: 500, rows: 2 }), { required: true, hint: '例如：已电话联系本人确认。' }),
    formActions(h('button', { type: 'submit', class: 'btn', id: 'user-unlock-submit' }, '解除登录锁定')));

  bindForm(unlock, async (data) => {
    const updated = await api('POST', `/users/${u.id}/unlock`, { reason: data.reason });
    if (updated && updated.id) {
      u = updated;
      seen.set(String(u.id), u);
    }
    unlock.reset();
    ctx.toast(`已解除 ${u.username} 的登录锁定`);
  });

  root.append(summary, card('基本信息', edit), card('重置密码', h('p', { class: 'muted' }, '为忘记密码的用户设置新密码，并通过安全方式告知本人。'), pw),
    card('登录锁定', h('p', { class: 'muted' }, '多次登录失败会暂停该账户登录；确认是本人后可在此解锁。'), unlock));
}
