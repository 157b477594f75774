// app.js — boots the UI: asks /me who is logged in, draws the shell (top bar and nav) and routes hash addresses
// to page modules. Routes: #/login (outside the shell) and every entry of nav.js.
//
// A page module exports   async function render(root, params, ctx)
//   root    an empty <div class="page"> to fill
//   params  {path: '/users/5', rest: ['5'], id: '5', query: {page: '2'}} — rest are the segments after the entry's path
//   ctx     {me, api, may(route), can(capability), navigate(hash), setTitle(text), refreshMe(), toast, confirm, nav}

import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from '/api.js';
import { h, clear, alert, errorBox, toast, confirmDialog, button, pageHeader } from '/ui.js';
import { NAV, GROUPS, allowed, listed } from '/nav.js';
import { roleLabel, loadVocabulary } from '/labels.js';

const APP_NAME = '困难职工帮扶管理系统';
const app = document.getElementById('app');

let me = null;      // the /me answer while logged in
let shell = null;   // {main, nav} while the shell is shown
let renderSeq = 0;  // the latest navigation; older renders that finish late are ignored

/** parseHash: '#/users/5?page=2' → {path: '/users/5', segments: ['users','5'], query: {page: '2'}}. */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/';
  const [p, qs = ''] = raw.split('?');
  const segments = p.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(qs));
  return { path: '/' + segments.join('/'), segments, query };
}

function matchRoute(path) {
  let best = null;
  for (const entry of NAV) {
    const p = entry.path.replace(/^#/, '') || '/';
    const hit = p === '/' ? path === '/' : path === p || path.startsWith(p + '/');
    if (hit && (!best || p.length > best.p.length)) best = { entry, p };
  }
  if (!best) return null;
  const rest = best.p === '/' ? [] : path.slice(best.p.length).split('/').filter(Boolean).map(decodeURIComponent);
  return { entry: best.entry, rest };
}

function setMe(answer) {
  me = answer;
  setCsrfToken(answer ? answer.csrf_token : '');
}

function goLogin() {
  const cur = location.hash || '#/';
  if (cur.startsWith('#/login')) return;
  location.hash = '#/login?next=' + encodeURIComponent(cur);
}

setUnauthenticatedHandler(() => {
  setMe(null);
  shell = null;
  goLogin();
});

async function logout() {
  try { await api('DELETE', '/session'); } catch { /* the session may be gone already */ }
  setMe(null);
  shell = null;
  location.hash = '#/login';
}

function visibleNav() {
  return NAV.filter((e) => listed(e, me.routes));
}

function drawShell() {
  const groups = new Map(GROUPS.map((g) => [g, []]));
  for (const e of visibleNav()) {
    const g = e.group || '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(e);
  }
  const nav = h('nav', { class: 'sidenav', id: 'nav', 'aria-label': '主导航' },
    [...groups.entries()].filter(([, items]) => items.length).map(([g, items]) => h('div', { class: 'nav-group' },
      g ? h('div', { class: 'nav-group-title' }, g) : null,
      h('ul', null, items.map((e) => h('li', null,
        h('a', { href: e.path, class: 'nav-link', dataset: { path: e.path } }, e.title)))))));
  const main = h('main', { class: 'main', id: 'main' });
  const org = me.org || {};
  const top = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '帮'), h('span', { class: 'brand-name' }, APP_NAME)),
    h('div', { class: 'topbar-user' },
      h('span', { class: 'me-org', id: 'me-org', title: org.code || '' }, org.name || ''),
      h('span', { class: 'me-sep', 'aria-hidden': 'true' }),
      h('a', { class: 'me-name', id: 'me-name', href: '#/account', title: `${me.username}（${(me.roles || []).map(roleLabel).join('、')}）` }, me.name || me.username),
      h('span', { class: 'me-roles' }, (me.roles || []).map(roleLabel).join(' · ')),
      button('退出', logout, { id: 'logout', class: 'btn-topbar' })));
  clear(app, h('div', { class: 'shell' }, top, h('div', { class: 'shell-body' }, nav, main)));
  shell = { main, nav };
}

