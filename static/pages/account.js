// 我的账户: who I am, and changing my own password (the new one typed twice, compared here before sending).

import { h, pageHeader, card, dl, badge, alert, field, formActions, bindForm, clearFormErrors, validationError } from '/ui.js';
import { roleLabel, orgLevelLabel } from '/labels.js';

export async function render(root, params, ctx) {
  const me = ctx.me;
  const org = me.org || {};
  const form = h('form', { class: 'form form-narrow', id: 'password-form' },
    field('当前密码', h('input', { type: 'password', name: 'old_password', autocomplete: 'current-password' }), { required: true }),
    field('新密码', h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password' }), { required: true, hint: '请使用不易猜到的密码，至少 8 位。' }),
    field('确认新密码', h('input', { type: 'password', name: 'confirm_password', autocomplete: 'new-password' }), { required: true }),
    formActions(h('button', { type: 'submit', class: 'btn btn-primary', id: 'password-form-submit' }, '修改密码')));

  bindForm(form, async (data) => {
    if (data.new_password !== data.confirm_password) throw validationError({ confirm_password: '两次输入的新密码不一致' });
    if (data.new_password === data.old_password) throw validationError({ new_password: '新密码不能与当前密码相同' });
    await ctx.api('POST', '/me/password', { old_password: data.old_password, new_password: data.new_password });
    form.reset();
    clearFormErrors(form);
    ctx.toast('密码已修改');
    if (me.must_change_password) {
      await ctx.refreshMe();
      ctx.navigate('#/');
    }
  });

  root.append(
    pageHeader('我的账户'),
    me.must_change_password
      ? h('div', { id: 'must-change-password' }, alert('您正在使用管理员设置的初始密码，请先修改密码，然后才能使用其他功能。', 'warn'))
      : '',
    card('账户信息', dl([
      ['用户名', me.username],
      ['姓名', me.name],
      ['所属组织', org.name ? [org.name, ' ', badge(org.level_name || orgLevelLabel(org.level), 'muted')] : ''],
      ['组织代码', org.code],
      ['角色', h('span', { class: 'badges' }, (me.roles || []).map((r) => badge(roleLabel(r), 'info')))],
    ])),
    card('修改密码', form),
  );
}
