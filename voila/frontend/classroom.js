/* The classroom server's front end: draws a Voilà app page's outputs and keeps its widgets in sync with the
 * page's kernel, with the ipywidgets HTML manager and a plain kernel websocket, instead of Voilà's
 * JupyterLab-based front end (~4 MB of JavaScript in ~60 files loaded in waves before the kernel is even
 * contacted: 1.4 s of a 2.3 s time to interactive on the 2-core test machine). Bundled offline by esbuild
 * (voila/frontend/build.mjs) into the cmv-offline template's static folder, and loaded `defer`.
 *
 * 1. The page's footer (index.html.j2) has already opened the kernel's websocket and asked for every widget's
 *    state (ipywidgets' control comm, `request_states`) while this file was downloading: window.cmvKernel
 *    holds the socket and the messages received so far.
 * 2. A model is created for every widget state (as @jupyter-widgets/base-manager's _loadFromKernel does),
 *    each with a comm over that socket; widgets the kernel creates later (`comm_open`, e.g. a tab built when
 *    it is first opened) are added as they come.
 * 3. Every cell output the template left as JSON (<script type="application/vnd.voila.cell-output+json">) is
 *    drawn: widget views, HTML, text, and Plotly figures (plotly.js, self-hosted, loaded when a figure
 *    first needs it).
 * Knows nothing about drugs or calculators.
 */
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';
import { MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const PLOTLY = 'application/vnd.plotly.v1+json';
const OUTPUT = 'script[type="application/vnd.voila.cell-output+json"]';
const script = document.currentScript;
const STATIC = new URL('.', script.src).href;

/* ------------------------------------------------------------------------------ kernel messages */
const early = window.cmvKernel;
const comms = new Map();          // comm id -> Comm
const callbacks = new Map();      // msg id -> {iopub: {status, ...}, shell: {reply}}

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID().replace(/-/g, '') :
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Jupyter's websocket framing without a subprotocol: JSON text, or (with binary buffers) the legacy binary
 * frame [n][n offsets][JSON][buffers...], as jupyter_server's ZMQChannelsWebsocketConnection reads it. */
function encode(msg, buffers) {
  if (!buffers || !buffers.length) return JSON.stringify(msg);
  const parts = [new TextEncoder().encode(JSON.stringify(msg)),
    ...buffers.map((b) => new Uint8Array(b.buffer ? b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) : b))];
  const head = 4 * (parts.length + 1);
  const total = head + parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, parts.length);
  let offset = head;
  parts.forEach((p, i) => { view.setUint32(4 * (i + 1), offset); out.set(p, offset); offset += p.byteLength; });
  return out.buffer;
}

function decode(data) {
  if (typeof data === 'string') return JSON.parse(data);
  const view = new DataView(data);
  const n = view.getUint32(0);
  const offsets = Array.from({ length: n }, (_, i) => view.getUint32(4 * (i + 1)));
  const slice = (i) => data.slice(offsets[i], i + 1 < n ? offsets[i + 1] : data.byteLength);
  const msg = JSON.parse(new TextDecoder().decode(slice(0)));
  msg.buffers = Array.from({ length: n - 1 }, (_, i) => new DataView(slice(i + 1)));
  return msg;
}

function send(msgType, content, cbs, metadata, buffers) {
  const msg = { header: { msg_id: uuid(), msg_type: msgType, username: '', session: early.session,
                          date: new Date().toISOString(), version: '5.3' },
                parent_header: {}, metadata: metadata || {}, content, channel: 'shell', buffers: [] };
  if (cbs) callbacks.set(msg.header.msg_id, cbs);
  early.send(encode(msg, buffers));
  return msg.header.msg_id;
}

/** ipywidgets' view of a comm (IClassicComm) over the page's websocket. Messages that arrive before the model
 * has registered its handler (a widget the kernel has just created is built asynchronously, and the kernel
 * may already be updating it) wait for it, in order, as in JupyterLab's comms. */
class Comm {
  constructor(id, target) {
    this.comm_id = id;
    this.target_name = target;
    this._onMsg = null;
    this._onClose = null;
    this._waiting = [];
    comms.set(id, this);
  }

  _receive(msg) {
    if (this._onMsg) this._onMsg(msg);
    else this._waiting.push(msg);
  }

