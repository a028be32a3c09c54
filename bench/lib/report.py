#!/usr/bin/env python3
"""bench/run's report: results.tsv -> run.json + run.md, with ratios to the peers and the targets.

usage: report.py RESULTS.tsv OUT.json OUT.md RUNS WARMUP TIMING COMMAND DIST
"""
import json
import os
import platform
import subprocess
import sys
import time

tsv, out_json, out_md, runs, warmup, timing, command, dist = sys.argv[1:9]
OURS = ("jnspawn", "jcontainer", "generator")
SECTIONS = {"start": "Start latency (/bin/true, foreground)",
            "network": "Start latency with a private network and one published port (/bin/true, foreground)",
            "memory": "Resident host memory per running container (PSS, ~1 s after start)",
            "provision": "Provisioning a new container from a cached image",
            "unpack": "Unpack throughput (same gzip blob; higher is better)",
            "pull": "Pull from a local registry (same image; lower is better)",
            "generator": "Generator wall time",
            "density": "Density: N idle containers at once (bench/density; one run per N)"}

rows = []
with open(tsv) as f:
    for line in f:
        sec, name, unit, med, mn, mx, n, cmd, note = line.rstrip("\n").split("\t")
        r = {"section": sec, "name": name, "unit": unit, "command": cmd, "note": note, "runs": int(n)}
        if med:
            r.update(median=float(med), min=float(mn), max=float(mx))
        else:
            r["error"] = note
        rows.append(r)


def get(sec, name):
    for r in rows:
        if r["section"] == sec and r["name"] == name and "median" in r:
            return r
    return None


for r in rows:
    if "median" not in r or not r["name"].startswith(OURS):
        continue
    peers = [p for p in rows if p["section"] == r["section"] and "median" in p and not p["name"].startswith(OURS)
             and p["unit"] == r["unit"]]
    if peers:
        r["ratio_to"] = {p["name"]: round(r["median"] / p["median"], 2) if p["median"] else None for p in peers}


def target(desc, sec, name, test, shown):
    r = get(sec, name)
    if r is None:
        return {"target": desc, "status": "not measured"}
    ok = test(r)
    return {"target": desc, "measured": shown(r), "status": "met" if ok else "missed"}


