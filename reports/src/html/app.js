// hnsim report page: draws the embedded matrix as a heatmap on a canvas and shows the
// path of the clicked cell. Data comes from the JSON element #hnsim-data (see html.rs for
// its compact layout). No network access, no external code.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("hnsim-data").textContent);
  var S = D.strings;
  var COLOURS = { a: "#16a34a", s: "#f59e0b", n: "#cbd5e1", u: "#a855f7", x: "#dc2626", e: "#ffffff", d: "#f1f5f9" };
  var INK = { a: "#fff", s: "#111", n: "#475569", u: "#fff", x: "#fff", e: "#94a3b8", d: "#94a3b8" };
  var LEGEND = {};
  D.legend.forEach(function (l) { LEGEND[l.code] = l; });

  var canvas = document.getElementById("heat");
  var ctx = canvas.getContext("2d");
  var tip = document.getElementById("tip");
  var detail = document.getElementById("detail");
  var stateSel = document.getElementById("state");
  var filterBox = document.getElementById("filter");
  var svg = document.querySelector("svg.topology");

  var st = null;        // current state
  var stIndex = 0;
  var n = 0;            // nodes in the state
  var vis = [];         // visible source nodes (rows); the filter narrows them
  var cols = [];        // destination nodes (columns): always all of them
  var pos = null;       // node index -> row position in vis, or -1
  var head = null, next = null; // per-pair linked lists of cell indices
  var cs = 10, labelW = 0, topH = 0;
  var sel = null;       // [row node, col node]
  var hover = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function factChips(parent, facts) {
    if (!facts) return;
    facts.split(", ").forEach(function (f) {
      if (!f) return;
      var chip = el("span", "fact", f);
      // The fact's own words on hover (catalogue embedded in the data by html.rs).
      if (D.facts && D.facts[f]) chip.title = D.facts[f];
      parent.appendChild(chip);
    });
  }

  function nodeText(i) {
    var nd = st.nodes[i];
    return nd[0];
  }

  function loadState(i) {
    stIndex = i;
    st = D.states[i];
    n = st.nodes.length;
    head = new Int32Array(n * n).fill(-1);
    next = new Int32Array(st.cells.length).fill(-1);
    for (var k = st.cells.length - 1; k >= 0; k--) {
      var c = st.cells[k];
      var p = c[0] * n + c[1];
      next[k] = head[p];
      head[p] = k;
    }
    var s = st.summary;
    document.getElementById("summary").textContent =
      s[0] + " delivered · " + s[1] + " denied · " + s[2] + " unknown of " + st.cells.length + " probes over " + n + " nodes" +
      (st.reasons.length ? " — denied by reason: " + st.reasons.map(function (r) { return r[0] + " " + r[1]; }).join(", ") : "");
    sel = null;
    applyFilter();
    clearDetail();
  }

  function applyFilter() {
    var q = (filterBox.value || "").trim().toLowerCase();
    vis = [];
    cols = [];
    for (var j = 0; j < n; j++) cols.push(j);
    pos = new Int32Array(n).fill(-1);
    for (var i = 0; i < n; i++) {
      var nd = st.nodes[i];
      if (!q || nd.join(" ").toLowerCase().indexOf(q) >= 0) {
        pos[i] = vis.length;
        vis.push(i);
      }
    }
    layout();
    draw();
  }

  function layout() {
    var m = Math.max(cols.length, 1), mr = vis.length;
    var avail = Math.max(320, Math.floor(window.innerWidth * 0.6) - 4);
    var longest = 0;
    cols.forEach(function (i) { longest = Math.max(longest, nodeText(i).length); });
    var lw = Math.min(220, longest * 6.6 + 14);
    cs = Math.floor((avail - lw) / m);
    if (cs >= 12) {
      labelW = lw; topH = lw;
      cs = Math.min(cs, 34);
    } else {
      labelW = 0; topH = 0;
      cs = Math.max(3, Math.min(Math.floor(avail / m), 11));
    }
    var w = labelW + m * cs + 1, h = topH + mr * cs + 1;
    var r = window.devicePixelRatio || 1;
    canvas.width = Math.ceil(w * r);
    canvas.height = Math.ceil(h * r);
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
    ctx.setTransform(r, 0, 0, r, 0, 0);
    canvas.dataset.rows = String(vis.length);
    canvas.dataset.cols = String(cols.length);
    canvas.dataset.pairs = String(vis.length * cols.length);
    canvas.dataset.probes = String(st.cells.length);
  }

  function draw() {
    var m = cols.length, mr = vis.length;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, labelW + m * cs + 1, topH + mr * cs + 1);
    var sym = st.sym;
    var glyph = cs >= 14;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = Math.floor(cs * 0.62) + "px system-ui, 'DejaVu Sans', sans-serif";
    var gap = cs >= 6 ? 1 : 0;
    for (var r = 0; r < mr; r++) {
      var row = vis[r] * n;
      var y = topH + r * cs;
      for (var c = 0; c < m; c++) {
        var code = sym.charAt(row + cols[c]);
        ctx.fillStyle = COLOURS[code] || "#fff";
        ctx.fillRect(labelW + c * cs, y, cs - gap, cs - gap);
        if (glyph && code !== "e") {
          ctx.fillStyle = INK[code];
          ctx.fillText(LEGEND[code] ? LEGEND[code].symbol : "", labelW + c * cs + (cs - gap) / 2, y + (cs - gap) / 2 + 1);
        }
      }
    }
    if (labelW > 0) {
      ctx.fillStyle = "#0f172a";
      ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif";
      ctx.textAlign = "right";
      for (var i = 0; i < mr; i++) {
        ctx.fillText(clip(nodeText(vis[i]), labelW), labelW - 6, topH + i * cs + cs / 2);
      }
      ctx.save();
      ctx.textAlign = "left";
      for (var j = 0; j < m; j++) {
        ctx.save();
        ctx.translate(labelW + j * cs + cs / 2, topH - 6);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(clip(nodeText(cols[j]), topH), 0, 0);
        ctx.restore();
      }
      ctx.restore();
    }
    // Lines between kinds of node (endpoints, hosts, clients, internet).
    if (cs >= 4) {
      ctx.strokeStyle = "#334155";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (var kc = 1; kc < m; kc++) {
        if (st.nodes[cols[kc]][1] !== st.nodes[cols[kc - 1]][1]) {
          var xk = labelW + kc * cs - 0.5;
          ctx.moveTo(xk, topH);
          ctx.lineTo(xk, topH + mr * cs);
        }
      }
      for (var kr = 1; kr < mr; kr++) {
        if (st.nodes[vis[kr]][1] !== st.nodes[vis[kr - 1]][1]) {
          var yk = topH + kr * cs - 0.5;
          ctx.moveTo(labelW, yk);
          ctx.lineTo(labelW + m * cs, yk);
        }
      }
      ctx.stroke();
    }
    if (st.before && cs >= 5) {
      ctx.fillStyle = "#0f172a";
      var t = Math.max(3, Math.floor(cs * 0.38));
      for (var r2 = 0; r2 < mr; r2++) {
        var row2 = vis[r2] * n;
        for (var c2 = 0; c2 < m; c2++) {
          if (st.before.charAt(row2 + cols[c2]) !== ".") {
            var x0 = labelW + c2 * cs, y0 = topH + r2 * cs;
            ctx.beginPath();
            ctx.moveTo(x0, y0);
            ctx.lineTo(x0 + t, y0);
            ctx.lineTo(x0, y0 + t);
            ctx.closePath();
            ctx.fill();
          }
        }
      }
    }
    var mark = function (p, colour) {
      if (!p || pos[p[0]] < 0) return;
      ctx.fillStyle = "rgba(250, 204, 21, 0.18)";
      ctx.fillRect(labelW, topH + pos[p[0]] * cs, m * cs, cs);
      ctx.fillRect(labelW + p[1] * cs, topH, cs, mr * cs);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.strokeRect(labelW + p[1] * cs - 1, topH + pos[p[0]] * cs - 1, cs + 1, cs + 1);
    };
    mark(hover, "#64748b");
    mark(sel, "#0f172a");
  }

  function clip(t, w) {
    var max = Math.max(4, Math.floor((w - 10) / 6.2));
    return t.length > max ? t.slice(0, max - 1) + "…" : t;
  }

  function pairAt(clientX, clientY) {
    var b = canvas.getBoundingClientRect();
    var x = clientX - b.left - labelW, y = clientY - b.top - topH;
    if (x < 0 || y < 0) return null;
    var c = Math.floor(x / cs), r = Math.floor(y / cs);
    if (r >= vis.length || c >= cols.length) return null;
    return [vis[r], cols[c]];
  }

  function pairCells(r, c) {
    var out = [];
    for (var k = head[r * n + c]; k >= 0; k = next[k]) out.push(k);
    return out;
  }

  function counts(r, c) {
    var d = 0, t = 0;
    pairCells(r, c).forEach(function (k) { t++; if (st.cells[k][3] === 0) d++; });
    return d + "/" + t + " delivered";
  }

  canvas.addEventListener("mousemove", function (e) {
    var p = pairAt(e.clientX, e.clientY);
    if (!p) { tip.hidden = true; hover = null; draw(); return; }
    hover = p;
    var code = st.sym.charAt(p[0] * n + p[1]);
    tip.textContent = nodeText(p[0]) + " → " + nodeText(p[1]) + "  " + (LEGEND[code] ? LEGEND[code].symbol + " " : "") +
      (p[0] === p[1] ? "same node" : counts(p[0], p[1]));
    var wrap = canvas.parentNode.getBoundingClientRect();
    tip.style.left = (e.clientX - wrap.left + canvas.parentNode.scrollLeft + 14) + "px";
    tip.style.top = (e.clientY - wrap.top + canvas.parentNode.scrollTop + 12) + "px";
    tip.hidden = false;
    draw();
  });
  canvas.addEventListener("mouseleave", function () { tip.hidden = true; hover = null; draw(); });
  canvas.addEventListener("click", function (e) {
    var p = pairAt(e.clientX, e.clientY);
    if (p) select(p[0], p[1]);
  });
  canvas.addEventListener("keydown", function (e) {
    if (!sel) return;
    var r = pos[sel[0]], c = sel[1];
    if (e.key === "ArrowUp") r--; else if (e.key === "ArrowDown") r++;
    else if (e.key === "ArrowLeft") c--; else if (e.key === "ArrowRight") c++;
    else return;
    e.preventDefault();
    if (r >= 0 && c >= 0 && r < vis.length && c < cols.length) select(vis[r], cols[c]);
  });

  function clearDetail() {
    detail.textContent = "";
    delete detail.dataset.from;
    delete detail.dataset.to;
    detail.appendChild(el("p", "hint", "Click a cell to see how each probe gets there (or where it stops), hop by hop, with the SPEC facts behind every hop. Arrow keys move the selection."));
    highlight(null);
    // Pairs worth a look: disputed, undecided, mixed, and what this step changed.
    var order = { x: 0, u: 1, s: 2 };
    var list = [];
    for (var k = 0; k < n * n && list.length < 2000; k++) {
      var code = st.sym.charAt(k);
      var changed = st.before && st.before.charAt(k) !== ".";
      if (code in order || changed) list.push([changed ? -1 : order[code], k]);
    }
    if (!list.length) return;
    list.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    detail.appendChild(el("h4", null, "Pairs worth a look (" + list.length + (list.length >= 2000 ? "+" : "") + ")"));
    var ul = el("ul", "notable");
    list.slice(0, 40).forEach(function (e) {
      var r = Math.floor(e[1] / n), c = e[1] % n, code = st.sym.charAt(e[1]);
      var li = el("li");
      var a = el("a", null, (LEGEND[code] ? LEGEND[code].symbol : "") + " " + st.nodes[r][0] + " → " + st.nodes[c][0]);
      a.href = "#";
      a.addEventListener("click", function (ev) { ev.preventDefault(); select(r, c); });
      li.appendChild(a);
      if (e[0] === -1) li.appendChild(el("span", "m", "  changed by this step"));
      ul.appendChild(li);
    });
    detail.appendChild(ul);
  }

  function highlight(p) {
    if (!svg) return;
    Array.prototype.forEach.call(svg.querySelectorAll(".sel-from, .sel-to"), function (e) {
      e.classList.remove("sel-from", "sel-to");
    });
    if (!p) return;
    var mark = function (id, cls) {
      Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (e) {
        if (e.getAttribute("data-node") === id) e.classList.add(cls);
      });
    };
    mark(st.nodes[p[0]][0], "sel-from");
    mark(st.nodes[p[1]][0], "sel-to");
  }

  function nodeLine(i) {
    var nd = st.nodes[i];
    var bits = [nd[1]];
    if (nd[3]) bits.push("host " + nd[3]);
    if (nd[4]) bits.push("network " + nd[4] + (nd[5] ? " (" + nd[5] + ")" : ""));
    if (nd[6]) bits.push(nd[6]);
    if (nd[7]) bits.push("listens " + nd[7]);
    return bits.join(" · ");
  }

  function select(r, c) {
    sel = [r, c];
    draw();
    highlight(sel);
    detail.textContent = "";
    detail.dataset.from = st.nodes[r][0];
    detail.dataset.to = st.nodes[c][0];
    detail.appendChild(el("h3", null, st.nodes[r][0] + " → " + st.nodes[c][0]));
    detail.appendChild(el("div", "m", "from: " + nodeLine(r)));
    detail.appendChild(el("div", "m", "to: " + nodeLine(c)));
    if (st.before && st.before.charAt(r * n + c) !== ".") {
      var b = st.before.charAt(r * n + c), a = st.sym.charAt(r * n + c);
      detail.appendChild(el("div", "changed", "changed by this step: " + (LEGEND[b] ? LEGEND[b].symbol + " " + LEGEND[b].meaning : b) +
        " → " + (LEGEND[a] ? LEGEND[a].symbol + " " + LEGEND[a].meaning : a)));
    }
    var ks = pairCells(r, c);
    detail.dataset.probes = String(ks.length);
    if (r === c) { detail.appendChild(el("p", "hint", "Same node.")); return; }
    if (!ks.length) { detail.appendChild(el("p", "hint", "No probe was computed for this pair.")); return; }
    ks.forEach(function (k) { detail.appendChild(probeBox(st.cells[k])); });
  }

  function probeBox(c) {
    var outcome = ["delivered", "denied", "unknown"][c[3]];
    var box = el("div", "probe " + outcome + (c[10] >= 0 && S[c[10]] === "disagree" ? " disagree" : ""));
    var h = el("div", "head");
    h.appendChild(el("span", "name", S[c[2]]));
    var sym = c[3] === 0 ? "●" : c[3] === 1 ? "·" : "?";
    h.appendChild(el("span", "res " + outcome, sym + " " + outcome + (c[4] >= 0 ? ": " + S[c[4]] : "")));
    box.appendChild(h);
    if (c[5] >= 0) box.appendChild(el("div", "why", S[c[5]]));
    if (c[6] >= 0) {
      var u = el("div", "use");
      u.appendChild(el("b", null, c[3] === 0 ? "use " : "tried "));
      u.appendChild(el("code", null, S[c[6]]));
      box.appendChild(u);
    }
    var path = D.paths[c[7]];
    if (path && path.length) {
      var t = el("table", "hops");
      path.forEach(function (hi, i) {
        var hop = D.hops[hi];
        var tr = el("tr", S[hop[1]] === "drop" ? "drop" : null);
        tr.appendChild(el("td", "n", String(i + 1)));
        tr.appendChild(el("td", "at", S[hop[0]]));
        var m = el("td");
        m.appendChild(el("span", "mech", S[hop[1]]));
        tr.appendChild(m);
        tr.appendChild(el("td", null, S[hop[2]]));
        var f = el("td");
        factChips(f, S[hop[3]]);
        tr.appendChild(f);
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    if (S[c[8]]) {
      var fl = el("div", "obs");
      fl.appendChild(el("span", "m", "facts "));
      factChips(fl, S[c[8]]);
      box.appendChild(fl);
    }
    if (c[10] >= 0) {
      box.appendChild(el("div", "obs " + (S[c[10]] === "disagree" ? "verdict-disagree" : ""), "conformance: " + S[c[10]]));
    }
    if (c[9] >= 0) {
      var o = D.observations[c[9]];
      box.appendChild(el("div", "obs", "observed " + o.text));
      if (o.repro) {
        var rp = el("div", "obs");
        rp.appendChild(el("span", "m", "repro "));
        rp.appendChild(el("code", null, o.repro));
        box.appendChild(rp);
      }
    }
    return box;
  }

  function legend() {
    var lg = document.getElementById("legend");
    D.legend.forEach(function (l) {
      var item = el("span");
      var sw = el("span", "sw", l.code === "e" || l.code === "n" || l.code === "d" ? "" : l.symbol);
      sw.style.background = COLOURS[l.code];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(l.meaning));
      lg.appendChild(item);
    });
    lg.appendChild(el("span", null, "◤ changed by this timeline step"));
    lg.appendChild(el("span", null, "rows: source · columns: destination"));
  }

  D.states.forEach(function (s, i) {
    var o = el("option", null, (i + 1) + "/" + D.states.length + ": " + s.label +
      ((D.conformanceStates || []).indexOf(i) >= 0 ? " (probed)" : ""));
    o.value = String(i);
    stateSel.appendChild(o);
  });
  stateSel.addEventListener("change", function () { loadState(Number(stateSel.value)); });
  filterBox.addEventListener("input", function () { applyFilter(); });
  window.addEventListener("resize", function () { layout(); draw(); });
  legend();

  // Conformance rows and topology elements lead to the matrix.
  Array.prototype.forEach.call(document.querySelectorAll("section.conformance tr[data-from]"), function (tr) {
    tr.addEventListener("click", function () {
      var section = tr.closest("section.conformance");
      var probed = section ? Number(section.getAttribute("data-state")) : D.conformanceState;
      if (probed !== null && probed !== undefined && probed !== stIndex && probed < D.states.length) {
        stateSel.value = String(probed);
        loadState(probed);
      }
      filterBox.value = "";
      applyFilter();
      if (window.hnsim.select(tr.getAttribute("data-from"), tr.getAttribute("data-to"))) {
        document.getElementById("matrix-section").scrollIntoView();
      }
    });
  });
  if (svg) {
    Array.prototype.forEach.call(svg.querySelectorAll(".node[data-node]"), function (g) {
      g.addEventListener("click", function () {
        filterBox.value = g.getAttribute("data-node");
        applyFilter();
        document.getElementById("matrix-section").scrollIntoView();
      });
    });
  }

  function findNode(id) {
    for (var i = 0; i < n; i++) if (st.nodes[i][0] === id) return i;
    return -1;
  }

  // Public handle for scripted use and the self-test.
  window.hnsim = {
    data: D,
    select: function (from, to) {
      var r = findNode(from), c = findNode(to);
      if (r >= 0 && c >= 0) select(r, c);
      return r >= 0 && c >= 0;
    },
    pairs: function () { return vis.length * cols.length; },
  };

  if (D.states.length) {
    var start = D.conformanceState !== null && D.conformanceState !== undefined ? D.conformanceState : D["final"];
    stateSel.value = String(start);
    loadState(start);
  } else {
    detail.textContent = "No states were simulated.";
  }

  // Links into the page: #state=N (1-based), #filter=TEXT, #select=FROM|TO, joined
  // with &; #selftest runs the self-test.
  var params = {};
  location.hash.slice(1).split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    var k = i < 0 ? kv : kv.slice(0, i);
    params[decodeURIComponent(k)] = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
  });
  if (params.state && st) {
    var want = Number(params.state) - 1;
    if (want >= 0 && want < D.states.length) { stateSel.value = String(want); loadState(want); }
  }
  if (params.filter && st) { filterBox.value = params.filter; applyFilter(); }
  if (params.select && st) {
    var ends = params.select.split("|");
    window.hnsim.select(ends[0], ends[1]);
  }
  if ("selftest" in params) selfTest();

  // Clicks a cell the way a person would and reports what the page shows, for the
  // browser test (it reads #hnsim-selftest from the DOM).
  function selfTest() {
    var out = { states: D.states.length };
    var own = [];
    try {
      out.nodes = n;
      out.pairs = Number(canvas.dataset.pairs);
      out.probes = Number(canvas.dataset.probes);
      out.symLength = st.sym.length;
      out.symbols = {};
      for (var q = 0; q < st.sym.length; q++) {
        var sc = st.sym.charAt(q);
        out.symbols[sc] = (out.symbols[sc] || 0) + 1;
      }
      var target = -1;
      for (var k = 0; k < st.cells.length; k++) {
        if (D.paths[st.cells[k][7]].length) { target = k; break; }
      }
      if (target < 0) target = st.cells.length ? 0 : -1;
      if (target >= 0) {
        var c = st.cells[target];
        var b = canvas.getBoundingClientRect();
        var x = b.left + labelW + (c[1] + 0.5) * cs, y = b.top + topH + (pos[c[0]] + 0.5) * cs;
        canvas.dispatchEvent(new MouseEvent("click", { clientX: x, clientY: y, bubbles: true }));
        out.clicked = st.nodes[c[0]][0] + " -> " + st.nodes[c[1]][0];
        out.detailFrom = detail.dataset.from || null;
        out.detailTo = detail.dataset.to || null;
        out.detailProbes = detail.querySelectorAll(".probe").length;
        out.expectedProbes = pairCells(c[0], c[1]).length;
        out.hopRows = detail.querySelectorAll(".hops tr").length;
        out.facts = Array.prototype.map.call(detail.querySelectorAll(".fact"), function (f) { return f.textContent; });
        out.detailText = detail.textContent.slice(0, 2000);
        out.svgHighlighted = svg ? svg.querySelectorAll(".sel-from, .sel-to").length : 0;
      }
    } catch (e) {
      own.push("self-test: " + e);
    }
    out.errors = window.__hnsimErrors.slice().concat(own);
    var pre = document.getElementById("hnsim-selftest");
    pre.textContent = JSON.stringify(out);
    pre.dataset.status = out.errors.length ? "fail" : "done";
  }
})();
