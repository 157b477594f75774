// 登录: username and password; the server's Chinese message (wrong password, locked out) is shown in #login-error.

import { h, field, bindForm, clearFormErrors } from '/ui.js';

export async function render(root, params, ctx) {
  const username = h('input', { name: 'username', id: 'login-username', autocomplete: 'username', autofocus: true, maxlength: 64 });
  const password = h('input', { name: 'password', id: 'login-password', type: 'password', autocomplete: 'current-password', maxlength: 256 });
  const submit = h('button', { type: 'submit', id: 'login-submit', class: 'btn btn-primary btn-block' }, '登录');
  const errorBox = h('div', { class: 'form-error', id: 'login-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'form login-form', id: 'login-form' },
    errorBox,
    field('用户名', username, { required: true }),
    field('密码', password, { required: true }),
    submit);

  bindForm(form, async (data) => {
    const me = await ctx.api('POST', '/session', { username: data.username, password: data.password });
    clearFormErrors(form);
    ctx.onLogin(me);
  });

  root.append(h('div', { class: 'login-wrap' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-head' },
        h('div', { class: 'brand-mark brand-mark-lg', 'aria-hidden': 'true' }, '帮'),
        h('h1', null, ctx.appName),
        h('p', { class: 'muted' }, '一户一档 · 精准帮扶 · 全程留痕')),
      form),
    h('p', { class: 'login-foot muted' }, '如忘记密码，请联系本单位系统管理员重置。')));
  username.focus();
}
