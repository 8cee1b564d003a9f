#!/usr/bin/env python3
"""Where the bytes of a Native AOT binary go, from ILC's map file (IlcGenerateMapFile=true).

Usage: aot-size.py MAP.xml ILC.rsp BINARY [--top N]
Every node of the map (method code, GC info, type structures, statics, ...) is charged to the assembly
its mangled name starts with; a generic instantiation over a type of a non-framework assembly (e.g.
AsyncStateMachineBox<Kestrel's state machine>) is charged to that assembly, since it exists because of it.
The one-per-image tables (reflection metadata, resource strings, stack-trace map, ...) are listed on their
own. The native runtime and System.Native & co. are not in the map.
"""
import re
import sys
from collections import defaultdict

def main():
    args = sys.argv[1:]
    top = 25
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    map_path, rsp_path, binary = args
    assemblies = set()
    for line in open(rsp_path):
        line = line.strip()
        path = line[3:] if line.startswith("-r:") else line if line.endswith(".dll") else None
        if path:
            assemblies.add(path.rsplit("/", 1)[-1][:-4])
    prefixes = {}
    for name in assemblies:
        mangled = name.replace(".", "_").replace("-", "_")
        if mangled.startswith("System_Private_"):
            mangled = "S_P_" + mangled[len("System_Private_"):]
        prefixes[mangled] = name
    longest = max(p.count("_") for p in prefixes) + 1
    framework = lambda a: a.startswith(("System", "Microsoft.Extensions", "Microsoft.AspNetCore", "Microsoft.Win32", "netstandard", "mscorlib"))

    def assembly_of(name):
        parts = name.split("_", longest)
        for k in range(min(len(parts), longest), 0, -1):
            hit = prefixes.get("_".join(parts[:k]))
            if hit is not None and len(parts) > k:
                return hit
        return None

    def owner(name):
        # strip Itanium-style wrappers (_ZTV96..., _ZN..) and leading punctuation
        name = re.sub(r"^_Z[A-Z]+\d*", "", name).lstrip("_")
        outer = assembly_of(name)
        if (outer is None or framework(outer)) and "&lt;" in name:
            for arg in re.findall(r"<([^>]*)>", name.replace("&lt;", "<").replace("&gt;", ">")):
                for part in re.split(r"__|,", arg):
                    inner = assembly_of(part.lstrip("_"))
                    if inner and not framework(inner):
                        return inner
        return outer

    node = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
    per_assembly = defaultdict(int)
    tables = defaultdict(int)
    total = 0
    for line in open(map_path, encoding="utf-8"):
        m = node.search(line)
        if not m:
            continue
        kind, name, length = m.group(1), m.group(2), int(m.group(3))
        total += length
        who = owner(name)
        if who is None:
            tables[kind if kind not in ("Blob", "WritableData") else kind] += length
        else:
            per_assembly[who] += length
    import os
    size = os.path.getsize(binary)
    kib = lambda n: f"{n / 1024:,.0f}"
    print(f"binary {binary}: {kib(size)} KiB. Map nodes add up to {kib(total)} KiB: the map lists type structures")
    print("uncompressed, the image keeps them compressed in DehydratedData, so read the figures as shares, not as a sum.")
    print()
    print("| assembly | KiB |")
    print("|---|---:|")
    rows = sorted(per_assembly.items(), key=lambda kv: -kv[1])
    for name, n in rows[:top]:
        print(f"| {name} | {kib(n)} |")
    rest = sum(n for _, n in rows[top:])
    print(f"| {len(rows) - top} other assemblies | {kib(rest)} |")
    print()
    print("| image-wide table | KiB |")
    print("|---|---:|")
    for name, n in sorted(tables.items(), key=lambda kv: -kv[1])[:12]:
        print(f"| {name} | {kib(n)} |")

main()
