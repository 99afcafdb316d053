"""Run a command and measure its whole process tree: wall time, CPU seconds, peak RSS.

Spark forks a JVM which forks Python workers; Data-Juicer forks a pool per operator. So:

- **CPU seconds**, two ways, both lower bounds, the larger one reported:
  *rusage*: this process makes itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``),
  so every descendant that outlives its parent is re-parented here instead of to init, and
  ``wait4`` on each reaped child returns its own CPU plus that of every descendant it
  reaped (exact for Data-Juicer's pool workers, however short-lived). It misses processes
  auto-reaped by a parent that ignores SIGCHLD, which pyspark's worker daemon does.
  *polled*: every ``interval`` s, the user+system time of each live descendant, last value
  per pid, summed (catches the Spark Python workers; misses each process's last
  < ``interval`` s).
- **Peak RSS** is the maximum over samples (every ``interval`` s, default 0.2) of the sum of
  RSS over all live descendants (shared pages of forked workers are counted once per
  process, as in the peers' figures). The same maximum is also kept per role (the command's
  own process, the JVM, Spark's Python workers, ...), e.g. to see whether the Spark driver's
  memory grows with the input. A process that still runs in its parent's address space is
  not counted: the JVM starts every subprocess (``jspawnhelper``, then ``chmod``, ``rm``,
  Python workers) with ``posix_spawn``, i.e. ``clone(CLONE_VM)``, and until that child
  calls ``exec`` its RSS *is* the JVM's; a sample that caught that moment counted the JVM
  twice (seen as an extra GB-sized process named after a JVM thread on a loaded machine).
  ``kcmp(KCMP_VM)`` tells such a child from a real ``fork`` (whose pages are its own and
  stay counted). Where ``kcmp`` is unavailable, every process counts, as before.
- **RSS over time** (``rss_series``): every sample's tree sum and per-role sums, kept in
  memory and reduced at the end to at most ``SERIES_POINTS`` points (see ``downsample``),
  so that a chart can show how memory grows during a run, not only its peak.
- **Wall** runs from the spawn to the moment the last process of the tree is gone.
- **Other load**: CPU seconds the whole machine spent *outside* the tree during the run
  (from /proc/stat), to show when something else was competing for the cores; and the
  *steal* time the hypervisor took from this VM meanwhile.

stdlib + psutil.
"""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import subprocess
import time
from dataclasses import asdict, dataclass, field

import psutil

PR_SET_CHILD_SUBREAPER = 36
_SUBREAPER = False
_KCMP = {"x86_64": 312, "aarch64": 272, "i686": 349, "i386": 349}.get(platform.machine())  # syscall numbers
KCMP_VM = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
# a run's RSS time series is reduced to at most this many points: results.json keeps one
# series per run, and ~600 points are more than a chart's width can show
SERIES_POINTS = 600


def _shares_parent_vm(pid: int, ppid: int) -> bool:
    """True when `pid` runs in its parent's address space (a vfork / posix_spawn child not yet
    exec'd): its RSS is the parent's, already counted. False when unknown."""
    if _KCMP is None or ppid <= 1:
        return False
    return _LIBC.syscall(_KCMP, pid, ppid, KCMP_VM, 0, 0) == 0


def _become_subreaper() -> None:
    global _SUBREAPER
    if _SUBREAPER:
        return
    libc = _LIBC
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    _SUBREAPER = True


def _cpu_line() -> list[int]:
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def machine_busy_seconds() -> float:
    """CPU seconds (all cores) the machine has spent running something since boot."""
    vals = _cpu_line()
    # user nice system idle iowait irq softirq steal: steal is the hypervisor's, not ours
    return (vals[0] + vals[1] + vals[2] + vals[5] + vals[6]) / os.sysconf("SC_CLK_TCK")


def machine_steal_seconds() -> float:
    """CPU seconds the hypervisor took from this VM since boot (/proc/stat steal)."""
    vals = _cpu_line()
    return (vals[7] if len(vals) > 7 else 0) / os.sysconf("SC_CLK_TCK")


PAUSE_LIMIT_S = 1.0  # realtime ahead of monotonic by more than this: the VM was frozen


