#!/usr/bin/env python3
"""A TCP proxy that injects network faults, for the integration tests.

It sits between chameleon and one real server (MariaDB or PostgreSQL) and
forwards bytes both ways until told, through its control socket, to break
something.  Python standard library only (asyncio).

usage:
  faultproxy.py serve --target HOST:PORT --control SOCK --port-file FILE
        listen on a free 127.0.0.1 port (written to FILE once listening)
  faultproxy.py ctl SOCK COMMAND [ARG]
        send one command, print the answer; status 1 when it is not "ok ..."

commands (one line each on the control socket, answered with one line):
  reset            every open connection is reset at once (RST, nothing flushed)
  stall N          nothing is forwarded, either way, for N seconds; the
                   connections stay open and the bytes wait
  halfreset        the next chunk the server sends on each open connection is
                   forwarded only in part (its first half), then that
                   connection is reset: the client sees half a packet
  refuse N         the listening socket closes for N seconds: new connections
                   are refused (ECONNREFUSED); open ones are left alone
  stats            "ok accepted=A open=O resets=R bytes_up=U bytes_down=D"
"""
import asyncio
import os
import socket
import struct
import sys
import time

CHUNK = 65536


class Proxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.conns = set()
        self.server = None
        self.port = 0
        self.stall_until = 0.0
        self.refusing = False
        self.accepted = 0
        self.resets = 0
        self.up = 0
        self.down = 0

    async def listen(self):
        self.server = await asyncio.start_server(
            self.accept, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def accept(self, cr, cw):
        try:
            sr, sw = await asyncio.open_connection(*self.target)
        except OSError:
            hard_close(cw)
            return
        self.accepted += 1
        c = Conn(self, cr, cw, sr, sw)
        self.conns.add(c)
        try:
            await c.run()
        finally:
            self.conns.discard(c)

    async def stall_wait(self):
        while time.monotonic() < self.stall_until:
            await asyncio.sleep(min(0.05, self.stall_until - time.monotonic()))

    def reset_all(self):
        for c in list(self.conns):
            c.reset()

    async def refuse(self, secs):
        if self.refusing:
            return
        self.refusing = True
        self.server.close()
        await self.server.wait_closed()
        await asyncio.sleep(secs)
        await self.listen()
        self.refusing = False


def hard_close(w):
    """Close with an RST: SO_LINGER 0, so the peer sees a reset."""
    sock = w.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
    except OSError:
        pass
    w.transport.abort()


class Conn:
    def __init__(self, proxy, cr, cw, sr, sw):
        self.p = proxy
        self.cr, self.cw, self.sr, self.sw = cr, cw, sr, sw
        self.half = False
        self.dead = False

    def reset(self):
        if self.dead:
            return
        self.dead = True
        self.p.resets += 1
        hard_close(self.cw)
        hard_close(self.sw)

    async def pump(self, r, w, down):
        try:
            while not self.dead:
                data = await r.read(CHUNK)
                if not data:
                    break
                await self.p.stall_wait()
                if self.dead:
                    break
                if down and self.half:
                    w.write(data[:max(1, len(data) // 2)])
                    await w.drain()
                    self.reset()
                    break
                w.write(data)
                await w.drain()
                if down:
                    self.p.down += len(data)
                else:
                    self.p.up += len(data)
        except (OSError, asyncio.IncompleteReadError):
            pass
        if not self.dead:
            # one side ended cleanly: end the other side's writing
            try:
                w.write_eof()
            except (OSError, RuntimeError):
                pass

    async def run(self):
        t1 = asyncio.ensure_future(self.pump(self.cr, self.sw, False))
        t2 = asyncio.ensure_future(self.pump(self.sr, self.cw, True))
        await asyncio.wait([t1, t2], return_when=asyncio.ALL_COMPLETED)
        for w in (self.cw, self.sw):
            try:
                w.close()
            except OSError:
                pass


async def control(proxy, r, w):
    line = (await r.readline()).decode().split()
    out = "ok"
    try:
        cmd, args = line[0], line[1:]
        if cmd == "reset":
            proxy.reset_all()
        elif cmd == "stall":
            proxy.stall_until = time.monotonic() + float(args[0])
        elif cmd == "halfreset":
            for c in list(proxy.conns):
                c.half = True
        elif cmd == "refuse":
            asyncio.ensure_future(proxy.refuse(float(args[0])))
        elif cmd == "stats":
            out = "ok accepted=%d open=%d resets=%d bytes_up=%d bytes_down=%d" % (
                proxy.accepted, len(proxy.conns), proxy.resets, proxy.up, proxy.down)
        else:
            out = "error unknown command " + cmd
    except (IndexError, ValueError):
        out = "error bad command " + " ".join(line)
    w.write((out + "\n").encode())
    await w.drain()
    w.close()


async def serve(target, ctl_path, port_file):
    host, port = target.rsplit(":", 1)
    proxy = Proxy(host, int(port))
    await proxy.listen()
    if os.path.exists(ctl_path):
        os.unlink(ctl_path)
    ctl = await asyncio.start_unix_server(
        lambda r, w: control(proxy, r, w), path=ctl_path)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % proxy.port)
    os.rename(tmp, port_file)
    async with ctl:
        await ctl.serve_forever()


def ctl(path, words):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall((" ".join(words) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        b = s.recv(4096)
        if not b:
            break
        data += b
    s.close()
    ans = data.decode().strip()
    print(ans)
    return 0 if ans.startswith("ok") else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "ctl":
        return ctl(argv[2], argv[3:])
    if len(argv) >= 2 and argv[1] == "serve":
        opts = dict(zip(argv[2::2], argv[3::2]))
        try:
            asyncio.run(serve(opts["--target"], opts["--control"],
                              opts["--port-file"]))
        except KeyboardInterrupt:
            pass
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
