// The operators' console: reads the session (may this user change anything, and the antiforgery token for it),
// then follows the server-sent events of api/events and keeps one section per cluster and one row per member up to
// date in place. Text from the server is only ever set as textContent, never parsed as HTML.
'use strict';

(() => {
  const session = { canChange: false, header: null, token: null };
  const sections = new Map();
  let lastOverview = null;

  const byId = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function setConnection(state) {
    const node = byId('connection');
    node.className = 'connection ' + state;
    node.textContent = state;
  }

  function showMessage(text, isError) {
    const node = byId('message');
    node.textContent = text;
    node.className = isError ? 'message error' : 'message';
    node.hidden = false;
  }

  const percent = (value) => (value === null || value === undefined ? '–' : value.toFixed(1) + '%');

  function secondsBetween(later, now) {
    return Math.max(0, Math.round((Date.parse(later) - Date.parse(now)) / 1000));
  }

  function healthOf(member, now) {
    switch (member.health) {
      case 'Penalized': {
        const left = member.penalizedUntil ? `, ${secondsBetween(member.penalizedUntil, now)} s left` : '';
        return { text: 'penalized', className: 'penalized', detail: `offline ×${member.consecutiveOfflineResults}${left}` };
      }
      case 'Probing':
        return { text: 'probing', className: 'probing', detail: 'one probe operation at a time' };
      default:
        return { text: 'online', className: 'online', detail: '' };
    }
  }

  function throttleOf(member) {
    const refusal = member.refusedFor && member.refusalCoolDownSeconds
      ? `refused for ${member.refusedFor.toLowerCase()}: cool-down ${Math.ceil(member.refusalCoolDownSeconds)} s` : '';
    if (!member.throttle) return { text: '', detail: refusal };
    const by = member.throttledBy ? ` (${member.throttledBy})` : '';
    const retry = member.throttleRetryAfterSeconds === null || member.throttleRetryAfterSeconds === undefined
      ? '' : `retry in ${Math.ceil(member.throttleRetryAfterSeconds)} s`;
    return { text: member.throttle + by, detail: [retry, refusal].filter(Boolean).join('; ') };
  }

  function cell(row, field, className) {
    const td = el('td', className);
    td.dataset.field = field;
    row.append(td);
    return td;
  }

  function newRow(clusterName, memberId) {
    const row = el('tr');
    row.dataset.member = memberId;
    const member = cell(row, 'member');
    member.append(el('strong', 'id'), el('span', 'role'), el('span', 'address'));
    cell(row, 'enabled');
    cell(row, 'health');
    cell(row, 'throttle');
    const load = cell(row, 'inFlight');
    const wrap = el('div', 'load');
    wrap.append(el('meter'), el('span'));
    load.append(wrap);
    cell(row, 'cpu', 'num');
    cell(row, 'memory', 'num');
    cell(row, 'version');
    cell(row, 'selections', 'num');
    cell(row, 'failovers', 'num');
    cell(row, 'refusals', 'num');
    cell(row, 'offlineAttempts', 'num');
    const action = cell(row, 'action');
    if (session.canChange) {
      const button = el('button');
      button.type = 'button';
      button.addEventListener('click', () => toggle(clusterName, memberId, button));
      action.append(button);
    }
    return row;
  }

  function badge(td, text, className, detail) {
    td.replaceChildren(el('span', 'badge ' + className, text));
    if (detail) td.append(el('span', 'detail', detail));
  }

  function updateRow(row, member, now) {
    row.className = member.enabled ? '' : 'disabled';
    const fields = {};
    for (const td of row.children) fields[td.dataset.field] = td;

    const [id, role, address] = fields.member.children;
    id.textContent = member.id;
    role.textContent = member.isPrimary ? 'primary' : `#${member.index}`;
    address.textContent = member.address || '';

    badge(fields.enabled, member.enabled ? 'enabled' : 'disabled', member.enabled ? 'enabled' : 'disabled', '');
    const health = healthOf(member, now);
    badge(fields.health, health.text, health.className, health.detail);
    const throttle = throttleOf(member);
    if (throttle.text) badge(fields.throttle, throttle.text, 'throttled', throttle.detail);
    else fields.throttle.replaceChildren();

    const [meter, count] = fields.inFlight.firstChild.children;
    if (member.concurrencyLimit === null || member.concurrencyLimit === undefined) {
      meter.hidden = true;
      count.textContent = `${member.inFlight} (no limit)`;
    } else {
      meter.hidden = false;
      meter.min = 0;
      meter.max = member.concurrencyLimit;
      meter.low = member.concurrencyLimit * 0.7;
      meter.high = member.concurrencyLimit * 0.9;
      meter.optimum = 0;
      meter.value = member.inFlight;
      count.textContent = `${member.inFlight} / ${member.concurrencyLimit}`;
    }

    fields.cpu.textContent = percent(member.cpuPercent);
    fields.memory.textContent = percent(member.memoryPercent);
    fields.version.textContent = member.version || '–';
    fields.selections.textContent = member.activity.selections;
    fields.failovers.textContent = member.activity.failovers;
    fields.refusals.textContent = member.activity.refusals;
    fields.offlineAttempts.textContent = member.activity.offlineAttempts;
    row.title = member.description;

    const button = fields.action.firstChild;
    if (button) {
      button.textContent = member.enabled ? 'Disable' : 'Enable';
      button.className = member.enabled ? 'disable' : 'enable';
      button.dataset.action = member.enabled ? 'disable' : 'enable';
    }
  }

  function newSection(name) {
    const section = el('section', 'cluster');
    section.dataset.cluster = name;
    const heading = el('h2');
    heading.append(el('span', 'name', name), el('span', 'mode'), el('span', 'totals'));
    const warnings = el('ul', 'warnings');
    const table = el('table');
    const head = el('tr');
    for (const [label, className] of [
      ['Member', ''], ['State', ''], ['Health', ''], ['Throttle', ''], ['In flight / limit', ''], ['CPU', 'num'],
      ['Memory', 'num'], ['Version', ''], ['Selections', 'num'], ['Failovers', 'num'], ['Refusals', 'num'],
      ['Offline attempts', 'num'], ['', '']]) {
      head.append(el('th', className, label));
    }
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    table.append(thead, tbody);
    section.append(heading, warnings, table);
    return { section, heading, warnings, tbody, rows: new Map() };
  }

  function updateSection(view, cluster, now) {
    const [, mode, totals] = view.heading.children;
    mode.textContent = cluster.mode;
    const a = cluster.activity;
    totals.textContent = `last minute: ${a.selections} selections, ${a.failovers} failovers, ${a.refusals} refusals, `
      + `${a.offlineAttempts} offline attempts, ${a.failedSelections} failed selections`;
    view.warnings.replaceChildren(...cluster.warnings.map((w) => el('li', '', w)));

    const seen = new Set();
    for (const member of cluster.members) {
      const key = member.id.toLowerCase();
      seen.add(key);
      let row = view.rows.get(key);
      if (!row) {
        row = newRow(cluster.name, member.id);
        view.rows.set(key, row);
      }
      updateRow(row, member, now);
      view.tbody.append(row); // keeps failover order; moving an existing row keeps the element
    }
    for (const [key, row] of view.rows) {
      if (!seen.has(key)) {
        row.remove();
        view.rows.delete(key);
      }
    }
  }

  function render(overview) {
    lastOverview = overview;
    const main = byId('clusters');
    const seen = new Set();
    for (const cluster of overview.clusters) {
      seen.add(cluster.name);
      let view = sections.get(cluster.name);
      if (!view) {
        view = newSection(cluster.name);
        sections.set(cluster.name, view);
      }
      updateSection(view, cluster, overview.timestamp);
      main.append(view.section);
    }
    for (const [name, view] of sections) {
      if (!seen.has(name)) {
        view.section.remove();
        sections.delete(name);
      }
    }
    if (overview.clusters.length === 0) {
      main.replaceChildren(el('p', 'empty', 'No cluster is registered.'));
    } else {
      const empty = main.querySelector('p.empty');
      if (empty) empty.remove();
    }
    byId('updated').textContent = 'updated ' + new Date(overview.timestamp).toLocaleTimeString();
  }

  async function toggle(clusterName, memberId, button) {
    const enabled = button.dataset.action === 'enable';
    button.disabled = true;
    try {
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
      if (session.header && session.token) headers[session.header] = session.token;
      const response = await fetch(
        `api/clusters/${encodeURIComponent(clusterName)}/members/${encodeURIComponent(memberId)}/enabled`,
        { method: 'PUT', credentials: 'same-origin', headers, body: JSON.stringify({ enabled }) });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        showMessage(body && body.detail ? body.detail : `The change failed (HTTP ${response.status}).`, true);
        return;
      }
      showMessage(`${memberId} of ${clusterName} ${enabled ? 'enabled' : 'disabled'}.`, false);
      const view = sections.get(clusterName);
      const row = view && view.rows.get(memberId.toLowerCase());
      if (row && body) updateRow(row, body, lastOverview ? lastOverview.timestamp : new Date().toISOString());
    } catch (error) {
      showMessage(`The change could not be sent: ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  function follow() {
    const source = new EventSource('api/events');
    source.addEventListener('overview', (event) => {
      render(JSON.parse(event.data));
      setConnection('live');
    });
    source.addEventListener('error', () => {
      setConnection(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
    });
  }

  async function start() {
    try {
      const response = await fetch('api/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!response.ok) {
        setConnection('disconnected');
        showMessage(`Not allowed to read the console (HTTP ${response.status}).`, true);
        return;
      }
      const info = await response.json();
      session.canChange = info.canChange;
      session.header = info.antiforgeryHeaderName;
      session.token = info.antiforgeryToken;
      byId('user').textContent = (info.user || 'signed in') + (info.canChange ? ' · operator' : ' · read only');
    } catch (error) {
      setConnection('disconnected');
      showMessage(`The console could not reach the server: ${error.message}`, true);
      return;
    }
    follow();
  }

  start();
})();