  open(data, cbs, metadata, buffers) {
    return send('comm_open', { comm_id: this.comm_id, target_name: this.target_name, data }, cbs, metadata, buffers);
  }

  send(data, cbs, metadata, buffers) {
    return send('comm_msg', { comm_id: this.comm_id, data }, cbs, metadata, buffers);
  }

  close(data, cbs, metadata, buffers) {
    comms.delete(this.comm_id);
    return send('comm_close', { comm_id: this.comm_id, data: data || {} }, cbs, metadata, buffers);
  }

  on_msg(fn) {
    this._onMsg = fn;
    for (const msg of this._waiting.splice(0)) fn(msg);
  }

  on_close(fn) { this._onClose = fn; }
}

class ClassroomManager extends HTMLManager {
  constructor() {
    super({ loader: (module) => Promise.reject(new Error(`${module} is not available on the classroom server`)) });
    this.renderMime.addFactory({ safe: true, mimeTypes: [PLOTLY], createRenderer: () => new PlotlyRenderer() }, -1);
  }

  async _create_comm(target, modelId, data, metadata, buffers) {
    const comm = new Comm(modelId || uuid(), target);
    if (data !== undefined) comm.open(data, undefined, metadata, buffers);
    return comm;
  }

  _get_comm_info() {
    return Promise.resolve({});
  }
}

const manager = new ClassroomManager();
window.cmvClassroom = { manager };

function route(msg) {
  const parent = (msg.parent_header || {}).msg_id;
  const cbs = parent && callbacks.get(parent);
  const type = msg.header.msg_type;
  if (msg.channel === 'iopub') {
    if (type === 'comm_open') {
      // a widget already loaded from the states (it was created after the page connected and before the kernel
      // answered request_states): the states are newer than this message, and its updates follow as comm_msg
      if (msg.content.target_name === 'jupyter.widget' && !manager.has_model(msg.content.comm_id)) {
        manager.handle_comm_open(new Comm(msg.content.comm_id, msg.content.target_name), msg);
      }
    } else if (type === 'comm_msg') {
      const comm = comms.get(msg.content.comm_id);
      if (comm) comm._receive(msg);
    } else if (type === 'comm_close') {
      const comm = comms.get(msg.content.comm_id);
      comms.delete(msg.content.comm_id);
      if (comm && comm._onClose) comm._onClose(msg);
    } else if (type === 'error') {
      console.error('kernel error', msg.content.ename, msg.content.evalue);
    }
    if (cbs && cbs.iopub) {
      const fn = type === 'status' ? cbs.iopub.status : cbs.iopub.output;
      if (fn) fn(msg);
      if (type === 'status' && msg.content.execution_state === 'idle') callbacks.delete(parent);
    }
  } else if (msg.channel === 'shell' && cbs && cbs.shell && cbs.shell.reply) {
    cbs.shell.reply(msg);
  }
}

/* ------------------------------------------------------------------------------- widget states */
async function loadStates(reply) {
  const data = reply.content.data;
  const buffers = (reply.buffers || []).map((b) => (b instanceof DataView ? b : new DataView(b.buffer || b)));
  const paths = {};
  (data.buffer_paths || []).forEach(([id, ...path], i) => { (paths[id] = paths[id] || []).push([path, buffers[i]]); });
  await Promise.all(Object.entries(data.states).map(async ([id, state]) => {
    if (manager.has_model(id)) return;
    for (const [path, buffer] of paths[id] || []) {
      let obj = state.state;
      path.slice(0, -1).forEach((k) => { obj = obj[k]; });
      obj[path[path.length - 1]] = buffer;
    }
    try {
      await manager.new_model({ model_name: state.model_name, model_module: state.model_module,
                                model_module_version: state.model_module_version, model_id: id,
                                comm: new Comm(id, 'jupyter.widget') }, state.state);
    } catch (error) {
      console.error(error);   // one model that fails must not keep the others from drawing
    }
  }));
}

/* ------------------------------------------------------------------------------------ outputs */
let plotly = null;
function loadPlotly() {
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = `${STATIC}plotly.min.js`;
      tag.onload = () => resolve(window.Plotly);
      tag.onerror = () => reject(new Error('plotly.js could not be loaded'));
      document.head.appendChild(tag);
    });
  }
  return plotly;
}