function markActive(entry) {
  shell.nav.querySelectorAll('.nav-link').forEach((a) => {
    a.classList.toggle('active', !!entry && a.dataset.path === entry.path);
    if (entry && a.dataset.path === entry.path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

function makeCtx(entry) {
  return {
    get me() { return me; },
    api,
    nav: visibleNav(),
    may: (route) => (me.routes || []).includes(route), // 'POST /api/v1/households': may the user call it?
    can: (name) => (me.capabilities || []).includes(name), // 'export.unmasked': a choice inside a route
    navigate: (hash) => { location.hash = hash; },
    setTitle: (t) => { document.title = `${t} - ${APP_NAME}`; },
    refreshMe: async () => { setMe(await api('GET', '/me')); return me; },
    toast,
    confirm: confirmDialog,
    entry,
  };
}

async function showLogin(query) {
  const my = ++renderSeq;
  shell = null;
  document.title = `登录 - ${APP_NAME}`;
  const root = h('div', { class: 'page page-login' });
  clear(app, root);
  try {
    const mod = await import('/pages/login.js');
    if (my !== renderSeq) return;
    await mod.render(root, { path: '/login', rest: [], query }, {
      api,
      toast,
      appName: APP_NAME,
      onLogin: (answer) => {
        setMe(answer);
        const next = query.next && query.next.startsWith('#/') && !query.next.startsWith('#/login') ? query.next : '#/';
        location.hash = next;
      },
    });
  } catch (err) {
    root.append(errorBox(err));
  }
}

// showConfirm is the receiver's phone page (SPEC §5): outside the shell, no session needed.
async function showConfirm(query) {
  ++renderSeq;
  shell = null;
  const root = h('div', { class: 'page page-phone' });
  clear(app, root);
  try {
    const mod = await import('/pages/confirm.js');
    await mod.render(root, { path: '/confirm', rest: [], query }, { api });
  } catch (err) {
    root.append(errorBox(err));
  }
}

async function route() {
  const { path, query } = parseHash(location.hash);
  if (path === '/login') return showLogin(query);
  if (path === '/confirm') return showConfirm(query);
  const my = ++renderSeq;
  if (!me) {
    try {
      setMe(await api('GET', '/me'));
    } catch (err) {
      if (my !== renderSeq) return;
      if (err instanceof ApiError && err.status === 401) return; // the 401 handler went to the login page
      clear(app, h('div', { class: 'boot' },
        alert(`无法加载用户信息：${err.message || err}`, 'error'),
        button('重试', () => route(), { kind: 'primary' })));
      return;
    }
    if (my !== renderSeq) return;
  }
  // The names of the codes come from the server once, before any page draws one (labels.js).
  try {
    await loadVocabulary(api);
  } catch (err) {
    if (my !== renderSeq) return;
    if (err instanceof ApiError && err.status === 401) return;
    clear(app, h('div', { class: 'boot' },
      alert(`无法加载系统词汇：${err.message || err}`, 'error'),
      button('重试', () => route(), { kind: 'primary' })));
    return;
  }
  if (my !== renderSeq) return;
  // A one-time password (SPEC §1.3): the server allows nothing else until it is changed.
  if (me.must_change_password && path !== '/account') {
    location.hash = '#/account';
    return;
  }
  if (!shell) drawShell();
  const m = matchRoute(path);
  markActive(m && m.entry);
  const root = h('div', { class: 'page' });
  clear(shell.main, root);
  window.scrollTo(0, 0);
  if (!m) {
    document.title = `页面不存在 - ${APP_NAME}`;
    root.append(pageHeader('页面不存在'), alert('您访问的页面不存在。', 'warn'), h('p', null, h('a', { href: '#/' }, '返回首页')));
    return;
  }
  const { entry, rest } = m;
  document.title = `${entry.title} - ${APP_NAME}`;
  if (!allowed(entry, me.routes)) {
    root.append(pageHeader(entry.title), alert('您没有权限访问此页面。', 'warn'));
    return;
  }
  try {
    const mod = await import(typeof entry.module === 'function' ? entry.module(rest) : entry.module);
    if (my !== renderSeq) return;
    await mod.render(root, { path, rest, id: rest[0], query }, makeCtx(entry));
  } catch (err) {
    if (my !== renderSeq) return;
    root.append(errorBox(err));
  }
}

window.addEventListener('hashchange', route);
route();
