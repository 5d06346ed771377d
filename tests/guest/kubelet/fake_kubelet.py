#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Plays kubelet's side of the device-plugin API v1beta1 against
ares-device-plugin, in a guest with two or more Ares devices (vm-run.sh --devices 2; the
capacity figures in docs/kubernetes.md come from --devices 8).

Usage: fake_kubelet.py ROOT GEN_DIR
ROOT is the source tree (build/ inside it); GEN_DIR holds api_pb2*.py made
by grpc_tools.protoc from deviceplugin/api/v1beta1/api.proto.

Prints one PASS/FAIL line per behaviour and the plugin's memory and CPU
use; exit status 0 only if every check passed.
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent import futures

ROOT, GEN = sys.argv[1], sys.argv[2]
sys.path.insert(0, GEN)
import grpc  # noqa: E402
import api_pb2  # noqa: E402
import api_pb2_grpc  # noqa: E402

SOCK_DIR = "/tmp/dp-test/device-plugins"
KUBELET_SOCK = SOCK_DIR + "/kubelet.sock"
ENDPOINT = "ares-npu.sock"
RESOURCE = "ares.dev/npu"
# The health promise checked here, from docs/kubernetes.md.
HEALTH_DEADLINE_S = 1.0
CDI_SPEC = "/tmp/dp-test/ares.json"
MODEL = "/usr/share/libonnx-testdata/data/node/test_matmul_2d/model.onnx"

failures = 0
plugin_started = 0.0


def check(name, ok, why=""):
    global failures
    if ok:
        print("PASS " + name, flush=True)
    else:
        failures += 1
        print("FAIL %s: %s" % (name, why), flush=True)
    return ok


def pci_of(k):
    return os.path.basename(os.path.realpath("/sys/class/accel/accel%d/device" % k))


def numa_of(pci):
    try:
        with open("/sys/bus/pci/devices/%s/numa_node" % pci) as f:
            return int(f.read())
    except OSError:
        return -1


def jobs(k):
    with open("/sys/class/accel/accel%d/device/ares/jobs_completed" % k) as f:
        return int(f.read())


class Registration(api_pb2_grpc.RegistrationServicer):
    def __init__(self):
        self.requests = queue.Queue()

    def Register(self, request, context):
        self.requests.put(request)
        return api_pb2.Empty()


def serve_kubelet(reg):
    if os.path.exists(KUBELET_SOCK):
        os.unlink(KUBELET_SOCK)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    api_pb2_grpc.add_RegistrationServicer_to_server(reg, server)
    server.add_insecure_port("unix://" + KUBELET_SOCK)
    server.start()
    return server


