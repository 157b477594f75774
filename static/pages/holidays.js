// 节假日设置 (admin): the public holidays that publicity periods skip besides weekends (SPEC §3.3).

import { api, withQuery } from '/api.js';
import { h, pageHeader, card, field, formActions, bindForm, listView, button, toast } from '/ui.js';

export async function render(root, params, ctx) {
  root.append(pageHeader('节假日设置'), h('p', { class: 'muted' }, '公示期按工作日计算：自动跳过周六、周日和下列节假日。'));
  const form = h('form', { class: 'form list-filters', id: 'holiday-form' },
    field('日期', h('input', { type: 'date', name: 'date' }), { required: true }),
    field('名称', h('input', { name: 'name', placeholder: '如：劳动节' }), { required: true }),
    formActions(h('button', { type: 'submit', class: 'btn btn-primary', id: 'holiday-save' }, '添加')));
  root.append(card('添加节假日', form));
  const box = card('已设置的节假日');
  root.append(box);
  const view = listView(box, {
    id: 'holiday-list', query: params.query, search: false,
    filters: [{ name: 'year', label: '年份', type: 'text', placeholder: '如 2026' }],
    load: (q) => api('GET', withQuery('/holidays', { year: q.year })),
    exportPath: '/holidays/export',
    columns: [
      { key: 'date', title: '日期' }, { key: 'name', title: '名称' },
      { key: 'act', title: '', render: (x) => button('删除', async () => {
        if (!(await ctx.confirm({ title: '删除节假日', message: `删除 ${x.date} ${x.name}？` }))) return;
        await api('DELETE', `/holidays/${x.date}`); toast('已删除'); view.reload();
      }, { kind: 'link' }) },
    ],
  });
  bindForm(form, async (data) => {
    await api('PUT', `/holidays/${data.date}`, { name: data.name });
    toast('已保存');
    form.reset();
    view.reload();
  });
}
