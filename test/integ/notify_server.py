#!/usr/bin/python3
"""Receiver for test/integ/t_notify.sh: an HTTPS (or HTTP) server that
records every POST as one JSON line (path, Rollbar's token header, the
parsed body) and answers 200 with a small JSON body, as Rollbar's API
does; or, with --hang, a TCP listener that accepts and never answers.
Writes its port to PORTFILE once it listens."""
import argparse
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("--log")
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--hang", action="store_true")
a = ap.parse_args()

if a.hang:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    open(a.portfile, "w").write(str(s.getsockname()[1]))
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # kept open, never read or answered

lock = threading.Lock()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unparsable": raw.decode("latin-1")}
        rec = {"path": self.path, "token": self.headers.get("X-Rollbar-Access-Token"),
               "type": self.headers.get("Content-Type"), "body": body}
        with lock, open(a.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        out = b'{"err": 0, "result": {"uuid": "00000000"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(a.portfile, "w").write(str(srv.server_address[1]))
srv.serve_forever()
