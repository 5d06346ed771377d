#!/usr/bin/python3
"""ares-serve end to end: a model repository of real models, every endpoint,
a bounded load of concurrent clients whose every response is compared with
the CPU path (accel-run --cpu on the same input), the bad requests that must
get their 4xx while the load runs, no fd or memory growth across the load,
and a SIGTERM that lets the requests in progress finish.

Only loopback traffic; every loop is bounded in count and time.

usage: serve_check.py --build DIR --models CACHE [--device cpu|auto]
                      [--duration S] [--clients N] [--ocr] [--server BIN]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_repo import make_repository  # noqa: E402

MAX_CONN = 16
MAX_BODY = 8 << 20
# RSS may grow without a leak, by memory the heap figure below does not
# count: freed thread stacks glibc keeps for reuse (up to 40 MiB by
# default; the server had a thread per connection), oneDNN's cache of JIT-compiled
# kernels for the CPU nodes, and the allocator's free lists settling (the
# server runs with MALLOC_ARENA_MAX=2). In CI's guest, 60 s of load grew
# RSS by 41 and 59 MB across the second half with the live heap flat; more
# than 64 MiB + 5% is a leak. The live heap check below is the sharp one.
RSS_MARGIN_KIB = 64 * 1024
RSS_MARGIN_SHARE = 0.05
# The server's live heap (ares_serve_heap_bytes, mallinfo2) is exact: after
# the warm-up it must come back to where it was, within what the scrape and
# the allocator's own bookkeeping move (256 KiB, a dozen leaked requests of
# the smallest model).
HEAP_MARGIN = 256 * 1024

results = {"passed": 0, "failed": 0}
SERVER = [None]  # the ares-serve binary under test
lock = threading.Lock()


def report(name, ok, detail=""):
    with lock:
        results["passed" if ok else "failed"] += 1
    print(("PASS " if ok else "FAIL ") + name + (": " + detail if detail and not ok else ""),
          flush=True)
    return ok


def request(port, method, path, body=None, timeout=600):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body,
                  headers={"Content-Type": "application/json"} if body else {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def request_past_429(port, path, body):
    """POST, again after a 429: the connections the too-many-connections
    check held may not all be closed on the server's side yet."""
    for _ in range(100):
        status, rbody = request(port, "POST", path, body)
        if status != 429:
            break
        time.sleep(0.02)
    return status, rbody


def infer_body(name, x):
    return json.dumps({"inputs": [{"name": name, "shape": list(x.shape), "datatype": "FP32",
                                   "data": x.ravel().tolist()}]}).encode()


def close_enough(got, ref, atol, rtol):
    return got.shape == ref.shape and bool(np.all(np.abs(got - ref) <= atol + rtol * np.abs(ref)))


class Case:
    """One model input with the CPU path's output for it."""

    def __init__(self, model, in_name, x, ref, atol, rtol):
        self.model, self.in_name, self.x, self.ref = model, in_name, x, ref
        self.atol, self.rtol = atol, rtol
        self.body = infer_body(in_name, x)

    def check(self, status, body):
        if status != 200:
            return False, "status %d: %s" % (status, body[:300])
        out = json.loads(body)["outputs"][0]
        got = np.array(out["data"], dtype=np.float32).reshape(out["shape"])
        if not close_enough(got, self.ref, self.atol, self.rtol):
            return False, "%s: max |diff| %g" % (self.model, float(np.max(np.abs(
                got.reshape(-1)[:self.ref.size] - self.ref.reshape(-1)[:got.size]))))
        return True, ""


def reference(build, model_path, in_name, x, tmp):
    inp = os.path.join(tmp, "in.npy")
    outd = os.path.join(tmp, "out")
    shutil.rmtree(outd, ignore_errors=True)
    np.save(inp, x)
    subprocess.run([os.path.join(build, "bin/accel-run"), "--cpu", model_path, "--input",
                    "%s=%s" % (in_name, inp), "--output-dir", outd], check=True,
                   stdout=subprocess.DEVNULL)
    (f,) = os.listdir(outd)
    return np.load(os.path.join(outd, f))


