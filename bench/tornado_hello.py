"""The tutorial's example on Debian's python3-tornado (6.x), for bench/run.sh.

Tornado 2's HTTPServerRequest.write/finish are gone in Tornado 6; the same
raw callback answers through request.connection, as Tornado 6's own
HTTPServer docstring shows. With --processes=N, fork_processes(N) as in
Tornado's multi-process recipe (bind, fork, then one loop per child).

    /usr/bin/python3 bench/tornado_hello.py --port=8888 [--processes=2]
"""
import argparse

from tornado import httpserver, httputil, ioloop, netutil, process


def handle_request(request):
    message = ("You requested %s\n" % request.uri).encode()
    request.connection.write_headers(
        httputil.ResponseStartLine("HTTP/1.1", 200, "OK"),
        httputil.HTTPHeaders({"Content-Length": str(len(message))}),
    )
    request.connection.write(message)
    request.connection.finish()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    sockets = netutil.bind_sockets(args.port, address="127.0.0.1", backlog=4096)
    if args.processes > 1:
        process.fork_processes(args.processes)
    server = httpserver.HTTPServer(handle_request)
    server.add_sockets(sockets)
    print("tornado_hello listening on 127.0.0.1:%d" % args.port, flush=True)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
