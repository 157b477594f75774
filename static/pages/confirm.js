// 收货确认 (SPEC §5): the receiver of a campaign delivery confirms it on a phone with the one-time code from the
// delivery slip — no account, no session. Shown outside the shell at #/confirm.

import { api } from '/api.js';
import { h, clear, alert, errorMessage, dl } from '/ui.js';

export async function render(root, params) {
  document.title = '收货确认';
  root.classList.add('page-phone');
  const msg = h('div', { id: 'confirm-message', role: 'alert' });
  const input = h('input', { id: 'confirm-code', name: 'code', autocomplete: 'one-time-code', autocapitalize: 'characters', placeholder: 'XXXXX-XXXXX', maxlength: 20, value: params.query.code || '' });
  const detail = h('div', { id: 'confirm-detail' });
  const look = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'confirm-lookup' }, '查询配送');
  const form = h('form', { class: 'form', novalidate: true },
    h('label', { for: 'confirm-code', class: 'field-label' }, '确认码（见配送签收单）'), input, look);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    clear(detail);
    try {
      const r = await api('POST', '/delivery-confirmations/lookup', { code: input.value });
      const ok = h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'confirm-submit' }, '确认已收到以上物资');
      ok.addEventListener('click', async () => {
        ok.disabled = true;
        try {
          const done = await api('POST', '/delivery-confirmations', { code: input.value });
          clear(detail, alert(`已签收：${done.site_name} 配送单 ${done.delivery_no}。谢谢！`, 'ok'));
        } catch (err) {
          ok.disabled = false;
          clear(msg, alert(errorMessage(err), 'error'));
        }
      });
      clear(detail, h('h2', null, r.campaign_name),
        dl([['配送单号', r.delivery_no], ['配送点', r.site_name], ['配送日期', r.delivered_on], ['收货人', r.receiver_name], ['覆盖职工', `${r.workers} 人`]]),
        h('ul', { class: 'confirm-items' }, r.items.map((i) => h('li', null, `${i.good_name}：${i.quantity} ${i.unit}`))), ok);
    } catch (err) {
      clear(msg, alert(errorMessage(err), 'error'));
    }
  });
  root.append(h('h1', null, '送清凉物资收货确认'), form, msg, detail);
}
