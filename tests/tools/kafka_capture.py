#!/usr/bin/env python3
"""Records real Kafka request/response frames for the tunnel codec tests (standard library only).

  kafka_capture.py relay --broker HOST:PORT --out FILE -- kcat -L -b {addr}
      Runs a loopback relay (127.0.0.1, a free port) in front of the broker, runs the command
      with {addr} replaced by the relay's address, and records every frame of every connection.
  kafka_capture.py sweep --broker HOST:PORT --out FILE
      Sends ApiVersions, Metadata, FindCoordinator and DescribeCluster requests at every version
      the broker advertises (one connection each: a broker closes the connection on a version it
      does not support) and records the responses.

FILE gets one line per frame: "request API VERSION HEX" and "API VERSION captured HEX" (the frame
with its size prefix), as tests/unit/common/tunnel/kafka_capture_test.cpp reads them.
"""
import argparse
import socket
import struct
import subprocess
import sys
import threading
import time

NAMES = {0: "Produce", 1: "Fetch", 3: "Metadata", 10: "FindCoordinator", 18: "ApiVersions",
         60: "DescribeCluster"}
FIRST_FLEXIBLE = {3: 9, 10: 3, 18: 3, 60: 0}


def name(key):
    return NAMES.get(key, f"Api{key}")


def frames(data):
    out, at = [], 0
    while at + 4 <= len(data):
        size = struct.unpack(">i", data[at:at + 4])[0]
        if at + 4 + size > len(data):
            break
        out.append(data[at:at + 4 + size])
        at += 4 + size
    return out


def record(lines, requests, responses):
    pending = {}
    for frame in requests:
        key, version, correlation = struct.unpack(">hhi", frame[4:12])
        pending[correlation] = (key, version)
        lines.append(f"request {name(key)} {version} {frame.hex()}")
    for frame in responses:
        correlation = struct.unpack(">i", frame[4:8])[0]
        if correlation in pending:
            key, version = pending.pop(correlation)
            lines.append(f"{name(key)} {version} captured {frame.hex()}")


def relay(args):
    host, port = args.broker.rsplit(":", 1)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    addr = f"127.0.0.1:{server.getsockname()[1]}"
    lines, lock, threads, done = [], threading.Lock(), [], threading.Event()

    def pump(src, dst, sink):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            sink.extend(data)
            dst.sendall(data)

    def connection(client):
        upstream = socket.create_connection((host, int(port)), timeout=10)
        upstream.settimeout(None)
        sent, received = bytearray(), bytearray()
        a = threading.Thread(target=pump, args=(client, upstream, sent))
        b = threading.Thread(target=pump, args=(upstream, client, received))
        a.start(), b.start(), a.join(), b.join()
        client.close(), upstream.close()
        with lock:
            record(lines, frames(bytes(sent)), frames(bytes(received)))

    def accept():
        while not done.is_set():
            try:
                client, _ = server.accept()
            except socket.timeout:
                continue
            t = threading.Thread(target=connection, args=(client,))
            t.start()
            threads.append(t)

    acceptor = threading.Thread(target=accept)
    acceptor.start()
    command = [part.replace("{addr}", addr) for part in args.command]
    result = subprocess.run(command, stdout=subprocess.DEVNULL, timeout=60)
    done.set()
    acceptor.join()
    for t in threads:
        t.join(timeout=10)
    server.close()
    if result.returncode != 0:
        sys.exit(f"kafka_capture: {command[0]} exited with {result.returncode}")
    return lines


def string(text, flexible):
    data = text.encode()
    return (bytes([len(data) + 1]) if flexible else struct.pack(">h", len(data))) + data


def request_body(key, version):
    flexible = version >= FIRST_FLEXIBLE[key]
    tags = b"\x00" if flexible else b""
    if key == 18:  # ApiVersions: v3+ names the client software
        return string("mirrord-capture", True) + string("1.0", True) + tags if flexible else b""
    if key == 3:  # Metadata: all topics (null array; v0 uses an empty one), no auto-creation
        body = (b"\x00" if flexible else struct.pack(">i", 0 if version == 0 else -1))
        if version >= 4:
            body += b"\x00"
        if 8 <= version <= 10:
            body += b"\x00"  # IncludeClusterAuthorizedOperations
        if version >= 8:
            body += b"\x00"  # IncludeTopicAuthorizedOperations
        return body + tags
    if key == 10:  # FindCoordinator for group "mirrord-capture"
        if version >= 4:
            return b"\x00" + b"\x02" + string("mirrord-capture", True) + tags
        body = string("mirrord-capture", flexible)
        return body + (b"\x00" if version >= 1 else b"") + tags
    if key == 60:  # DescribeCluster: no authorized operations, brokers, no fenced ones
        body = b"\x00" + (b"\x01" if version >= 1 else b"") + (b"\x00" if version >= 2 else b"")
        return body + tags
    raise ValueError(key)


def exchange(broker, key, version, correlation):
    flexible = version >= FIRST_FLEXIBLE[key]
    header = struct.pack(">hhi", key, version, correlation) + struct.pack(">h", 7) + b"capture"
    if flexible:
        header += b"\x00"
    payload = header + request_body(key, version)
    frame = struct.pack(">i", len(payload)) + payload
    host, port = broker.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(frame)
        data = b""
        while len(frames(data)) == 0:
            chunk = sock.recv(65536)
            if not chunk:
                return frame, None
            data += chunk
    return frame, frames(data)[0]


def sweep(args):
    lines = []
    _, response = exchange(args.broker, 18, 3, 1)
    count = struct.unpack(">h", response[8:10])[0]  # header v0, ErrorCode
    entries = response[10 + 1:]
    ranges = {}
    for i in range(response[10] - 1):
        key, low, high = struct.unpack(">hhh", entries[i * 7:i * 7 + 6])
        ranges[key] = (low, high)
    assert count == 0, f"ApiVersions error {count}"
    correlation = 100
    for key in (18, 3, 10, 60):
        low, high = ranges[key]
        for version in range(low, high + 1):
            deadline = time.monotonic() + 30
            while True:
                correlation += 1
                request, response = exchange(args.broker, key, version, correlation)
                # The first FindCoordinator creates __consumer_offsets: poll until it has a
                # coordinator (error 15 COORDINATOR_NOT_AVAILABLE until then).
                if key != 10 or response is None or b"\x00\x0f" not in response[-40:] \
                        or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            lines.append(f"request {name(key)} {version} {request.hex()}")
            if response is None:
                sys.exit(f"kafka_capture: broker closed the connection on {name(key)} v{version}")
            lines.append(f"{name(key)} {version} captured {response.hex()}")
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["relay", "sweep"])
    parser.add_argument("--broker", required=True)
    parser.add_argument("--out", required=True)
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.command = argv[split + 1:]
    if args.mode == "relay" and not args.command:
        parser.error("relay needs a command after --")
    lines = relay(args) if args.mode == "relay" else sweep(args)
    with open(args.out, "w") as out:
        out.write(f"# Captured from a real broker ({args.broker}) by tests/tools/kafka_capture.py "
                  f"{args.mode}\n")
        out.write("\n".join(lines) + "\n")
    print(f"kafka_capture: {len(lines)} frames in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