@dataclass
class Measurement:
    cmd: list[str]
    returncode: int | None = None
    wall_s: float = 0.0  # spawn -> last process of the tree gone
    root_wall_s: float = 0.0  # spawn -> the command itself exited
    cpu_s: float = 0.0  # max(cpu_rusage_s, cpu_polled_s)
    cpu_rusage_s: float = 0.0  # wait4 rusage of every process reaped here (incl. what they reaped)
    cpu_polled_s: float = 0.0  # polled per-pid user+system, last value seen per pid
    peak_rss_bytes: int = 0
    peak_procs: int = 0
    other_load_cpu_s: float = 0.0  # machine CPU outside the tree during the run
    steal_s: float = 0.0  # CPU seconds the hypervisor took from the VM during the run
    # seconds the whole VM was frozen during the run (a snapshot or a migration): the
    # realtime clock moved on, the monotonic one (wall_s) did not. The tool's own
    # clock-time figures then exceed wall_s, and page caches may have been dropped.
    paused_s: float = 0.0
    samples: int = 0
    killed_leftovers: list[int] = field(default_factory=list)
    # polled CPU seconds by role: the command itself, JVM, Spark's Python workers, other
    cpu_polled_by_role: dict = field(default_factory=dict)
    # per role, the highest RSS sum of that role's processes in any sample (bytes): the
    # roles peak at different moments, so these do not add up to peak_rss_bytes
    peak_rss_by_role: dict = field(default_factory=dict)
    # process samples left out of the RSS sums because the process shared its parent's
    # address space (between clone(CLONE_VM) and exec): counting them would count the parent twice
    shared_vm_skips: int = 0
    # RSS over time: {"t": [s since spawn], "rss_mib": [tree sum], "by_role_mib": {role: [...]}}
    # with at most SERIES_POINTS points (see downsample)
    rss_series: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def run_measured(cmd: list[str], *, env: dict | None = None, cwd: str | None = None,
                 log_path: str | None = None, interval: float = 0.2, timeout: float | None = None,
                 leftover_grace: float = 60.0, stdout_path: str | None = None) -> Measurement:
    """Run `cmd` as its own process tree and measure it. Its stdout and stderr go to `log_path`;
    with `stdout_path`, its stdout goes there instead (a result it prints, such as the JSON
    document of `sparkops run --json`) and the log gets its stderr."""
    _become_subreaper()
    me = psutil.Process()
    # anything already re-parented here from an earlier run must not be counted
    _reap_all()
    m = Measurement(cmd=list(cmd))
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    out = open(stdout_path, "wb") if stdout_path else log
    busy0, steal0 = machine_busy_seconds(), machine_steal_seconds()
    t0, real0 = time.perf_counter(), time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=log if stdout_path else subprocess.STDOUT,
                            start_new_session=True)
    root, pgid = proc.pid, proc.pid
    polled: dict[tuple[int, float], float] = {}
    roles: dict[tuple[int, float], str] = {}
    series: list[tuple[float, int, dict[str, int]]] = []  # (t, tree RSS, RSS by role) per sample
    root_done_at = None
    try:
        while True:
            rss, n = 0, 0
            rss_by_role: dict[str, int] = {}
            for p in me.children(recursive=True):
                try:
                    with p.oneshot():
                        key = (p.pid, p.create_time())
                        ct = p.cpu_times()
                        r = p.memory_info().rss  # 0 for a zombie
                        name = p.name()
                        ppid = p.ppid()
                except psutil.Error:  # gone (or unreadable) since the listing
                    continue
                if r and _shares_parent_vm(p.pid, ppid):
                    m.shared_vm_skips += 1
                    r = 0
                polled[key] = ct.user + ct.system
                # re-classify after an exec (spark-submit's bash becomes the JVM, same pid)
                if key not in roles or roles[key][0] != name:
                    roles[key] = (name, _role(p, root))
                rss += r
                n += 1
                role = roles[key][1]
                rss_by_role[role] = rss_by_role.get(role, 0) + r
            m.samples += 1
            series.append((time.perf_counter() - t0, rss, rss_by_role))
            for role, r in rss_by_role.items():
                m.peak_rss_by_role[role] = max(m.peak_rss_by_role.get(role, 0), r)
            if rss > m.peak_rss_bytes:
                m.peak_rss_bytes = rss
            m.peak_procs = max(m.peak_procs, n)

            for pid, status, ru in _reap_all():
                m.cpu_s += ru.ru_utime + ru.ru_stime
                if pid == root:
                    root_done_at = time.perf_counter()
                    m.root_wall_s = root_done_at - t0
                    m.returncode = os.waitstatus_to_exitcode(status)
            if root_done_at is not None:
                # done when no descendant is left at all, zombies included: a multi-threaded
                # process (the JVM) shows as a zombie while its other threads still run and
                # cannot be reaped (nor its rusage read) until they are gone
                alive = me.children(recursive=True)
                if not alive:
                    break
                if time.perf_counter() - root_done_at > leftover_grace:
                    for p in alive:  # only processes of this tree: our descendants
                        m.killed_leftovers.append(p.pid)
                        _kill(p.pid)
            elif timeout is not None and time.perf_counter() - t0 > timeout:
                _killpg(pgid)
            time.sleep(interval)
    except BaseException:
        _killpg(pgid)
        for p in me.children(recursive=True):
            _kill(p.pid)
        raise
    finally:
        if log_path:
            log.close()
        if stdout_path:
            out.close()
    m.wall_s = time.perf_counter() - t0
    m.paused_s = max(0.0, time.time() - real0 - m.wall_s)
    # a process reaped between the last sample and now
    for pid, status, ru in _reap_all():
        m.cpu_s += ru.ru_utime + ru.ru_stime
    m.cpu_polled_s = sum(polled.values())
    for key, v in polled.items():
        role = roles.get(key, ("", "other"))[1]
        m.cpu_polled_by_role[role] = m.cpu_polled_by_role.get(role, 0.0) + v
    m.cpu_rusage_s = m.cpu_s
    m.rss_series = downsample(series)
    # Both are lower bounds: rusage misses processes auto-reaped by a parent that ignores
    # SIGCHLD (pyspark's daemon does, for its Python workers); polling misses the last
    # < interval s of each process. The larger one is reported.
    m.cpu_s = max(m.cpu_rusage_s, m.cpu_polled_s)
    busy = machine_busy_seconds() - busy0
    m.other_load_cpu_s = max(0.0, busy - m.cpu_s)
    m.steal_s = machine_steal_seconds() - steal0
    # Popen never saw its child exit (we reaped it): keep it from trying later
    proc.returncode = m.returncode if m.returncode is not None else -1
    return m


