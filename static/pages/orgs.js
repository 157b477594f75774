// 组织机构 (admin): the four-level org tree (SPEC §1.1), creating a child org and renaming one.

import { api, loadOrgs, invalidateOrgs } from '/api.js';
import { h, clear, pageHeader, card, badge, field, select, button, formDialog, errorBox, orgOptions } from '/ui.js';
import { orgLevelLabel } from '/labels.js';

const LEVEL_KIND = { 1: 'danger', 2: 'warn', 3: 'info', 4: 'muted' };

export async function render(root, params, ctx) {
  const tableBox = h('div', { class: 'table-wrap' });
  const total = h('span', { class: 'pager-total', id: 'org-list-total' });
  const search = h('input', { type: 'search', id: 'org-list-q', placeholder: '名称或代码', 'aria-label': '搜索组织' });
  let orgs = [];

  root.append(
    pageHeader('组织机构', button('新建组织', () => createOrg(null), { kind: 'primary', id: 'org-new' })),
    h('p', { class: 'muted page-intro' }, '区总工会 → 街道/乡镇工会 → 社区工会 → 基层工会。用户只能查看本组织及下级组织的数据。'),
    h('div', { class: 'list' },
      h('form', { class: 'list-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); draw(); } },
        h('div', { class: 'filter filter-search' }, search),
        h('button', { type: 'submit', class: 'btn btn-primary' }, '查询'),
        button('重置', () => { search.value = ''; draw(); })),
      tableBox,
      h('div', { class: 'pager' }, total)));
  search.addEventListener('input', () => draw());

  async function load() {
    try {
      orgs = await loadOrgs(true);
    } catch (err) {
      clear(tableBox, errorBox(err));
      return;
    }
    draw();
  }

  function draw() {
    const q = search.value.trim().toLowerCase();
    const byId = new Map(orgs.map((o) => [o.id, o]));
    const rows = q ? orgs.filter((o) => o.name.toLowerCase().includes(q) || String(o.code).toLowerCase().includes(q)) : orgs;
    total.textContent = q ? `共 ${orgs.length} 个组织，匹配 ${rows.length} 个` : `共 ${orgs.length} 个组织`;
    const table = h('table', { class: 'table table-tree', id: 'org-list' },
      h('thead', null, h('tr', null,
        h('th', null, '名称'), h('th', null, '代码'), h('th', null, '层级'), h('th', null, '上级组织'), h('th', { class: 'no-print' }, '操作'))),
      h('tbody', null, rows.length ? rows.map((o) => h('tr', { dataset: { id: o.id, level: o.level } },
        h('td', null, h('span', { class: `tree-name tree-l${o.level}`, style: { paddingLeft: `${(q ? 0 : o.level - 1) * 1.6}em` } },
          !q && o.level > 1 ? h('span', { class: 'tree-guide', 'aria-hidden': 'true' }, '└') : null,
          h('span', { class: 'org-name' }, o.name))),
        h('td', { class: 'mono' }, o.code),
        h('td', { class: 'nowrap' }, badge(o.level_name || orgLevelLabel(o.level), LEVEL_KIND[o.level] || 'muted')),
        h('td', null, o.parent_id ? (byId.get(o.parent_id) || {}).name || '' : '—'),
        h('td', { class: 'nowrap no-print' }, h('div', { class: 'actions' },
          button('重命名', () => renameOrg(o), { kind: 'link', class: 'org-rename' }),
          o.level < 4 ? button('新建下级', () => createOrg(o), { kind: 'link', class: 'org-add-child' }) : null))))
        : h('tr', null, h('td', { colspan: 5, class: 'table-empty' }, '没有匹配的组织'))));
    clear(tableBox, table);
  }

  async function createOrg(parent) {
    const parents = orgs.filter((o) => o.level < 4);
    const created = await formDialog({
      title: parent ? `在“${parent.name}”下新建组织` : '新建组织',
      formId: 'org-form',
      submitText: '创建',
      body: [
        field('上级组织', select('parent_id', orgOptions(parents, '请选择上级组织'), parent ? parent.id : '', { 'data-type': 'number' }), { required: true, hint: '新组织的层级为上级层级加一。' }),
        field('组织代码', h('input', { name: 'code', maxlength: 32, autocomplete: 'off' }), { required: true, hint: '全区唯一，例如统一社会信用代码或内部编号。' }),
        field('组织名称', h('input', { name: 'name', maxlength: 100 }), { required: true }),
      ],
      onSubmit: (data) => api('POST', '/orgs', { code: data.code, name: data.name, parent_id: data.parent_id }),
    });
    if (created) {
      invalidateOrgs();
      ctx.toast(`已创建组织 ${created.name || ''}`);
      await load();
    }
  }

  async function renameOrg(o) {
    const done = await formDialog({
      title: '重命名组织',
      formId: 'org-rename-form',
      body: [
        h('p', { class: 'muted' }, `代码 ${o.code}，${o.level_name || orgLevelLabel(o.level)}`),
        field('组织名称', h('input', { name: 'name', value: o.name, maxlength: 100 }), { required: true }),
      ],
      onSubmit: (data) => api('PATCH', `/orgs/${o.id}`, { name: data.name }),
    });
    if (done) {
      invalidateOrgs();
      ctx.toast('组织名称已修改');
      await load();
    }
  }

  await load();
}
