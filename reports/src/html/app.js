// hnsim report page: draws the embedded matrix as a heatmap on a canvas and shows the
// path of the clicked pair. Data comes from the JSON element #hnsim-data (see
// html/data.rs for its layout): the answers are stored once with tokens for the two
// ends' own address and name, and each pair of classes names its list of answers, so
// a pair's cells are made here when they are shown. Up to D.maxNodes nodes the heatmap
// has a square per node pair; beyond, one per pair of classes, grouped by network.
// No network access, no external code.
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
  var k = 0;            // classes in the state
  var byClass = false;  // one square per pair of classes
  var classOf = null;   // node -> class
  var classList = null; // class pair -> list (or -1)
  var own = null;       // node pair key -> list
  var probed = null;    // "from,to,probe" -> [observation, verdict]
  var vis = [];         // visible rows (nodes, or classes by class)
  var cols = [];        // columns: every node, or every class in drawing order
  var pos = null;       // row item -> position in vis, or -1
  var cs = 10, labelW = 0, topH = 0;
  var sel = null;       // [row item, column position]
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

  function nodeId(i) { return st.nodes[i][0]; }

  function className(c) {
    var m = st.classes[c];
    return nodeId(m[0]) + (m.length > 1 ? " +" + (m.length - 1) + " more" : "");
  }

  // The label of a row or column item.
  function itemText(i) { return byClass ? className(i) : nodeId(i); }

  // The symbol code of row item r and column item c.
  function code(r, c) {
    return byClass ? st.csym.charAt(r * k + c) : st.sym.charAt(r * n + c);
  }

  // The list of answers of node s to node t, or -1.
  function pairList(s, t) {
    if (s === t) return -1;
    var o = own.get(s * n + t);
    if (o !== undefined) return o;
    return classList[classOf[s] * k + classOf[t]];
  }

  function loadState(i) {
    stIndex = i;
    st = D.states[i];
    n = st.nodes.length;
    k = st.classes.length;
    byClass = !st.sym;
    classOf = new Int32Array(n);
    st.classes.forEach(function (m, c) { m.forEach(function (x) { classOf[x] = c; }); });
    classList = new Int32Array(k * k).fill(-1);
    st.pairs.forEach(function (p) { classList[p[0] * k + p[1]] = p[2]; });
    own = new Map();
    st.own.forEach(function (p) { own.set(p[0] * n + p[1], p[2]); });
    probed = new Map();
    st.obs.forEach(function (o) { probed.set(o[0] + "," + o[1] + "," + S[o[2]], [o[3], o[4]]); });
    var s = st.summary;
    document.getElementById("summary").textContent =
      s[0] + " delivered · " + s[1] + " denied · " + s[2] + " unknown of " + st.total + " probes over " + n + " nodes" +
      (byClass ? " in " + k + " classes (one square per pair of classes)" : "") +
      (st.reasons.length ? " — denied by reason: " + st.reasons.map(function (r) { return r[0] + " " + r[1]; }).join(", ") : "");
    sel = null;
    applyFilter();
    clearDetail();
    if (st.hint) {
      // A state of a long timeline kept as what its step changed: no matrix to draw.
      detail.textContent = "";
      detail.appendChild(el("p", null, st.hint));
      detail.appendChild(el("pre", null, st.changes.length ? st.changes.join("\n") : "No pair changed since the previous state."));
    }
  }

  function applyFilter() {
    var q = (filterBox.value || "").trim().toLowerCase();
    var items = byClass ? st.order : st.nodes.map(function (_, i) { return i; });
    var matches = function (i) {
      if (!q) return true;
      if (!byClass) return st.nodes[i].join(" ").toLowerCase().indexOf(q) >= 0;
      var m = st.classes[i];
      for (var j = 0; j < m.length && j < 5000; j++) {
        if (st.nodes[m[j]].join(" ").toLowerCase().indexOf(q) >= 0) return true;
      }
      return false;
    };
    cols = items.slice();
    vis = [];
    pos = new Int32Array(byClass ? k : n).fill(-1);
    items.forEach(function (i) {
      if (matches(i)) { pos[i] = vis.length; vis.push(i); }
    });
    layout();
    draw();
  }

  function layout() {
    var m = Math.max(cols.length, 1), mr = vis.length;
    var avail = Math.max(320, Math.floor(window.innerWidth * 0.6) - 4);
    var longest = 0;
    cols.forEach(function (i) { longest = Math.max(longest, itemText(i).length); });
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
    canvas.dataset.probes = String(st.total);
    canvas.dataset.byClass = String(byClass);
  }

  // What separates groups of rows and columns: the kind of node, or by class the
  // network.
  function group(i) {
    if (!byClass) return st.nodes[i][1];
    var nd = st.nodes[st.classes[i][0]];
    return nd[1] + " " + nd[4];
  }

  function draw() {
    var m = cols.length, mr = vis.length;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, labelW + m * cs + 1, topH + mr * cs + 1);
    var glyph = cs >= 14;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = Math.floor(cs * 0.62) + "px system-ui, 'DejaVu Sans', sans-serif";
    var gap = cs >= 6 ? 1 : 0;
    for (var r = 0; r < mr; r++) {
      var y = topH + r * cs;
      for (var c = 0; c < m; c++) {
        var sc = code(vis[r], cols[c]);
        ctx.fillStyle = COLOURS[sc] || "#fff";
        ctx.fillRect(labelW + c * cs, y, cs - gap, cs - gap);
        if (glyph && sc !== "e") {
          ctx.fillStyle = INK[sc];
          ctx.fillText(LEGEND[sc] ? LEGEND[sc].symbol : "", labelW + c * cs + (cs - gap) / 2, y + (cs - gap) / 2 + 1);
        }
      }
    }
    if (labelW > 0) {
      ctx.fillStyle = "#0f172a";
      ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif";
      ctx.textAlign = "right";
      for (var i = 0; i < mr; i++) {
        ctx.fillText(clip(itemText(vis[i]), labelW), labelW - 6, topH + i * cs + cs / 2);
      }
      ctx.save();
      ctx.textAlign = "left";
      for (var j = 0; j < m; j++) {
        ctx.save();
        ctx.translate(labelW + j * cs + cs / 2, topH - 6);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(clip(itemText(cols[j]), topH), 0, 0);
        ctx.restore();
      }
      ctx.restore();
    }
    if (cs >= 4) {
      ctx.strokeStyle = "#334155";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (var kc = 1; kc < m; kc++) {
        if (group(cols[kc]) !== group(cols[kc - 1])) {
          var xk = labelW + kc * cs - 0.5;
          ctx.moveTo(xk, topH);
          ctx.lineTo(xk, topH + mr * cs);
        }
      }
      for (var kr = 1; kr < mr; kr++) {
        if (group(vis[kr]) !== group(vis[kr - 1])) {
          var yk = topH + kr * cs - 0.5;
          ctx.moveTo(labelW, yk);
          ctx.lineTo(labelW + m * cs, yk);
        }
      }
      ctx.stroke();
    }
    if (!byClass && st.before && cs >= 5) {
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

  // [row item, column position] under the pointer.
  function pairAt(clientX, clientY) {
    var b = canvas.getBoundingClientRect();
    var x = clientX - b.left - labelW, y = clientY - b.top - topH;
    if (x < 0 || y < 0) return null;
    var c = Math.floor(x / cs), r = Math.floor(y / cs);
    if (r >= vis.length || c >= cols.length) return null;
    return [vis[r], c];
  }

  function listText(list) {
    if (list < 0) return "no probe";
    var d = 0, all = D.lists[list];
    all.forEach(function (e) { if (D.answers[e[1]][0] === 0) d++; });
    return d + "/" + all.length + " delivered";
  }

  function classPairs(a, b) {
    var sa = st.classes[a].length, sb = st.classes[b].length;
    return a === b ? sa * (sa - 1) : sa * sb;
  }

  canvas.addEventListener("mousemove", function (e) {
    var p = pairAt(e.clientX, e.clientY);
    if (!p) { tip.hidden = true; hover = null; draw(); return; }
    hover = p;
    var r = p[0], c = cols[p[1]];
    var sc = code(r, c);
    var what;
    if (byClass) what = listText(classList[r * k + c]) + ", " + classPairs(r, c) + " node pairs";
    else what = r === c ? "same node" : listText(pairList(r, c));
    tip.textContent = itemText(r) + " → " + itemText(c) + "  " + (LEGEND[sc] ? LEGEND[sc].symbol + " " : "") + what;
    var wrap = canvas.parentNode.getBoundingClientRect();
    tip.style.left = (e.clientX - wrap.left + canvas.parentNode.scrollLeft + 14) + "px";
    tip.style.top = (e.clientY - wrap.top + canvas.parentNode.scrollTop + 12) + "px";
    tip.hidden = false;
    draw();
  });
  canvas.addEventListener("mouseleave", function () { tip.hidden = true; hover = null; draw(); });
  canvas.addEventListener("click", function (e) {
    var p = pairAt(e.clientX, e.clientY);
    if (p) choose(p[0], p[1]);
  });
  canvas.addEventListener("keydown", function (e) {
    if (!sel) return;
    var r = pos[sel[0]], c = sel[1];
    if (e.key === "ArrowUp") r--; else if (e.key === "ArrowDown") r++;
    else if (e.key === "ArrowLeft") c--; else if (e.key === "ArrowRight") c++;
    else return;
    e.preventDefault();
    if (r >= 0 && c >= 0 && r < vis.length && c < cols.length) choose(vis[r], c);
  });

  // A square was chosen: a node pair, or a class pair.
  function choose(r, c) {
    if (byClass) selectClasses(r, cols[c]);
    else select(r, cols[c]);
  }

  function clearDetail() {
    detail.textContent = "";
    delete detail.dataset.from;
    delete detail.dataset.to;
    detail.appendChild(el("p", "hint", byClass ?
      "Each square stands for every pair of a node of its row's class with a node of its column's class: the simulator answers them alike. Click one to pick two of its nodes and see how each probe gets there, hop by hop." :
      "Click a cell to see how each probe gets there (or where it stops), hop by hop, with the SPEC facts behind every hop. Arrow keys move the selection."));
    highlight(null);
    // Pairs worth a look: disputed, undecided, mixed, and what this step changed.
    var order = { x: 0, u: 1, s: 2 };
    var list = [];
    var m = byClass ? k : n;
    for (var q = 0; q < m * m && list.length < 2000; q++) {
      var sc = byClass ? st.csym.charAt(q) : st.sym.charAt(q);
      var changed = !byClass && st.before && st.before.charAt(q) !== ".";
      if (sc in order || changed) list.push([changed ? -1 : order[sc], q]);
    }
    if (!list.length) return;
    list.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    detail.appendChild(el("h4", null, "Pairs worth a look (" + list.length + (list.length >= 2000 ? "+" : "") + ")"));
    var ul = el("ul", "notable");
    list.slice(0, 40).forEach(function (e) {
      var r = Math.floor(e[1] / m), c = e[1] % m, sc = code(r, c);
      var li = el("li");
      var a = el("a", null, (LEGEND[sc] ? LEGEND[sc].symbol : "") + " " + itemText(r) + " → " + itemText(c));
      a.href = "#";
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        if (byClass) selectClasses(r, c); else select(r, c);
      });
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
    mark(nodeId(p[0]), "sel-from");
    mark(nodeId(p[1]), "sel-to");
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

  // The probes of node s to node t, shown below the detail's header.
  function showPair(s, t, into) {
    highlight([s, t]);
    detail.dataset.from = nodeId(s);
    detail.dataset.to = nodeId(t);
    into.appendChild(el("div", "m", "from: " + nodeLine(s)));
    into.appendChild(el("div", "m", "to: " + nodeLine(t)));
    var list = pairList(s, t);
    var entries = list >= 0 ? D.lists[list] : [];
    detail.dataset.probes = String(entries.length);
    if (s === t) { into.appendChild(el("p", "hint", "Same node.")); return; }
    if (!entries.length) { into.appendChild(el("p", "hint", "No probe was computed for this pair.")); return; }
    entries.forEach(function (e) { into.appendChild(probeBox(s, t, S[e[0]], e[1])); });
  }

  function select(r, c) {
    sel = [r, Math.max(0, cols.indexOf(c))];
    draw();
    detail.textContent = "";
    detail.appendChild(el("h3", null, nodeId(r) + " → " + nodeId(c)));
    if (st.before && st.before.charAt(r * n + c) !== ".") {
      var b = st.before.charAt(r * n + c), a = st.sym.charAt(r * n + c);
      detail.appendChild(el("div", "changed", "changed by this step: " + (LEGEND[b] ? LEGEND[b].symbol + " " + LEGEND[b].meaning : b) +
        " → " + (LEGEND[a] ? LEGEND[a].symbol + " " + LEGEND[a].meaning : a)));
    }
    showPair(r, c, detail);
  }

  // A pair of classes: pick a source and a destination among their members (the
  // first pair answered as the class pair by default) and show that pair's probes.
  function selectClasses(a, b, from, to) {
    sel = [a, Math.max(0, cols.indexOf(b))];
    draw();
    detail.textContent = "";
    detail.appendChild(el("h3", null, className(a) + " → " + className(b)));
    detail.appendChild(el("div", "m", "stands for " + classPairs(a, b) + " node pairs (" +
      st.classes[a].length + " × " + st.classes[b].length + "), answered alike up to their own addresses and names"));
    var ma = st.classes[a], mb = st.classes[b];
    if (from === undefined) {
      var list = classList[a * k + b];
      outer: for (var i = 0; i < ma.length; i++) {
        for (var j = 0; j < mb.length && j < 64; j++) {
          if (ma[i] !== mb[j] && (list < 0 || pairList(ma[i], mb[j]) === list)) { from = ma[i]; to = mb[j]; break outer; }
        }
      }
      if (from === undefined) { from = ma[0]; to = mb[0]; }
    }
    var pick = function (members, chosen) {
      var box = el("select");
      members.slice(0, 1000).forEach(function (m) {
        var o = el("option", null, nodeId(m));
        o.value = String(m);
        if (m === chosen) o.selected = true;
        box.appendChild(o);
      });
      return box;
    };
    var row = el("div", "toolbar");
    var fs = pick(ma, from), ts = pick(mb, to);
    var l1 = el("label", null, "from "), l2 = el("label", null, "to ");
    l1.appendChild(fs);
    l2.appendChild(ts);
    row.appendChild(l1);
    row.appendChild(l2);
    if (ma.length > 1000 || mb.length > 1000) row.appendChild(el("span", "m", "(first 1000 members listed)"));
    detail.appendChild(row);
    var body = el("div");
    detail.appendChild(body);
    var show = function () {
      body.textContent = "";
      showPair(Number(fs.value), Number(ts.value), body);
    };
    fs.addEventListener("change", show);
    ts.addEventListener("change", show);
    show();
  }

  function subst(text, s, t) {
    if (text.indexOf("{") < 0) return text;
    var ip = function (i) { return st.nodes[i][6] || "(no address)"; };
    return text.split("{s.ip}").join(ip(s)).split("{d.ip}").join(ip(t))
      .split("{s.name}").join(st.nodes[s][8]).split("{d.name}").join(st.nodes[t][8]);
  }

  // `10.0.0.5:80 (container IP; also by name web)`, as the other formats write it.
  function addressText(a, s, t) {
    var tmpl = a[3];
    if (tmpl === -1) return null;
    var value;
    if (tmpl[1] >= 0) value = S[tmpl[1]];
    else {
      var ip = st.nodes[t][6];
      if (!ip || st.nodes[t][1] !== "endpoint") return null;
      value = tmpl[2] < 0 ? ip : (ip.indexOf(":") >= 0 ? "[" + ip + "]" : ip) + ":" + tmpl[2];
    }
    return value + " (" + S[tmpl[0]] + (a[4] >= 0 ? "; also by name " + subst(S[a[4]], s, t) : "") + ")";
  }

  function probeBox(s, t, probe, id) {
    var a = D.answers[id];
    var outcome = ["delivered", "denied", "unknown"][a[0]];
    var p = probed.get(s + "," + t + "," + probe);
    var verdict = p && p[1] >= 0 ? S[p[1]] : null;
    var box = el("div", "probe " + outcome + (verdict === "disagree" ? " disagree" : ""));
    var h = el("div", "head");
    h.appendChild(el("span", "name", probe));
    var sym = a[0] === 0 ? "●" : a[0] === 1 ? "·" : "?";
    h.appendChild(el("span", "res " + outcome, sym + " " + outcome + (a[1] >= 0 ? ": " + S[a[1]] : "")));
    box.appendChild(h);
    if (a[2] >= 0) box.appendChild(el("div", "why", subst(S[a[2]], s, t)));
    var addr = addressText(a, s, t);
    if (addr) {
      var u = el("div", "use");
      u.appendChild(el("b", null, a[0] === 0 ? "use " : "tried "));
      u.appendChild(el("code", null, addr));
      box.appendChild(u);
    }
    var path = D.paths[a[5]];
    if (path && path.length) {
      var tb = el("table", "hops");
      path.forEach(function (hi, i) {
        var hop = D.hops[hi];
        var tr = el("tr", S[hop[1]] === "drop" ? "drop" : null);
        tr.appendChild(el("td", "n", String(i + 1)));
        tr.appendChild(el("td", "at", subst(S[hop[0]], s, t)));
        var m = el("td");
        m.appendChild(el("span", "mech", S[hop[1]]));
        tr.appendChild(m);
        tr.appendChild(el("td", null, subst(S[hop[2]], s, t)));
        var f = el("td");
        factChips(f, S[hop[3]]);
        tr.appendChild(f);
        tb.appendChild(tr);
      });
      box.appendChild(tb);
    }
    if (S[a[6]]) {
      var fl = el("div", "obs");
      fl.appendChild(el("span", "m", "facts "));
      factChips(fl, S[a[6]]);
      box.appendChild(fl);
    }
    if (verdict) {
      box.appendChild(el("div", "obs " + (verdict === "disagree" ? "verdict-disagree" : ""), "conformance: " + verdict));
    }
    if (p && p[0] >= 0) {
      var o = D.observations[p[0]];
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
      if (r < 0 || c < 0) return false;
      if (byClass) selectClasses(classOf[r], classOf[c], r, c); else select(r, c);
      return true;
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
    var key = i < 0 ? kv : kv.slice(0, i);
    params[decodeURIComponent(key)] = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
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

  // Clicks a square the way a person would and reports what the page shows, for the
  // browser test (it reads #hnsim-selftest from the DOM).
  function selfTest() {
    var out = { states: D.states.length };
    var mine = [];
    try {
      out.nodes = n;
      out.classes = k;
      out.byClass = byClass;
      out.pairs = Number(canvas.dataset.pairs);
      out.probes = Number(canvas.dataset.probes);
      var sym = byClass ? st.csym : st.sym;
      out.symLength = sym.length;
      out.symbols = {};
      for (var q = 0; q < sym.length; q++) {
        var sc = sym.charAt(q);
        out.symbols[sc] = (out.symbols[sc] || 0) + 1;
      }
      // The first square whose pair has a path to show.
      var target = null;
      var m = byClass ? k : n;
      for (var r = 0; r < m && !target; r++) {
        for (var c = 0; c < m && !target; c++) {
          var list = byClass ? classList[r * k + c] : pairList(r, c);
          if (list >= 0 && D.lists[list].some(function (e) { return D.paths[D.answers[e[1]][5]].length; })) target = [r, c];
        }
      }
      if (target) {
        var b = canvas.getBoundingClientRect();
        var x = b.left + labelW + (cols.indexOf(target[1]) + 0.5) * cs, y = b.top + topH + (pos[target[0]] + 0.5) * cs;
        canvas.dispatchEvent(new MouseEvent("click", { clientX: x, clientY: y, bubbles: true }));
        out.clicked = itemText(target[0]) + " -> " + itemText(target[1]);
        out.detailFrom = detail.dataset.from || null;
        out.detailTo = detail.dataset.to || null;
        out.detailProbes = detail.querySelectorAll(".probe").length;
        out.expectedProbes = Number(detail.dataset.probes);
        out.hopRows = detail.querySelectorAll(".hops tr").length;
        out.facts = Array.prototype.map.call(detail.querySelectorAll(".fact"), function (f) { return f.textContent; });
        out.detailText = detail.textContent.slice(0, 4000);
        out.svgHighlighted = svg ? svg.querySelectorAll(".sel-from, .sel-to").length : 0;
      }
    } catch (e) {
      mine.push("self-test: " + e);
    }
    out.errors = window.__hnsimErrors.slice().concat(mine);
    var pre = document.getElementById("hnsim-selftest");
    pre.textContent = JSON.stringify(out);
    pre.dataset.status = out.errors.length ? "fail" : "done";
  }
})();