def downsample(series: list[tuple[float, int, dict[str, int]]], points: int = SERIES_POINTS) -> dict:
    """At most `points` samples of (t, tree RSS, RSS by role), in MiB: the samples are cut into
    `points` consecutive buckets and each bucket keeps its sample with the highest tree RSS,
    whole (so the points are real moments, and the run's peak is always among them). Roles
    absent from a sample count 0 there."""
    if not series:
        return {}
    n = len(series)
    if n > points:
        keep = []
        for b in range(points):
            lo, hi = b * n // points, (b + 1) * n // points
            keep.append(max(range(lo, hi), key=lambda i: series[i][1]))
        series = [series[i] for i in keep]
    roles = sorted({r for _, _, by in series for r in by})
    mib = lambda b: round(b / 2**20, 1)  # noqa: E731
    return {"t": [round(t, 2) for t, _, _ in series], "rss_mib": [mib(r) for _, r, _ in series],
            "by_role_mib": {role: [mib(by.get(role, 0)) for _, _, by in series] for role in roles}}


def _role(p: psutil.Process, root: int) -> str:
    if p.pid == root:
        return "main process"
    try:
        name = p.name()
        cmd = " ".join(p.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return "other"
    if name.startswith("java"):
        return "JVM"
    if "pyspark.daemon" in cmd or "pyspark.worker" in cmd:
        return "Spark Python workers"
    if "python" in name:
        return "forked Python processes"
    return "other"


def _alive(p: psutil.Process) -> bool:
    try:
        return p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _reap_all():
    out = []
    while True:
        try:
            pid, status, ru = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        out.append((pid, status, ru))
    return out


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- reporting


def paused_cell(x: dict) -> str:
    """A run's frozen seconds for a table: '–' when not recorded, '≥ N' when inferred."""
    if "paused_s" not in x:
        return "–"
    return f"{'≥ ' if x.get('paused_inferred') else ''}{x['paused_s']:.1f}"


def disturbed_line(flagged: list[dict]) -> str:
    """The interpretation's line on runs kept although disturbed."""
    paused = [x for x in flagged if x.get("paused_s", 0.0) > PAUSE_LIMIT_S]
    line = (f"- **{len(flagged)} run(s) kept although disturbed** (see the all-runs table): their "
            f"numbers are not the tool's alone.")
    if paused:
        line += (" The VM was frozen during " + ", ".join(
            f"{x['tool']} rep {x['rep']} ({paused_cell(x)} s)" for x in paused)
            + ": their wall time excludes the frozen time (the monotonic clock stopped) but the tool's "
              "own clock counted it, so its processing time can exceed its wall time there, and "
              "after the freeze the caches were cold.")
    return line