ns = get("start", "nspawn")
targets = [
    target("start <= 1.0x systemd-nspawn (medians)", "start", "jnspawn",
           lambda r: ns is not None and r["median"] <= ns["median"],
           lambda r: "%.2fx (%.1f vs %.1f ms)" % (r["median"] / ns["median"], r["median"], ns["median"]) if ns else "no nspawn"),
    target("planned start <= 1.0x systemd-nspawn (medians)", "start", "jnspawn-planned",
           lambda r: ns is not None and r["median"] <= ns["median"],
           lambda r: "%.2fx (%.1f vs %.1f ms)" % (r["median"] / ns["median"], r["median"], ns["median"]) if ns else "no nspawn"),
    target("planned start <= 1.0x runc run (medians)", "start", "jnspawn-planned",
           lambda r: get("start", "runc") is not None and r["median"] <= get("start", "runc")["median"],
           lambda r: "%.2fx (%.1f vs %.1f ms)" % (r["median"] / get("start", "runc")["median"], r["median"],
                                                  get("start", "runc")["median"]) if get("start", "runc") else "no runc"),
    target("resident <= 0.3 MB per container (stub init, what stays under systemd)", "memory", "jnspawn-stub",
           lambda r: r["median"] <= 0.3 * 1024, lambda r: "%.0f KB = %.2f MB" % (r["median"], r["median"] / 1024)),
    target("resident <= 0.3 MB per container (foreground jnspawn: JVM + exec stage + stub)", "memory", "jnspawn",
           lambda r: r["median"] <= 0.3 * 1024, lambda r: "%.0f KB = %.2f MB" % (r["median"], r["median"] / 1024)),
    target("provisioning < 5 ms (first start - restart)", "provision", "jnspawn-provision-excess",
           lambda r: r["median"] < 5, lambda r: "%.1f ms" % r["median"]),
    target("provisioning < 64 KB (containers/NEW)", "provision", "jnspawn-container-dir",
           lambda r: r["median"] < 64, lambda r: "%.1f KB" % r["median"]),
    target("unpack >= 0.8x tar -xzf (throughput)", "unpack", "jcontainer-import",
           lambda r: get("unpack", "tar") is not None and r["median"] >= 0.8 * get("unpack", "tar")["median"],
           lambda r: "%.2fx" % (r["median"] / get("unpack", "tar")["median"]) if get("unpack", "tar") else "no tar"),
    target("pull <= 1.0x skopeo copy (medians)", "pull", "jcontainer-pull",
           lambda r: get("pull", "skopeo-copy") is not None and r["median"] <= get("pull", "skopeo-copy")["median"],
           lambda r: "%.2fx (%s vs %s ms)" % (r["median"] / get("pull", "skopeo-copy")["median"], r["median"],
                                              get("pull", "skopeo-copy")["median"]) if get("pull", "skopeo-copy") else "no skopeo"),
    target("generator, 100 files < 150 ms", "generator", "generator-100",
           lambda r: r["median"] < 150, lambda r: "%.1f ms" % r["median"]),
    target("1000 containers started in < 60 s", "density", "jnspawn-density-1000-start",
           lambda r: r["median"] < 60000 and (get("density", "jnspawn-density-1000-containers") or {}).get("median") == 1000,
           lambda r: "%.1f s" % (r["median"] / 1000)),
    target("resident <= 0.3 MB per container with 1000 running (density, host-side PSS)", "density",
           "jnspawn-density-1000-pss", lambda r: r["median"] <= 0.3 * 1024,
           lambda r: "%.0f KB = %.2f MB" % (r["median"], r["median"] / 1024)),
]
for r in rows:
    if r["section"] == "density" and r["name"].endswith("-leaks") and "median" in r:
        targets.append(target("nothing left after stopping %s containers" % r["name"].split("-")[2], "density", r["name"],
                              lambda x: x["median"] == 0, lambda x: "%d" % x["median"]))


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


java = sh("sh", "-c", "java -version 2>&1 | head -n 2 | tail -n 1")
machine = {"nproc": os.cpu_count(), "kernel": platform.release(), "jdk": java,
           "loadavg": open("/proc/loadavg").read().split()[:3],
           "cgroup": sh("stat", "-fc", "%T", "/sys/fs/cgroup")}
doc = {"benchmark": "bench/run", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "command": command,
       "runs": int(runs), "warmup": int(warmup), "timing": timing, "dist": dist, "machine": machine,
       "results": rows, "targets": targets}
with open(out_json, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

md = ["# bench/run results", "",
      "%s, `%s`, %d runs + %s warm-up, timing: %s; %d CPUs, kernel %s, %s, load average %s (at the end)." % (
          doc["date"], command, int(runs), warmup, timing, machine["nproc"], machine["kernel"], java,
          " ".join(machine["loadavg"])), ""]
for sec, title in SECTIONS.items():
    rs = [r for r in rows if r["section"] == sec]
    if not rs:
        continue
    md += ["## " + title, "", "| | median | min | max | unit | ratio (median) to peers | note |",
           "|---|---:|---:|---:|---|---|---|"]
    for r in rs:
        if "median" in r:
            ratio = ", ".join("%s %.2fx" % (k, v) for k, v in r.get("ratio_to", {}).items() if v is not None)
            md.append("| %s | %g | %g | %g | %s | %s | %s |" % (r["name"], r["median"], r["min"], r["max"], r["unit"],
                                                              ratio, r["note"].replace("|", "\\|")))
        else:
            md.append("| %s | - | - | - | | | does not run here: %s |" % (r["name"], r["error"].replace("|", "\\|")))
    md.append("")
md += ["## Targets", "", "| target | measured | |", "|---|---|---|"]
for t in targets:
    md.append("| %s | %s | **%s** |" % (t["target"], t.get("measured", ""), t["status"]))
md.append("")
with open(out_md, "w") as f:
    f.write("\n".join(md))
