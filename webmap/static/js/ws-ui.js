/* The page around the map: panel and tabs, the period selector, the legend and the sign-in
 * state ("where am I" is ws-geo.js). */
(function () {
  "use strict";
  const WS = window.WS;
  const $ = (id) => document.getElementById(id);
  const STATUS_ICONS = { pass: "✓", warn: "!", fail: "✕", review: "?", insufficient: "…", undetermined: "⊘", pending: "≈", nodata: "–" };

  /* The panel shown or hidden resizes the map (no CSS transition: the layout changes at once).
   * The map takes its new size and keeps what was in view: hiding the panel keeps the centre
   * and zoom (the larger map shows all it showed, and more); showing it again restores the view
   * it had before hiding, unless the map was moved meanwhile: then it fits what was in view. */
  let refits = 0;
  let reopen = null; // {view before hiding, view right after hiding}
  const viewOf = (map) => ({ center: map.getCenter(), zoom: map.getZoom() });
  const sameView = (a, b) => a.zoom === b.zoom && a.center.distanceTo(b.center) < 0.5;

  function refit(opening, before) {
    const map = WS.map;
    map.invalidateSize({ pan: false, animate: false });
    if (!opening) {
      map.setView(before.view.center, before.view.zoom, { animate: false });
      reopen = { before: before.view, after: viewOf(map) };
    } else if (reopen && sameView(reopen.after, before.view)) {
      map.setView(reopen.before.center, reopen.before.zoom, { animate: false });
    } else {
      map.fitBounds(before.bounds, { animate: false, padding: [0, 0] });
    }
    if (opening) reopen = null;
    document.body.dataset.refits = String(++refits);
  }

  function setPanel(open) {
    const wasOpen = !document.body.classList.contains("ws-panel-closed");
    const before = WS.map ? { view: viewOf(WS.map), bounds: WS.map.getBounds() } : null;
    document.body.classList.toggle("ws-panel-closed", !open);
    $("ws-panel-toggle").setAttribute("aria-expanded", String(open));
    if (before && wasOpen !== open) refit(open, before);
  }

  function initPanel() {
    $("ws-panel-toggle").addEventListener("click", () =>
      setPanel(document.body.classList.contains("ws-panel-closed"))
    );
    for (const button of document.querySelectorAll(".ws-tab-btn")) {
      button.addEventListener("click", () => selectTab(button.dataset.tab));
    }
  }

  function selectTab(name) {
    for (const button of document.querySelectorAll(".ws-tab-btn")) {
      const on = button.dataset.tab === name;
      button.setAttribute("aria-selected", String(on));
      $(`ws-tab-${button.dataset.tab}`).hidden = !on;
    }
    setPanel(true);
  }

  function initPeriod() {
    const change = () => WS.setPeriod($("ws-year").value + ($("ws-month").value ? `-${$("ws-month").value}` : ""));
    $("ws-year").addEventListener("change", change);
    $("ws-month").addEventListener("change", change);
  }

  function legendControl() {
    const grades = WS.config().grades;
    const chips = [
      [grades[1].colour, "Ⅰ–Ⅱ类"],
      [grades[3].colour, "Ⅲ类"],
      [grades[4].colour, "Ⅳ类"],
      [grades[5].colour, "Ⅴ类"],
      [grades[6].colour, "劣Ⅴ类"],
      ["#9e9e9e", "无数据"],
    ]
      .map(([c, t]) => `<li><span class="ws-legend-dot" style="background:${c}"></span>${t}</li>`)
      .concat(['<li><span class="ws-legend-dot ws-insufficient"></span>数据不足（样本数不够）</li>'])
      .join("");
    const statuses = Object.keys(STATUS_ICONS)
      .map((s) => `<li><span class="ws-status-icon ws-status-${s}">${STATUS_ICONS[s]}</span>${WS.statusLabel(s)}</li>`)
      .join("");
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      const div = L.DomUtil.create("div", "ws-legend leaflet-bar");
      div.innerHTML = `<details ${window.innerWidth > 1100 ? "open" : ""}><summary>图例</summary>
        <h4>断面水质类别</h4><ul>${chips}</ul><h4>底线核查</h4><ul>${statuses}</ul>
        <h4>水库</h4><ul><li><span class="ws-legend-res"></span>小型</li><li><span class="ws-legend-res ws-medium"></span>中型</li>
        <li><span class="ws-legend-res ws-bloom"></span>水华风险</li></ul></details>`;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return legend;
  }

  /* A one-time QR code for a tablet (POST /map/signin-qr): five minutes, one use. */
  let qrTimer = null;
  /* An analyst or above may give the tablet an analyst token, so a field team can record
     巡查记录 (never above the issuer's own role; the server checks it too). */
  async function showSigninQr(tabletRole) {
    const role = tabletRole === "analyst" ? "analyst" : "viewer";
    const mayRecord = WS.allows("analyst");
    let dialog = $("ws-qr");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "ws-qr";
      dialog.className = "ws-qr";
      document.body.appendChild(dialog);
    }
    let answer;
    try {
      answer = await WS.api(`/map/signin-qr?role=${role}`, { method: "POST" });
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
      return;
    }
    const local = ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);
    dialog.innerHTML = `<h2>平板扫码登录</h2>
      <div class="ws-qr-code">${answer.svg}</div>
      <p>用平板的相机或浏览器扫描，即以<strong>${role === "analyst" ? "分析员（可记录巡查）" : "查看者"}</strong>身份登录（新令牌，可按名称撤销）。</p>
      ${mayRecord ? `<label class="ws-qr-role"><input type="checkbox" id="ws-qr-analyst" ${role === "analyst" ? "checked" : ""}> 允许该平板记录巡查（分析员权限）</label>` : ""}
      <p class="ws-muted" id="ws-qr-left"></p>
      ${local ? '<p class="ws-error">本页通过本机地址打开，平板无法访问：请用局域网地址（https://…）打开本页后再生成。</p>' : ""}
      <p class="ws-qr-url"><code id="ws-qr-url">${WS.esc(answer.url)}</code></p>
      <form method="dialog"><button class="ws-btn ws-btn-primary">关闭</button></form>`;
    const expires = new Date(answer.expires_at);
    const tick = () => {
      const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      $("ws-qr-left").textContent = left ? `二维码 ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} 后失效，只能使用一次。` : "二维码已失效，请重新生成。";
      if (!left) clearInterval(qrTimer);
    };
    clearInterval(qrTimer);
    tick();
    qrTimer = setInterval(tick, 1000);
    dialog.addEventListener("close", () => clearInterval(qrTimer), { once: true });
    const choice = $("ws-qr-analyst");
    if (choice) {
      // a new code for the other role; the one shown stays valid for its five minutes
      choice.addEventListener("change", () => showSigninQr(choice.checked ? "analyst" : "viewer"));
    }
    if (!dialog.open) dialog.showModal();
  }

  /* The sign-out form's CSRF token, tied to the session (the server puts it in a meta tag). */
  function csrfToken() {
    const meta = document.querySelector('meta[name="ws-csrf"]');
    return meta ? meta.content : "";
  }

  function initUser() {
    const user = WS.config().user;
    const el = $("ws-user");
    if (user.signedIn) {
      el.innerHTML = `<button type="button" id="ws-qr-btn" class="ws-btn ws-btn-light" title="为平板生成一次性登录二维码">平板扫码登录</button>
        <form method="post" action="${WS.config().endpoints.signout}">
        <input type="hidden" name="csrf" value="${WS.esc(csrfToken())}">
        <button type="submit" class="ws-btn ws-btn-light" title="当前角色：${WS.esc(user.role || "")}">退出登录</button></form>`;
      $("ws-qr-btn").addEventListener("click", () => showSigninQr("viewer"));
    } else if (!user.readRequiresToken) {
      el.innerHTML = `<a class="ws-btn ws-btn-light" href="${WS.config().endpoints.signin}">登录</a>`;
    }
  }

  WS.ui = {
    init() {
      WS.layersInit();
      initPanel();
      initPeriod();
      initUser();
      L.control.scale({ imperial: false, position: "bottomleft" }).addTo(WS.map);
      WS.search.control().addTo(WS.map);
      legendControl().addTo(WS.map);
      WS.geo.init();
      WS.checks.init();
      WS.redline.init();
      WS.areas.init();
      WS.map.on("zoomend", WS.updateLabels);
      WS.updateLabels();
      if (window.matchMedia("(max-width: 599px)").matches) setPanel(false);
    },

    setPeriodChoices(years, period) {
      const [year, month] = (period || "").split("-");
      const all = years.includes(year) || !year ? years : [year, ...years];
      $("ws-year").innerHTML = all.map((y) => `<option value="${y}">${y}年</option>`).join("");
      $("ws-year").value = year || "";
      $("ws-month").value = month ? month.padStart(2, "0") : "";
    },

    /* On a phone-sized screen the panel covers the map: close it to show the result. */
    showMapOnSmallScreens() {
      if (window.matchMedia("(max-width: 599px)").matches) setPanel(false);
    },
  };
})();