class Watch:
    """ListAndWatch in a thread: every response with its arrival time."""

    def __init__(self, stub):
        self.updates = queue.Queue()
        self.call = stub.ListAndWatch(api_pb2.Empty())
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            for resp in self.call:
                self.updates.put((time.monotonic(), resp))
        except grpc.RpcError:
            pass

    def until(self, pred, timeout):
        """The first response satisfying pred within timeout, or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                t, resp = self.updates.get(timeout=left)
            except queue.Empty:
                return None
            if pred(health(resp)):
                return t, resp


def health(resp):
    return {d.ID: d.health for d in resp.devices}


def main():
    os.makedirs(SOCK_DIR, exist_ok=True)
    p0, p1 = pci_of(0), pci_of(1)
    reg = Registration()
    kubelet = serve_kubelet(reg)
    log = open("/tmp/dp-test/plugin.log", "w")
    global plugin_started
    plugin_started = time.monotonic()
    plugin = subprocess.Popen(
        [ROOT + "/build/bin/ares-device-plugin", "--socket-dir", SOCK_DIR,
         "--cdi-spec", CDI_SPEC, "--accelctl", ROOT + "/build/bin/accelctl"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        run(reg, kubelet, plugin, p0, p1)
    finally:
        plugin.terminate()
        try:
            rc = plugin.wait(timeout=10)
            check("plugin_stops_on_sigterm", rc == 0 and not os.path.exists(
                SOCK_DIR + "/" + ENDPOINT), "exit %s, socket left: %s" % (
                rc, os.path.exists(SOCK_DIR + "/" + ENDPOINT)))
        except subprocess.TimeoutExpired:
            plugin.kill()
            check("plugin_stops_on_sigterm", False, "still running 10 s after SIGTERM")
        log.close()
        if failures:
            print("--- plugin log ---")
            print(open("/tmp/dp-test/plugin.log").read())
    return 1 if failures else 0


def run(reg, kubelet, plugin, p0, p1):
    try:
        req = reg.requests.get(timeout=60)
    except queue.Empty:
        check("register", False, "no Register request within 60 s")
        return
    check("register", req.version == "v1beta1" and req.endpoint == ENDPOINT and
          req.resource_name == RESOURCE and req.options.get_preferred_allocation_available and
          not req.options.pre_start_required,
          "got version %r endpoint %r resource %r options %s" % (
              req.version, req.endpoint, req.resource_name, req.options))

    channel = grpc.insecure_channel("unix://%s/%s" % (SOCK_DIR, req.endpoint))
    stub = api_pb2_grpc.DevicePluginStub(channel)
    opts = stub.GetDevicePluginOptions(api_pb2.Empty(), timeout=10)
    check("options", opts.get_preferred_allocation_available and not opts.pre_start_required,
          str(opts))

    watch = Watch(stub)
    # Every device of the guest (two in CI; the capacity run boots more).
    both = {pci_of(int(n[5:])): "Healthy" for n in os.listdir("/sys/class/accel")
            if n.startswith("accel")}
    print("devices: %d" % len(both))
    got = watch.until(lambda h: h == both, 10)
    ok = got is not None
    if ok:
        for d in got[1].devices:
            want = [numa_of(d.ID)] if numa_of(d.ID) >= 0 else []
            ok = ok and [n.ID for n in d.topology.nodes] == want
    check("list_and_watch_both_healthy", ok,
          "expected %s with each device's NUMA node, got %s" % (
              both, got and got[1]))

    # GetPreferredAllocation
    def preferred(avail, must, size):
        r = api_pb2.PreferredAllocationRequest()
        c = r.container_requests.add()
        c.available_deviceIDs.extend(avail)
        c.must_include_deviceIDs.extend(must)
        c.allocation_size = size
        return list(stub.GetPreferredAllocation(r, timeout=10).container_responses[0].deviceIDs)

    got1 = preferred([p0, p1], [], 1)
    got2 = preferred([p1, p0], [], 2)
    gotn = preferred(sorted(both), [], len(both))
    check("preferred_allocation_all", sorted(gotn) == sorted(both), str(gotn))
    gotm = preferred([p0, p1], [p1], 1)
    check("preferred_allocation", len(got1) == 1 and got1[0] in (p0, p1) and
          sorted(got2) == sorted([p0, p1]) and gotm == [p1],
          "size 1 -> %s, size 2 -> %s, must %s size 1 -> %s" % (got1, got2, p1, gotm))
    try:
        preferred([p0, p1], [p0, p1], 1)
        check("preferred_allocation_refuses_short_size", False, "accepted size 1 with 2 must-include")
    except grpc.RpcError as e:
        check("preferred_allocation_refuses_short_size",
              e.code() == grpc.StatusCode.INVALID_ARGUMENT, str(e))

    # Allocate
    def allocate(ids):
        r = api_pb2.AllocateRequest()
        r.container_requests.add().devices_ids.extend(ids)
        return stub.Allocate(r, timeout=10).container_responses[0]

    def cdi_names():
        try:
            with open(CDI_SPEC) as f:
                spec = json.load(f)
            return {"%s=%s" % (spec["kind"], d["name"]) for d in spec["devices"]}
        except (OSError, ValueError, KeyError):
            return set()

    want_names = {"%s=%d" % (RESOURCE, k) for k in range(len(both))} | {RESOURCE + "=all"}
    end = time.monotonic() + 5
    while cdi_names() != want_names and time.monotonic() < end:
        time.sleep(0.1)
    check("cdi_spec_written", cdi_names() == want_names,
          "expected %s in %s, got %s" % (sorted(want_names), CDI_SPEC, sorted(cdi_names())))

    def alloc_ok(resp, ks, ids):
        nodes = ["/dev/accel/accel%d" % k for k in ks]
        return (all(c.name in cdi_names() for c in resp.cdi_devices) and
                [(d.container_path, d.host_path, d.permissions) for d in resp.devices] ==
                [(n, n, "rw") for n in nodes] and
                dict(resp.envs) == {"ARES_VISIBLE_DEVICES": ",".join(ids)} and
                [c.name for c in resp.cdi_devices] == ["%s=%d" % (RESOURCE, k) for k in ks])

    a1 = allocate([p1])
    check("allocate_one", alloc_ok(a1, [1], [p1]), str(a1))
    a2 = allocate([p0, p1])
    check("allocate_two", alloc_ok(a2, [0, 1], [p0, p1]), str(a2))
    if len(both) > 2:
        ids = sorted(both)
        an = allocate(ids)
        check("allocate_all", len(an.devices) == len(ids) and
              an.envs["ARES_VISIBLE_DEVICES"] == ",".join(ids), str(an))
    for bad, code in (([], grpc.StatusCode.INVALID_ARGUMENT),
                      (["0000:ff:1f.7"], grpc.StatusCode.INVALID_ARGUMENT),
                      ([p0, p0], grpc.StatusCode.INVALID_ARGUMENT)):
        try:
            allocate(bad)
            check("allocate_refuses_bad_ids", False, "Allocate %s accepted" % bad)
            break
        except grpc.RpcError as e:
            if not check("allocate_refuses_bad_ids %s" % bad, e.code() == code, str(e)):
                break
    r = api_pb2.PreStartContainerRequest()
    r.devices_ids.extend([p0, p1])
    stub.PreStartContainer(r, timeout=10)
    check("pre_start_container", True)

    # A job through the allocated device with the returned environment.
    env = dict(os.environ)
    env.update(a1.envs)
    b0, b1 = jobs(0), jobs(1)
    out = subprocess.run([ROOT + "/build/bin/accel-run", MODEL, "--device", "0", "--no-fallback"],
                         env=env, capture_output=True, text=True)
    d0, d1 = jobs(0) - b0, jobs(1) - b1
    check("job_with_allocated_env", out.returncode == 0 and d1 >= 1 and d0 == 0,
          "accel-run exit %d, jobs %d on accel0 and %d on accel1: %s" % (
              out.returncode, d0, d1, out.stdout + out.stderr))

    # Reset: Unhealthy while recovering, Healthy after.
    t0 = time.monotonic()
    reset = subprocess.Popen([ROOT + "/build/bin/accelctl", "reset", "-d", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    bad = watch.until(lambda h: h.get(p1) == "Unhealthy" and h.get(p0) == "Healthy", 30)
    reset_out = reset.communicate()[0]
    t_done = time.monotonic()
    good = watch.until(lambda h: h == both, 30)
    if bad and good:
        print("reset: accel1 Unhealthy %.3f s after the reset began, Healthy %.3f s after "
              "accelctl returned" % (bad[0] - t0, good[0] - t_done))
    check("reset_unhealthy_then_healthy",
          reset.returncode == 0 and bad is not None and good is not None and
          good[0] - t_done <= HEALTH_DEADLINE_S,
          "accelctl reset exit %s (%s); Unhealthy seen %s s after the reset began; "
          "Healthy %s s after it ended" % (
              reset.returncode, reset_out.strip(), bad and round(bad[0] - t0, 3),
              good and round(good[0] - t_done, 3)))

    # Firmware heartbeat lost (crash with its interrupt dropped, as
    # test_fault_knobs does): the driver's watchdog recovers the device;
    # Unhealthy meanwhile, Healthy after. Needs fault_injection=1.
    dbg = "/sys/kernel/debug/accel/%s" % p0
    if not os.path.isdir("/sys/kernel/debug/accel"):
        subprocess.run(["mount", "-t", "debugfs", "debugfs", "/sys/kernel/debug"])
    sysdir = "/sys/class/accel/accel0/device/ares/"
    if os.path.exists(dbg + "/crash_fw"):
        hb_param = "/sys/module/ares/parameters/heartbeat_ms"
        old = open(hb_param).read().strip()
        hb0 = int(open(sysdir + "heartbeat_timeouts").read())
        with open(hb_param, "w") as f:
            f.write("300")
        for knob, val in (("drop_irqs", "64"), ("crash_fw", "1")):
            with open("%s/%s" % (dbg, knob), "w") as f:
                f.write(val)
        t_hb = time.monotonic()
        bad = watch.until(lambda h: h.get(p0) == "Unhealthy", 30)
        good = watch.until(lambda h: h == both, 30)
        with open(hb_param, "w") as f:
            f.write(old)
        hb1 = int(open(sysdir + "heartbeat_timeouts").read())
        if bad and good:
            print("heartbeat: accel0 Unhealthy %.3f s after the crash, Healthy %.3f s after that" % (
                bad[0] - t_hb, good[0] - bad[0]))
        check("heartbeat_loss_unhealthy_then_healthy",
              bad is not None and good is not None and hb1 > hb0,
              "Unhealthy seen: %s, Healthy after: %s, heartbeat_timeouts %d -> %d" % (
                  bad is not None, good is not None, hb0, hb1))
    else:
        check("heartbeat_loss_unhealthy_then_healthy", False,
              "no %s/crash_fw: load ares with fault_injection=1" % dbg)

    # PCI remove: Unhealthy (kept in the list); rescan: Healthy again.
    t_rm = time.monotonic()
    with open("/sys/bus/pci/devices/%s/remove" % p1, "w") as f:
        f.write("1")
    gone = watch.until(lambda h: h.get(p1) == "Unhealthy" and h.get(p0) == "Healthy", 10)
    if gone:
        print("remove: Unhealthy %.3f s after the write began" % (gone[0] - t_rm))
    check("pci_remove_unhealthy", gone is not None and gone[0] - t_rm <= HEALTH_DEADLINE_S,
          "after remove: %r" % ((gone and (round(gone[0] - t_rm, 3), health(gone[1]))),))
    with open("/sys/bus/pci/rescan", "w") as f:
        f.write("1")
    t_rs = time.monotonic()
    # The driver probes and boots the firmware during the rescan write.
    back = watch.until(lambda h: h == both, 60)
    if back:
        print("rescan: Healthy %.3f s after the write began" % (back[0] - t_rs))
    check("pci_rescan_healthy", back is not None and back[0] - t_rs <= 30,
          "after rescan: %r" % ((back and (round(back[0] - t_rs, 3), health(back[1]))),))
    if back is not None:
        a = allocate([p1])
        node = a.devices[0].host_path
        check("allocate_after_rescan", os.path.exists(node) and
              a.envs["ARES_VISIBLE_DEVICES"] == p1 and
              all(c.name in cdi_names() for c in a.cdi_devices),
              "%s (CDI spec names %s)" % (a, sorted(cdi_names())))

    # kubelet restart: kubelet.sock recreated (and the plugins' sockets
    # removed, as kubelet does); the plugin serves and registers again.
    kubelet.stop(0).wait()
    if os.path.exists(KUBELET_SOCK):  # grpc removes it on stop
        os.unlink(KUBELET_SOCK)
    plugin_sock = SOCK_DIR + "/" + ENDPOINT
    if os.path.exists(plugin_sock):
        os.unlink(plugin_sock)
    reg2 = Registration()
    kubelet = serve_kubelet(reg2)
    t_k = time.monotonic()
    try:
        req = reg2.requests.get(timeout=15)
        check("reregister_after_kubelet_restart",
              req.resource_name == RESOURCE and req.endpoint == ENDPOINT and
              os.path.exists(plugin_sock),
              "got %r %r, socket %s" % (req.resource_name, req.endpoint,
                                        os.path.exists(plugin_sock)))
        print("re-registered %.2f s after kubelet.sock came back" % (time.monotonic() - t_k))
        stub = api_pb2_grpc.DevicePluginStub(grpc.insecure_channel("unix://" + plugin_sock))
        w2 = Watch(stub)
        check("list_and_watch_after_reregister", w2.until(lambda h: h == both, 10) is not None,
              "no list with both healthy on the new socket")
    except queue.Empty:
        check("reregister_after_kubelet_restart", False, "no Register within 15 s")

    # Capacity figures: what the plugin held and used over this test.
    with open("/proc/%d/status" % plugin.pid) as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    with open("/proc/%d/stat" % plugin.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    alive = time.monotonic() - plugin_started
    # Idle (no change, no call) is what a node sees most of the time.
    c0 = cpu
    time.sleep(5)
    with open("/proc/%d/stat" % plugin.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    idle = ((int(fields[11]) + int(fields[12])) / ticks - c0) / 5
    print("plugin: VmRSS %s, VmHWM %s, CPU %.2f s over %.1f s of test, idle %.2f%% of a CPU" % (
        status["VmRSS"].strip(), status["VmHWM"].strip(), cpu, alive, idle * 100), flush=True)
    kubelet.stop(0)


if __name__ == "__main__":
    sys.exit(main())
