"""The printable book and the case handouts (``make pdf``): Chromium prints the built pages, pypdf merges them."""
