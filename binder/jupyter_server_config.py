"""Binder's Jupyter server (copied to ~/.jupyter by postBuild): <binder>/classroom/ starts the classroom Voilà
on book/apps with the installed settings (pre-heated pools, culling, offline template, no tracebacks)."""
import os

c = get_config()  # noqa: F821 (given by Jupyter when it reads this file)
c.ServerProxy.servers = {
    "classroom": {
        "command": ["voila", "--no-browser", "--port={port}", "--Voila.ip=127.0.0.1",
                    "--Voila.base_url={base_url}classroom/", "book/apps"],
        "cwd": os.environ.get("REPO_DIR", os.getcwd()),
        "absolute_url": True,
        "timeout": 120,
        "launcher_entry": {"title": "CMV classroom apps"},
    }
}
