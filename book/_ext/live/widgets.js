/* The ipywidgets HTML manager for the live embedder (page.js), bundled apart by build.mjs into
 * embed-live-widgets.js (+ .css, Font Awesome fonts): page.js fetches it only when it draws the widgets. */
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';
import { renderWidgets } from '@jupyter-widgets/html-manager/lib/libembed';

window.cmvWidgetManager = { HTMLManager, renderWidgets };
