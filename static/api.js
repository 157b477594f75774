// api.js — the one way the UI talks to the server (SPEC §9.2).
// Every call goes under /api/v1, sends the session cookie, and on every state-changing request the CSRF token
// from the last /me or login answer (SPEC §1.3). Errors arrive as {"error":{code,message,fields}} and are thrown
// as ApiError so that forms can show `message` in a banner and `fields` beside their inputs.

const BASE = '/api/v1';

let csrfToken = '';
let onUnauthenticated = null;

/** ApiError carries the server's error code, its Chinese message, per-field messages and the HTTP status. */
export class ApiError extends Error {
  constructor(code, message, fields = {}, status = 0) {
    super(message || code);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields || {};
    this.status = status;
  }
}

/** setCsrfToken remembers the token from a /me or POST /session answer. */
export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** setUnauthenticatedHandler is called (once per 401) so the app can send the user to the login page. */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

/** withQuery appends the non-empty values of params to path as a query string. */
export function withQuery(path, params = {}) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => sp.append(k, x));
    else sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

const STATUS_MESSAGES = {
  400: '请求有误，请检查输入',
  401: '登录已失效，请重新登录',
  403: '没有权限执行此操作',
  404: '记录不存在或不在您的管辖范围内',
  405: '服务器不支持此操作',
  409: '操作与当前状态冲突',
  413: '提交的内容过大',
  429: '操作过于频繁，请稍后再试',
};

const STATUS_CODES = {
  400: 'validation', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
  409: 'conflict', 413: 'too_large', 429: 'rate_limited',
};

// The server's clock minus the browser's, from the last answer's X-Server-Time: deadlines count down from
// the server's time, which the rules use.
let clockSkew = 0;

/** serverNow is the server's current time in milliseconds, as far as the browser can tell. */
export function serverNow() { return Date.now() + clockSkew; }

/**
 * api sends one JSON request and returns the parsed answer (null for 204).
 * @param {string} method  GET, POST, PATCH, PUT, DELETE
 * @param {string} path    path under /api/v1, e.g. '/users' or withQuery('/users', {page: 2})
 * @param {object} [body]  sent as JSON; a FormData or Blob is sent as is (uploads)
 * @param {object} [opts]  {signal, headers, raw: true to get the Response itself (downloads)}
 */
export async function api(method, path, body, opts = {}) {
  method = method.toUpperCase();
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let payload;
  if (body !== undefined && body !== null) {
    if (body instanceof FormData || body instanceof Blob) {
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method, headers, body: payload, credentials: 'same-origin', signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError('network', '无法连接服务器，请检查网络后重试', {}, 0);
  }
  const served = Date.parse(res.headers.get('X-Server-Time') || '');
  if (!Number.isNaN(served)) clockSkew = served - Date.now();
  if (res.ok && opts.raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return data;

  const e = (data && data.error) || {};
  const err = new ApiError(
    e.code || STATUS_CODES[res.status] || 'internal',
    e.message || STATUS_MESSAGES[res.status] || `服务器错误（${res.status}），请稍后重试`,
    e.fields || {},
    res.status,
  );
  // A wrong password at login is a 401 too; only an expired or missing session sends the user away.
  const isLogin = path === '/session' && method === 'POST';
  if (res.status === 401 && !isLogin && onUnauthenticated) onUnauthenticated(err);
  throw err;
}

// Orgs change rarely and are needed by many pages (filters, selects), so one list is shared until a change.
let orgsPromise = null;

/** loadOrgs returns the org list in tree order ({id,code,name,level,level_name,parent_id,path}). */
export function loadOrgs(force = false) {
  if (force || !orgsPromise) {
    orgsPromise = loadAll('/orgs');
    orgsPromise.catch(() => { orgsPromise = null; });
  }
  return orgsPromise;
}

/** loadAll fetches every page of a list endpoint (for short lists such as orgs; per_page is at most 200). */
export async function loadAll(path, params = {}) {
  const items = [];
  for (let page = 1; page <= 50; page++) {
    const r = await api('GET', withQuery(path, { ...params, page, per_page: 200 }));
    const got = (r && r.items) || [];
    items.push(...got);
    if (got.length === 0 || got.length < 200 || items.length >= (r.total ?? 0)) break;
  }
  return items;
}

/** invalidateOrgs drops the shared org list after an org was created or renamed. */
export function invalidateOrgs() {
  orgsPromise = null;
}
