"""The kernel's share of one classroom round trip, in-process (not a test): figures for bench/README.md.

Builds a Voilà app the way its notebook does (its code cells run here, with a stand-in for the kernel's comm
that serialises each message as ipykernel would, in JSON, and counts it), then sends the first tab's weight
box the update a browser sends (``comm_msg`` ``update`` of ``value``, through ``Widget._handle_msg``) and reports
the CPU time per update (median of repeats), and the messages and bytes the kernel sends back per update.

Used to tell the kernel's work from the server's and the machine's noise in the 30-session figure
(bench/README.md, "30 protocol clients"). To compare with another checkout, run that checkout's copy of the
notebook with its ``cmvlib`` first on the path:
``PYTHONPATH=<checkout> python bench/bench_kernel_update.py --notebook <checkout>/book/apps/dosing_workbench.ipynb``

Usage: ``python bench/bench_kernel_update.py [--notebook book/apps/dosing_workbench.ipynb] [--updates 400]``
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import comm

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ("70", "83")


class CountingComm(comm.base_comm.BaseComm):
    """A comm that sends nowhere but serialises and counts what the kernel would send."""

    kernel = True           # ipywidgets sends only through a comm with a kernel
    messages = 0
    bytes = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):  # noqa: ANN001
        CountingComm.messages += 1
        CountingComm.bytes += len(json.dumps({"msg_type": msg_type, "data": data, "metadata": metadata}, default=str))


def build(notebook: Path):
    """Run the app notebook's code cells; the widget its last cell shows."""
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    namespace: dict = {}
    for cell in cells:
        exec(compile("".join(cell["source"]), str(notebook), "exec"), namespace)  # noqa: S102 - our notebook
    last = "".join(cells[-1]["source"]).strip().splitlines()[-1]
    return eval(last, namespace)  # noqa: S307 - our notebook's last expression


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebook", type=Path, default=ROOT / "book" / "apps" / "dosing_workbench.ipynb")
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    comm.create_comm = CountingComm
    import ipywidgets as widgets
    import cmvlib

    app = build(args.notebook)
    first = app.children[0]
    weight = next(w for w in walk(first) if isinstance(w, widgets.Text) and w.description == "Weight (kg)")

    def update(i: int) -> None:
        weight._handle_msg({"content": {"data": {"method": "update", "state": {"value": WEIGHTS[i % 2]},
                                                 "buffer_paths": []}}, "buffers": []})

    for i in range(20):
        update(i)
    cpu, messages, sent = [], [], []
    for _ in range(args.repeat):
        CountingComm.messages = CountingComm.bytes = 0
        start = time.process_time()
        for i in range(args.updates):
            update(i)
        cpu.append((time.process_time() - start) / args.updates * 1000)
        messages.append(CountingComm.messages / args.updates)
        sent.append(CountingComm.bytes / args.updates)
    models = sum(1 for _ in walk(app))
    print(f"{cmvlib.__file__}: {args.notebook.name}, {models} widgets in the tree")
    print(f"  CPU per weight update: median {statistics.median(cpu):.3f} ms (min {min(cpu):.3f}, max {max(cpu):.3f}, "
          f"n={args.repeat}x{args.updates}); sent per update: {statistics.median(messages):.1f} messages, "
          f"{statistics.median(sent):.0f} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
