"""Serve the chat page (``web/``) on 127.0.0.1: static files plus ``/config.js`` telling the widget where Rasa is.

    python scripts/serve_web.py --port 8080 --rasa-url http://127.0.0.1:5005

Nothing is fetched from elsewhere: the page, the widget bundle and its assets are files under ``web/``. A
Content-Security-Policy limits scripts, styles, fonts and images to this origin and connections to this origin
and the Rasa server, so a page that tried to load anything from outside would fail visibly in the browser.
"""
from __future__ import annotations

import argparse
import functools
import json
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

WEB = Path(__file__).resolve().parent.parent / "web"


def csp(rasa_url: str) -> str:
    """The page's Content-Security-Policy: everything from this origin, connections also to the Rasa server.

    Scripts only from files here (no inline script, no ``eval``, no ``javascript:`` URLs), so text that reached
    the page as HTML could not run anything; styles may be inline because the widget injects its CSS as
    ``<style>`` elements; images and fonts from here or ``data:`` (the carousel's icon font is inlined); no plugins, frames, form posts elsewhere or framing.
    """
    rasa = urlsplit(rasa_url)
    rasa_origin = f"{rasa.scheme}://{rasa.netloc}"
    ws_origin = f"{'wss' if rasa.scheme == 'https' else 'ws'}://{rasa.netloc}"
    return ("default-src 'self'; script-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            f"font-src 'self' data:; connect-src 'self' {rasa_origin} {ws_origin}; frame-src 'none'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


# Served paths must not reach the build's inputs and outputs that are not part of the page.
HIDDEN_PARTS = {"node_modules", "package.json", "package-lock.json"}


class Handler(SimpleHTTPRequestHandler):
    rasa_url = "http://127.0.0.1:5005"

    def log_message(self, fmt: str, *args) -> None:  # one line per request on stderr (the log file)
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", csp(self.rasa_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?", 1)[0] == "/config.js":
            body = f"window.SHOPMATE_CONFIG = {json.dumps({'rasaUrl': self.rasa_url})};\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self._hidden():
            self.send_error(404)
            return
        super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if self._hidden():
            self.send_error(404)
            return
        super().do_HEAD()

    def _hidden(self) -> bool:
        parts = [p for p in self.path.split("?", 1)[0].split("#", 1)[0].split("/") if p]
        return any(p in HIDDEN_PARTS or p.startswith(".") for p in parts)

    def list_directory(self, path):  # no directory listings
        self.send_error(404)
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    p.add_argument("--dir", type=Path, default=WEB)
    args = p.parse_args(argv)
    if not (args.dir / "index.html").exists():
        print(f"no chat page at {args.dir}/index.html", file=sys.stderr)
        return 2
    Handler.rasa_url = args.rasa_url.rstrip("/")
    server = ThreadingHTTPServer((args.host, args.port), functools.partial(Handler, directory=str(args.dir)))
    print(f"chat page on http://{args.host}:{args.port}/ (Rasa at {Handler.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