/** A Plotly figure as a renderer of the widgets' output areas (a Lumino widget, as JupyterLab's are). */
class PlotlyRenderer extends Widget {
  constructor() {
    super();
    this.addClass('cmv-plotly');
  }

  async renderModel(model) {
    const figure = model.data[PLOTLY];
    const Plotly = await loadPlotly();
    await Plotly.react(this.node, figure.data || [], figure.layout || {},
                       { responsive: true, displaylogo: false, ...(figure.config || {}) });
  }

  dispose() {
    if (!this.isDisposed && window.Plotly) window.Plotly.purge(this.node);
    super.dispose();
  }
}

async function drawOutput(tag) {
  let output;
  try {
    output = JSON.parse(tag.textContent);
  } catch (error) {
    return;
  }
  const host = document.createElement('div');
  host.className = 'cmv-output';
  tag.replaceWith(host);
  const data = output.data || {};
  if (data[WIDGET_VIEW]) {
    const id = data[WIDGET_VIEW].model_id;
    if (!manager.has_model(id)) return;        // the widget was closed before the page loaded
    const model = await manager.get_model(id);
    await manager.display_view(manager.create_view(model), host);
  } else if (output.output_type === 'stream') {
    host.innerHTML = '<pre></pre>';
    host.firstChild.textContent = output.text;
  } else if (output.output_type === 'error') {
    host.innerHTML = '<pre class="cmv-error"></pre>';
    host.firstChild.textContent = `${output.ename}: ${output.evalue}`;
  } else {
    const mime = manager.renderMime.preferredMimeType(data, 'any');
    if (!mime) return;
    if (mime === PLOTLY) {
      const renderer = new PlotlyRenderer();
      host.appendChild(renderer.node);
      await renderer.renderModel({ data });
      return;
    }
    const renderer = manager.renderMime.createRenderer(mime);
    await renderer.renderModel(new MimeModel({ data, metadata: output.metadata || {}, trusted: true }));
    host.appendChild(renderer.node);
  }
}

/** The socket's messages, decoded, in order. Until the widget states are loaded, the others are held back
 * (they may update models that do not exist yet) and handled right after, in the order they came. */
let loaded = false;
const held = [];
const statesReply = new Promise((resolve, reject) => {
  let found = false;
  early.listener = () => {
    for (const raw of early.inbox.splice(0)) {
      const msg = decode(raw);
      if (loaded) {
        route(msg);
      } else if (!found && msg.header.msg_type === 'comm_msg' && msg.content.comm_id === early.control) {
        found = true;
        resolve(msg);
      } else {
        held.push(msg);
      }
    }
  };
  early.ws.addEventListener('close', () => { if (!found) reject(new Error('the kernel closed the connection')); });
  setTimeout(() => { if (!found) reject(new Error('no widget states from the kernel within 60 s')); }, 60000);
});

async function start() {
  performance.mark('cmv-classroom-script');
  early.listener();
  await loadStates(await statesReply);
  loaded = true;
  send('comm_close', { comm_id: early.control, data: {} });
  for (const msg of held.splice(0)) route(msg);
  await Promise.all(Array.from(document.querySelectorAll(OUTPUT), (tag) => drawOutput(tag).catch(console.error)));
  early.ws.addEventListener('close', lost);
  document.body.setAttribute('data-cmv-classroom', 'ready');
  performance.mark('cmv-classroom-ready');
}

function alertNote(text) {
  const note = document.createElement('p');
  note.className = 'cmv-classroom-alert';
  note.setAttribute('role', 'alert');
  note.textContent = text;
  document.body.prepend(note);
}

function lost() {
  if (document.visibilityState === 'hidden') return;     // the tab is closing
  alertNote('The connection to this app\'s Python kernel was lost (the server may have stopped or ended an idle '
    + 'session): reload the page to start again.');
}

start().catch((error) => {
  console.error(error);
  document.body.setAttribute('data-cmv-classroom', 'failed');
  alertNote('This app could not connect to its Python kernel. Reload the page; if it happens again, tell the '
    + 'instructor (the server may be full or stopped).');
});