def proc_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def proc_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rss_parts(pid):
    with open("/proc/%d/status" % pid) as f:
        return " ".join(ln.split()[0] + ln.split()[1] for ln in f
                        if ln.startswith(("RssAnon", "RssFile", "RssShmem")))


def start_server(build, repo, device, tmp):
    port_file = os.path.join(tmp, "port")
    log = open(os.path.join(tmp, "serve.log"), "w")
    p = subprocess.Popen([SERVER[0], "--model-repository", repo,
                          "--port", "0", "--port-file", port_file, "--device", device,
                          "--max-connections", str(MAX_CONN), "--max-body", str(MAX_BODY)],
                         stdout=log, stderr=subprocess.STDOUT,
                         env=dict(os.environ, MALLOC_ARENA_MAX="2"))
    for _ in range(1200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                return p, int(f.read())
        if p.poll() is not None:
            break
        time.sleep(0.1)
    p.kill()
    with open(os.path.join(tmp, "serve.log")) as f:
        sys.exit("ares-serve did not start:\n" + f.read())


def bad_requests(port, case):
    """Each bad request and the status it must get; all must be JSON errors."""
    x = case.x
    good = json.loads(case.body)
    wrong_dtype = json.loads(case.body)
    wrong_dtype["inputs"][0]["datatype"] = "INT64"
    wrong_shape = json.loads(case.body)
    wrong_shape["inputs"][0]["shape"] = [x.shape[0] + 1] + list(x.shape[1:])
    unknown_input = json.loads(case.body)
    unknown_input["inputs"][0]["name"] = "no_such_input"
    short_data = json.loads(case.body)
    short_data["inputs"][0]["data"] = good["inputs"][0]["data"][:-1]
    infer = "/v2/models/%s/infer" % case.model
    return [
        ("malformed_json", infer, b'{"inputs": [', 400),
        ("not_an_object", infer, b"[1, 2]", 400),
        ("wrong_dtype", infer, json.dumps(wrong_dtype).encode(), 400),
        ("wrong_shape", infer, json.dumps(wrong_shape).encode(), 400),
        ("short_data", infer, json.dumps(short_data).encode(), 400),
        ("unknown_input", infer, json.dumps(unknown_input).encode(), 400),
        ("unknown_model", "/v2/models/no_such_model/infer", case.body, 404),
    ]


def check_error(name, status, body, want):
    try:
        err = json.loads(body)["error"]
        ok = status == want and isinstance(err, str) and err
    except (ValueError, KeyError, TypeError):
        ok, err = False, body[:200]
    return report("bad_request_" + name, ok, "got %d %r, want %d" % (status, err, want))


def oversized(port):
    """A Content-Length over --max-body is refused before the body is read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    try:
        s.sendall(b"POST /v2/models/x/infer HTTP/1.1\r\nHost: l\r\nContent-Type: "
                  b"application/json\r\nContent-Length: %d\r\n\r\n{" % (MAX_BODY + 1))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split()[1]) if head else 0
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(rest) < length:
            chunk = s.recv(4096)
            if not chunk:
                break
            rest += chunk
        return check_error("oversized_body", status, rest, 413)
    finally:
        s.close()


def too_many_connections(port):
    """Idle connections up to the limit, then one more request: 429."""
    held = []
    try:
        for _ in range(MAX_CONN):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=60))
        time.sleep(0.2)
        status, body = request(port, "GET", "/v2/health/live")
        return check_error("too_many_connections", status, body, 429)
    finally:
        for s in held:
            s.close()


def load(port, cases, deadline, stats, errors):
    i = 0
    while time.monotonic() < deadline:
        case = cases[i % len(cases)]
        i += 1
        for attempt in range(200):
            try:
                status, body = request(port, "POST", "/v2/models/%s/infer" % case.model,
                                       case.body)
            except OSError as e:
                status, body = 0, str(e).encode()
            if status != 429:
                break
            # The too-many-connections check holds the limit for a moment.
            with lock:
                stats["retried_429"] += 1
            time.sleep(0.02)
        ok, why = case.check(status, body)
        with lock:
            stats["requests"] += 1
            if not ok:
                stats["wrong"] += 1
                if len(errors) < 5:
                    errors.append(why)


def run_load(port, cases, seconds, clients, during=None):
    stats = {"requests": 0, "wrong": 0, "retried_429": 0}
    errors = []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=load, args=(port, cases[k:] + cases[:k], deadline, stats,
                                                   errors)) for k in range(clients)]
    for t in threads:
        t.start()
    if during:
        during()
    for t in threads:
        t.join()
    return stats, errors


def heap_bytes(port):
    status, body = request(port, "GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith("ares_serve_heap_bytes "):
            return int(line.split()[1])
    return -1


def metrics(port):
    status, body = request(port, "GET", "/metrics")
    return status, body.decode()


def metric_value(text, name, labels):
    m = re.search(r"^%s\{%s\} ([0-9.e+-]+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else None


def keepalive_metrics(c):
    """/metrics over the keep-alive connection C."""
    c.request("GET", "/metrics")
    r = c.getresponse()
    return r.read().decode()


def early_close(port, case):
    """A batch closes as soon as every open connection's request is in hand
    (reason "clients"), and waits out max_delay_us while another connection
    is open (reason "delay"). alexa_slow's delay is 1 s and its max batch
    64, so only the early close can end its batch before the delay. Both
    cases send over one keep-alive connection, after the server's count of
    open connections shows exactly the ones the case holds (earlier
    checks' connections may still be closing on its side)."""
    labels = 'model="alexa_slow",reason="%s"'
    for name, idle, want in (("early_close_when_every_client_waits", 0, "clients"),
                             ("no_early_close_with_another_connection_open", 1, "delay")):
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle)]
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for _ in range(1000):
                text = keepalive_metrics(c)
                if re.search(r"^ares_serve_connections %d$" % (1 + idle), text, re.M):
                    break
                time.sleep(0.02)
            before = {k: metric_value(text, "ares_serve_batches_closed_total", labels % k)
                      for k in ("clients", "delay")}
            c.request("POST", "/v2/models/alexa_slow/infer", body=case.body,
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            ok, why = case.check(r.status, r.read())
            text = keepalive_metrics(c)
            after = {k: metric_value(text, "ares_serve_batches_closed_total", labels % k)
                     for k in ("clients", "delay")}
        finally:
            c.close()
            for s in held:
                s.close()
        other = "delay" if want == "clients" else "clients"
        ok = (ok and None not in before.values() and None not in after.values() and
              after[want] == before[want] + 1 and after[other] == before[other])
        report(name, ok, "%s; batches closed before %r, after %r" % (why, before, after))


def early_close_idle(port, cases):
    """Two concurrent requests to alexa_pair (max batch 4, max delay 5 s, one
    instance, idle_close) while the scraping connection stays open: half the
    batch is in and no instance runs, so the batch closes at once (reason
    "idle") with both rows, not after the delay."""
    labels = 'model="alexa_pair",reason="%s"'
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    done = []
    try:
        text = keepalive_metrics(c)
        before = {k: metric_value(text, "ares_serve_batches_closed_total", labels % k)
                  for k in ("idle", "delay", "clients")}
        rows0 = metric_value(text, "ares_serve_batch_size_sum", 'model="alexa_pair"')

        def one(case):
            status, body = request(port, "POST", "/v2/models/alexa_pair/infer", case.body)
            done.append(case.check(status, body))

        ts = [threading.Thread(target=one, args=(k,)) for k in cases[:2]]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        text = keepalive_metrics(c)
        after = {k: metric_value(text, "ares_serve_batches_closed_total", labels % k)
                 for k in ("idle", "delay", "clients")}
        rows1 = metric_value(text, "ares_serve_batch_size_sum", 'model="alexa_pair"')
    finally:
        c.close()
    ok = (len(done) == 2 and all(k for k, _ in done) and None not in before.values() and
          None not in after.values() and after["idle"] == before["idle"] + 1 and
          after["delay"] == before["delay"] and after["clients"] == before["clients"] and
          rows0 is not None and rows1 == rows0 + 2)
    # Off by default: the load sent alexa (max batch 8, two instances, no
    # idle_close) batches that met its condition, and none may close by it.
    alexa_idle = metric_value(text, "ares_serve_batches_closed_total",
                              'model="alexa",reason="idle"')
    report("idle_close_off_by_default", alexa_idle == 0, "alexa closed %r batches by idle" %
           alexa_idle)
    report("early_close_when_half_full_and_idle", ok,
           "%r; batches closed before %r, after %r; rows %r -> %r" % (done, before, after,
                                                                      rows0, rows1))


def binary_request(port, case, binary_out, size=None, extra=b"", header_len=None, cut=0):
    """The binary data extension: the input's raw bytes after the JSON.
    HEADER_LEN replaces the Inference-Header-Content-Length value (False: no
    such header); CUT drops that many bytes from the end of the body."""
    raw = case.x.astype("<f4").tobytes()
    head = {"inputs": [{"name": case.in_name, "shape": list(case.x.shape), "datatype": "FP32",
                        "parameters": {"binary_data_size": len(raw) if size is None else size}}]}
    if binary_out:
        head["parameters"] = {"binary_data_output": True}
    hj = json.dumps(head).encode()
    headers = {"Content-Type": "application/octet-stream"}
    if header_len is not False:
        headers["Inference-Header-Content-Length"] = (str(len(hj)) if header_len is None
                                                      else str(header_len))
    body = hj + raw + extra
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        c.request("POST", "/v2/models/%s/infer" % case.model,
                  body=body[:len(body) - cut], headers=headers)
        r = c.getresponse()
        return r.status, r.getheader("Inference-Header-Content-Length"), r.read()
    finally:
        c.close()


def binary_checks(port, case):
    status, hl, body = binary_request(port, case, False)
    ok, why = case.check(status, body)
    report("binary_input_matches_cpu_" + case.model, ok and hl is None, why)
    status, hl, body = binary_request(port, case, True)
    ok = status == 200 and hl is not None
    if ok:
        head = json.loads(body[:int(hl)])["outputs"][0]
        got = np.frombuffer(body[int(hl):], dtype="<f4").reshape(head["shape"])
        ok = (head["parameters"]["binary_data_size"] == len(body) - int(hl) and
              close_enough(got, case.ref, case.atol, case.rtol))
    report("binary_output_matches_cpu_" + case.model, ok, "%d %r" % (status, body[:200]))
    status, _, body = binary_request(port, case, False, size=case.x.nbytes - 4)
    check_error("binary_size_not_shape", status, body, 400)
    status, _, body = binary_request(port, case, False, extra=b"\0" * 8)
    check_error("binary_bytes_left_over", status, body, 400)
    # Malformed framing: each is refused with a 400 naming it, none runs.
    status, _, body = binary_request(port, case, False, header_len=False)
    check_error("binary_size_without_header", status, body, 400)
    status, _, body = binary_request(port, case, False, cut=4)
    check_error("binary_data_past_body", status, body, 400)
    status, _, body = binary_request(port, case, False, header_len=10 ** 9)
    check_error("binary_header_length_past_body", status, body, 400)
    status, _, body = binary_request(port, case, False, header_len=20)
    check_error("binary_header_length_cuts_json", status, body, 400)
    for bad in ("-1", "12abc", "", "0x20", "99999999999999999999999"):
        status, _, body = binary_request(port, case, False, header_len=bad)
        check_error("binary_header_length_%r" % bad, status, body, 400)


def bad_config(a, tmp):
    """A config.json the server cannot honour stops its start, naming why."""
    cases = [
        ({"max_batch": 8, "max_dealy_us": 10}, "unknown config key \"max_dealy_us\""),
        ({"precision": "int8"}, "expected \"fp32\", \"bf16\" or \"fp16\""),
        ({"instances": 0}, "\"instances\" is 0"),
        ({"device": "gpu"}, "config key \"device\""),
        ({"idle_close": 1}, "config key \"idle_close\" must be true or false"),
    ]
    for k, (cfg, want) in enumerate(cases):
        repo = os.path.join(tmp, "badrepo%d" % k)
        os.makedirs(os.path.join(repo, "m"))
        os.symlink(os.path.join(a.models, "oww/models/alexa_v0.1.onnx"),
                   os.path.join(repo, "m/model.onnx"))
        with open(os.path.join(repo, "m/config.json"), "w") as f:
            json.dump(cfg, f)
        r = subprocess.run([SERVER[0], "--model-repository", repo,
                            "--port", "0"], capture_output=True, text=True, timeout=300)
        report("bad_config_%d_refused" % k, r.returncode == 1 and want in r.stderr,
               "rc %d, stderr %r, want %r" % (r.returncode, r.stderr, want))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--models", required=True, help="ARES_MODEL_CACHE")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--ocr", action="store_true", help="serve the OCR models too")
    ap.add_argument("--server", help="the ares-serve to test (default BUILD/bin/ares-serve)")
    a = ap.parse_args()
    SERVER[0] = a.server or os.path.join(a.build, "bin/ares-serve")
    tmp = tempfile.mkdtemp(prefix="serve-check.")
    try:
        repo, models = make_repository(a.models, os.path.join(tmp, "repo"), a.device, a.ocr)
        rng = np.random.default_rng(7)
        cases = []
        for m in models:
            for _ in range(3):
                x = rng.random(m["shape"], dtype=np.float32) * m.get("scale", 1)
                ref = reference(a.build, m["path"], m["input"], x, tmp)
                cases.append(Case(m["name"], m["input"], x, ref, m["atol"], m["rtol"]))
        bad_config(a, tmp)
        p, port = start_server(a.build, repo, a.device, tmp)
        try:
            checks(a, p, port, cases, models)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("serve: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


def checks(a, p, port, cases, models):
    status, body = request(port, "GET", "/v2")
    report("server_metadata", status == 200 and json.loads(body)["name"] == "ares-serve",
           "%d %s" % (status, body[:200]))
    for path in ("/v2/health/live", "/v2/health/ready"):
        status, _ = request(port, "GET", path)
        report("health" + path.replace("/v2/health/", "_"), status == 200, str(status))
    for m in models:
        status, body = request(port, "GET", "/v2/models/" + m["name"])
        md = json.loads(body) if status == 200 else {}
        ok = (status == 200 and md.get("name") == m["name"] and
              md["inputs"][0]["name"] == m["input"] and md["inputs"][0]["datatype"] == "FP32" and
              len(md["inputs"][0]["shape"]) == len(m["shape"]) and md["outputs"])
        report("metadata_" + m["name"], ok, "%d %s" % (status, body[:300]))
        status, _ = request(port, "GET", "/v2/models/%s/ready" % m["name"])
        report("ready_" + m["name"], status == 200, str(status))
    for c in cases[::3]:
        status, body = request(port, "POST", "/v2/models/%s/infer" % c.model, c.body)
        ok, why = c.check(status, body)
        report("infer_matches_cpu_" + c.model, ok, why)
    for c in (cases[0], cases[3]):
        binary_checks(port, c)

    bad_counts = {"n": 0}

    def during(rounds=3, share=0.8):
        def bad():
            end = time.monotonic() + a.duration * share
            for _ in range(rounds):
                for c in (cases[0], cases[-1]):
                    for name, path, body, want in bad_requests(port, c):
                        status, rbody = request_past_429(port, path, body)
                        check_error(name + "_" + c.model, status, rbody, want)
                oversized(port)
                too_many_connections(port)
                bad_counts["n"] += 1
                if time.monotonic() > end:
                    break
        return bad

    # Warm-up: the same load and bad requests, so every instance has run
    # (its plan and arena exist) and thread stacks and allocator arenas
    # are in use before the before-figures are taken; a leak grows with
    # the requests of the measured load after it.
    for c in cases:
        request(port, "POST", "/v2/models/%s/infer" % c.model, c.body)
    stats, errors = run_load(port, cases, max(5.0, a.duration / 3), a.clients, during(1))
    report("warmup_load_matches_cpu", stats["wrong"] == 0 and stats["requests"] > 0,
           "; ".join(errors))
    time.sleep(0.5)
    fds0, rss0, heap0 = proc_fds(p.pid), proc_rss_kib(p.pid), heap_bytes(port)

    # The measured load in two halves: a leak grows with requests in both;
    # what the first touches once (an instance's device arena the warm-up
    # did not reach) stays in the first.
    stats, errors = run_load(port, cases, a.duration / 2, a.clients, during())
    time.sleep(0.5)
    rss_mid, rss_parts_mid = proc_rss_kib(p.pid), rss_parts(p.pid)
    stats2, errors2 = run_load(port, cases, a.duration / 2, a.clients, during())
    for k in stats:
        stats[k] += stats2[k]
    errors += errors2
    print("load: %d clients, %.0f s: %d requests (%d of them retried after 429), %d wrong" %
          (a.clients, a.duration, stats["requests"], stats["retried_429"], stats["wrong"]))
    report("load_every_response_matches_cpu", stats["wrong"] == 0 and stats["requests"] > 0,
           "; ".join(errors))

    time.sleep(0.5)
    fds1, rss1, heap1 = proc_fds(p.pid), proc_rss_kib(p.pid), heap_bytes(port)
    margin = RSS_MARGIN_KIB + int(rss_mid * RSS_MARGIN_SHARE)
    print("leaks: fds %d -> %d; RSS %d -> %d (half-way) -> %d KiB (margin %d KiB); "
          "half-way %s, end %s" % (fds0, fds1, rss0, rss_mid, rss1, margin, rss_parts_mid,
                                   rss_parts(p.pid)))
    print("leaks: live heap %d -> %d bytes (margin %d)" % (heap0, heap1, HEAP_MARGIN))
    report("no_fd_leak", fds1 <= fds0, "fds %d -> %d" % (fds0, fds1))
    report("no_heap_growth", heap1 <= heap0 + HEAP_MARGIN, "heap %d -> %d" % (heap0, heap1))
    report("no_rss_growth", rss1 <= rss_mid + margin, "RSS %d -> %d KiB" % (rss_mid, rss1))

    status, text = metrics(port)
    ok = status == 200
    for m in models:
        ok = ok and ('ares_serve_requests_total{model="%s"}' % m["name"]) in text
    ok = ok and "ares_serve_request_duration_seconds_bucket" in text
    ok = ok and "ares_serve_batch_size_bucket" in text and "ares_serve_queue_depth" in text
    ok = ok and 'ares_serve_http_responses_total{code="429"}' in text
    # Every stage of a served request took some time (the load ran).
    for st in ("read", "parse", "queue", "run", "wake", "respond"):
        mt = re.search(r'^ares_serve_request_stage_seconds_total\{model="alexa",stage="%s"\} '
                       r'([0-9.e+-]+)$' % st, text, re.M)
        ok = ok and mt is not None and (float(mt.group(1)) > 0 or st == "read")
    if a.device != "cpu":
        ok = ok and "ares_serve_device_busy_seconds_total" in text
    report("metrics", ok, text[:2000])
    batched = [ln for ln in text.splitlines()
               if ln.startswith("ares_serve_batch_size_sum") and "_slow" not in ln]
    print("metrics: " + "; ".join(batched))

    early_close(port, cases[0])
    early_close_idle(port, [c for c in cases if c.model == "alexa"])

    # SIGTERM with requests waiting in the slow model's queue (its first
    # request waits max_delay_us = 1 s for a batch, as an idle connection
    # stays open: else their batch would close as soon as all three were
    # in): they must finish.
    slow = [c for c in cases if c.model == "alexa"][:3]
    done = []
    idle = socket.create_connection(("127.0.0.1", port))

    def one(c):
        status, body = request(port, "POST", "/v2/models/alexa_slow/infer", c.body)
        done.append(c.check(status, body))

    ts = [threading.Thread(target=one, args=(c,)) for c in slow]
    for t in ts:
        t.start()
    time.sleep(0.3)
    p.send_signal(signal.SIGTERM)
    for t in ts:
        t.join(120)
    rc = p.wait(120)
    idle.close()
    report("sigterm_finishes_in_flight", rc == 0 and len(done) == len(slow) and
           all(ok for ok, _ in done), "rc %s, %r" % (rc, done))


if __name__ == "__main__":
    sys.exit(main())
